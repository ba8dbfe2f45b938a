import { describe, expect, it } from 'vitest';
import { ANNOTATIONS } from '../types.js';
import { admitConfigSet } from './author.js';

const patchOf = (r: ReturnType<typeof admitConfigSet>): unknown =>
  r.patch ? JSON.parse(Buffer.from(r.patch, 'base64').toString()) : undefined;
const cs = (data: Record<string, string>, annotations?: Record<string, string>) => ({
  metadata: annotations ? { annotations } : {},
  spec: { data },
});

describe('admitConfigSet', () => {
  it('records the requesting user as the author of a create', () => {
    const r = admitConfigSet({
      uid: 'u',
      operation: 'CREATE',
      userInfo: { username: 'alice' },
      object: cs({ A: '1' }),
    });
    expect(r).toMatchObject({ uid: 'u', allowed: true, patchType: 'JSONPatch' });
    expect(patchOf(r)).toEqual([
      { op: 'add', path: '/metadata/annotations', value: {} },
      { op: 'add', path: '/metadata/annotations/platform.wharf.dev~1change-author', value: 'alice' },
    ]);
  });

  it('records the author of a data change and drops a message carried over from the previous change', () => {
    const old = cs({ A: '1' }, { [ANNOTATIONS.changeAuthor]: 'alice', [ANNOTATIONS.changeMessage]: 'first' });
    const r = admitConfigSet({
      uid: 'u',
      operation: 'UPDATE',
      userInfo: { username: 'bob' },
      object: cs({ A: '2' }, old.metadata.annotations),
      oldObject: old,
    });
    expect(patchOf(r)).toEqual([
      { op: 'add', path: '/metadata/annotations/platform.wharf.dev~1change-author', value: 'bob' },
      { op: 'remove', path: '/metadata/annotations/platform.wharf.dev~1change-message' },
    ]);
  });

  it('keeps a message set with the change, and leaves writes that do not change data alone', () => {
    const old = cs({ A: '1' }, { [ANNOTATIONS.changeMessage]: 'first' });
    const withMessage = admitConfigSet({
      uid: 'u',
      operation: 'UPDATE',
      userInfo: { username: 'bob' },
      object: cs({ A: '2' }, { [ANNOTATIONS.changeMessage]: 'second' }),
      oldObject: old,
    });
    expect(patchOf(withMessage)).toEqual([
      { op: 'add', path: '/metadata/annotations/platform.wharf.dev~1change-author', value: 'bob' },
    ]);
    expect(
      admitConfigSet({
        uid: 'u',
        operation: 'UPDATE',
        userInfo: { username: 'eve' },
        object: cs({ A: '1' }, { x: 'y' }),
        oldObject: old,
      }),
    ).toEqual({ uid: 'u', allowed: true });
  });

  it('refuses a key a ConfigMap would refuse, naming the field, and lets good keys and deletes through', () => {
    for (const key of ['..', 'a/b', 'k'.repeat(254), 'with space']) {
      const r = admitConfigSet({
        uid: 'u',
        operation: 'CREATE',
        userInfo: { username: 'alice' },
        object: cs({ ok: '1', [key]: 'x' }),
      });
      expect(r).toMatchObject({ uid: 'u', allowed: false, status: { code: 422, reason: 'Invalid' } });
      expect(r.status?.message).toMatch(/^spec\.data\[".*\]: Invalid value: keys must consist of alphanumerics/);
      expect(r.patch).toBeUndefined();
    }
    expect(
      admitConfigSet({ uid: 'u', operation: 'CREATE', object: { spec: { binaryData: { '.': 'eA==' } } } }).status
        ?.message,
    ).toContain('spec.binaryData["."]');
    expect(
      admitConfigSet({
        uid: 'u',
        operation: 'CREATE',
        userInfo: { username: 'alice' },
        object: cs({ 'app.properties': '1', '.env': '2', 'a_b-C': '3' }),
      }).allowed,
    ).toBe(true);
  });
});
