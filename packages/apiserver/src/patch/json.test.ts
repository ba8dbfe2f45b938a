import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json.js';
import { PatchError } from './errors.js';

function thrown(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PatchError) return err;
    throw err;
  }
  throw new Error('expected a PatchError');
}

describe('applyJsonPatch (RFC 6902)', () => {
  const deploy = {
    metadata: { name: 'd', labels: { app: 'web' } },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'x' }] } } },
  };

  it('applies add, replace, remove, move, copy and test in order', () => {
    const out = applyJsonPatch(deploy, [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'b', image: 'y' } },
      { op: 'copy', from: '/spec/template/spec/containers/0/image', path: '/metadata/labels/image' },
      { op: 'move', from: '/metadata/labels/image', path: '/metadata/labels/moved' },
    ]);
    expect(out).toEqual({
      metadata: { name: 'd', labels: { tier: 'fe', moved: 'x' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            containers: [
              { name: 'a', image: 'x' },
              { name: 'b', image: 'y' },
            ],
          },
        },
      },
    });
  });

  it('a failing test operation throws a 422 naming the operation and path, and changes nothing', () => {
    const before = structuredClone(deploy);
    const err = thrown(() =>
      applyJsonPatch(deploy, [
        { op: 'replace', path: '/spec/replicas', value: 5 },
        { op: 'test', path: '/metadata/name', value: 'other' },
      ]),
    );
    expect(err.status).toBe(422);
    expect(err.path).toBe('/metadata/name');
    expect(err.message).toContain('operation 1');
    expect(err.message).toContain('test operation failed');
    expect(deploy).toEqual(before);
  });

  it('removing or replacing a path that does not exist is a 422', () => {
    expect(thrown(() => applyJsonPatch(deploy, [{ op: 'remove', path: '/spec/paused' }])).status).toBe(422);
    expect(thrown(() => applyJsonPatch(deploy, [{ op: 'replace', path: '/spec/nope/x', value: 1 }])).path).toBe(
      '/spec/nope/x',
    );
    expect(thrown(() => applyJsonPatch(deploy, [{ op: 'add', path: '/spec/nope/x', value: 1 }])).status).toBe(422);
  });

  it('malformed operations are a 400', () => {
    expect(thrown(() => applyJsonPatch(deploy, { op: 'add' })).status).toBe(400);
    expect(thrown(() => applyJsonPatch(deploy, [{ op: 'frobnicate', path: '/a' }])).status).toBe(400);
    expect(thrown(() => applyJsonPatch(deploy, [{ op: 'add', path: '/a' }])).message).toContain("'value'");
    expect(thrown(() => applyJsonPatch(deploy, ['x'])).status).toBe(400);
  });

  it('never mutates the target or the operations, and the result does not alias operation values', () => {
    const before = structuredClone(deploy);
    const value = { name: 'c', image: 'z' };
    const ops = [{ op: 'add', path: '/spec/template/spec/containers/0', value }];
    const out = applyJsonPatch(deploy, ops) as typeof deploy;
    expect(deploy).toEqual(before);
    out.spec.template.spec.containers[0]!.image = 'changed';
    expect(value.image).toBe('z');
  });

  it('an empty operation list returns an equal copy', () => {
    const out = applyJsonPatch(deploy, []);
    expect(out).toEqual(deploy);
    expect(out).not.toBe(deploy);
  });
});
