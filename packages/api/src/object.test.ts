import { describe, expect, it } from 'vitest';
import { clone } from './object.js';

describe('clone', () => {
  it('copies nested objects and arrays, sharing nothing with the original', () => {
    const pod = { metadata: { name: 'p', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', args: ['x'] }] } };
    const copy = clone(pod);
    expect(copy).toEqual(pod);
    copy.metadata.labels.app = 'b';
    copy.spec.containers[0]?.args.push('y');
    expect(pod.metadata.labels.app).toBe('a');
    expect(pod.spec.containers[0]?.args).toEqual(['x']);
  });

  it('keeps keys whose value is undefined, and null', () => {
    const copy = clone({ a: undefined, b: null });
    expect(Object.keys(copy)).toEqual(['a', 'b']);
    expect(copy.b).toBeNull();
  });

  it('keeps a "__proto__" key from JSON as a property, not as the copy\'s prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "name": "x"}') as Record<string, unknown>;
    const copy = clone(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { admin?: boolean }).admin).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'name']);
    expect(copy['__proto__']).toEqual({ admin: true });
  });

  it('copies values that are not plain JSON as structuredClone does', () => {
    const when = new Date('2026-12-06T00:00:00Z');
    const copy = clone({ when });
    expect(copy.when).toBeInstanceOf(Date);
    expect(copy.when).not.toBe(when);
    expect(copy.when.getTime()).toBe(when.getTime());
  });
});
