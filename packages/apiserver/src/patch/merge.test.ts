import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge.js';
import { PatchError } from './errors.js';

describe('applyMergePatch (RFC 7386)', () => {
  const pod = {
    metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } },
    spec: { containers: [{ name: 'a', image: 'x' }] },
  };

  it('merges objects key by key and null removes a label', () => {
    const out = applyMergePatch(pod, { metadata: { labels: { tier: null, env: 'prod' } } });
    expect(out).toEqual({ metadata: { name: 'p', labels: { app: 'web', env: 'prod' } }, spec: pod.spec });
  });

  it('replaces lists whole', () => {
    const out = applyMergePatch(pod, { spec: { containers: [{ name: 'b' }] } });
    expect(out).toEqual({ metadata: pod.metadata, spec: { containers: [{ name: 'b' }] } });
  });

  it('replaces a nested value with a non-object patch value', () => {
    expect(applyMergePatch({ a: { b: 1 } }, { a: 'text' })).toEqual({ a: 'text' });
    expect(applyMergePatch({ a: 'text' }, { a: { b: 1, c: null } })).toEqual({ a: { b: 1 } });
  });

  it('matches the RFC 7386 appendix examples', () => {
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(applyMergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(applyMergePatch({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(applyMergePatch({ a: ['b'] }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'c' }, { a: ['b'] })).toEqual({ a: ['b'] });
    expect(applyMergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch('not an object', { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });

  it('mutates neither the target nor the patch, and the result does not alias the patch', () => {
    const target = structuredClone(pod);
    const patch = { metadata: { labels: { tier: null } }, spec: { extra: { deep: [1] } } };
    const out = applyMergePatch(target, patch) as { spec: { extra: { deep: number[] } } };
    expect(target).toEqual(pod);
    expect(patch).toEqual({ metadata: { labels: { tier: null } }, spec: { extra: { deep: [1] } } });
    out.spec.extra.deep.push(2);
    expect(patch.spec.extra.deep).toEqual([1]);
  });

  it('rejects a patch body that is not an object with a 400 PatchError', () => {
    for (const body of [null, [], 'x', 3]) {
      expect(() => applyMergePatch(pod, body)).toThrow(PatchError);
    }
    try {
      applyMergePatch(pod, []);
    } catch (err) {
      expect((err as PatchError).status).toBe(400);
    }
  });
});
