import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredObject } from '@wharf/api';
import { CompactedError, KeyExistsError, RevisionMismatchError, SqliteStore } from './index.js';
import type { StoreEvent } from './events.js';

const obj = (name: string, rv: number, data = 'x'): StoredObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  data: { v: data },
  metadata: {
    name,
    namespace: 'ns',
    uid: name,
    resourceVersion: String(rv),
    creationTimestamp: '2024-01-01T00:00:00Z',
  },
});
const key = (n: string): string => `/registry/core/configmaps/ns/${n}`;

describe('Store', () => {
  it('assigns increasing revisions and rejects stale writes and duplicate creates', async () => {
    const s = new SqliteStore({ path: ':memory:' });
    const a = await s.create(key('a'), (rv) => obj('a', rv));
    expect(a.metadata.resourceVersion).toBe('1');
    await expect(s.create(key('a'), (rv) => obj('a', rv))).rejects.toThrow(KeyExistsError);
    await s.update(key('a'), 1, (rv) => obj('a', rv, 'y'));
    await expect(s.update(key('a'), 1, (rv) => obj('a', rv, 'z'))).rejects.toThrow(RevisionMismatchError);
    expect(s.get(key('a'))?.data).toEqual({ v: 'y' });
    expect(s.revision).toBe(2);
  });

  it('keeps every acknowledged write across reopen, with tombstones', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wharf-store-')), 'db.sqlite');
    const s = new SqliteStore({ path });
    await s.create(key('a'), (rv) => obj('a', rv));
    await s.create(key('b'), (rv) => obj('b', rv));
    await s.delete(key('a'));
    await s.close();
    const t = new SqliteStore({ path });
    expect(t.get(key('a'))).toBeUndefined();
    expect(t.list('/registry/core/configmaps/').map((e) => e.key)).toEqual([key('b')]);
    expect(t.revision).toBe(3);
    expect((await t.create(key('c'), (rv) => obj('c', rv))).metadata.resourceVersion).toBe('4');
    // A deleted key can be created again, and deleted and created once more.
    expect((await t.create(key('a'), (rv) => obj('a', rv))).metadata.resourceVersion).toBe('5');
    await t.delete(key('a'));
    expect((await t.create(key('a'), (rv) => obj('a', rv))).metadata.resourceVersion).toBe('7');
  });

  it('lists a namespace, a resource, or every key (across resources) in key order as keys come and go', async () => {
    const s = new SqliteStore({ path: ':memory:' });
    const k = (res: string, ns: string, n: string): string => `/registry/core/${res}/${ns}/${n}`;
    for (const ns of ['b', 'a', 'c'])
      for (const n of ['2', '1']) await s.create(k('configmaps', ns, n), (rv) => obj(n, rv));
    await s.create(k('secrets', 'a', '1'), (rv) => obj('1', rv));
    expect(s.list('/registry/core/configmaps/b/').map((e) => e.key)).toEqual([
      k('configmaps', 'b', '1'),
      k('configmaps', 'b', '2'),
    ]);
    await s.create(k('configmaps', 'b', '0'), (rv) => obj('0', rv));
    await s.delete(k('configmaps', 'b', '2'));
    expect(s.list('/registry/core/configmaps/b/').map((e) => e.key)).toEqual([
      k('configmaps', 'b', '0'),
      k('configmaps', 'b', '1'),
    ]);
    expect(s.list('/registry/core/configmaps/').length).toBe(6);
    // Deleted and created again between two lists: listed once.
    await s.delete(k('configmaps', 'a', '1'));
    await s.create(k('configmaps', 'a', '1'), (rv) => obj('1', rv));
    await s.create(k('configmaps', 'a', '3'), (rv) => obj('3', rv));
    await s.delete(k('configmaps', 'a', '3'));
    expect(s.list('/registry/core/configmaps/a/').map((e) => e.key)).toEqual([
      k('configmaps', 'a', '1'),
      k('configmaps', 'a', '2'),
    ]);
    expect(s.list('/registry/').map((e) => e.key)).toEqual([
      k('configmaps', 'a', '1'),
      k('configmaps', 'a', '2'),
      k('configmaps', 'b', '0'),
      k('configmaps', 'b', '1'),
      k('configmaps', 'c', '1'),
      k('configmaps', 'c', '2'),
      k('secrets', 'a', '1'),
    ]);
  });

  it('replays history to a watch from an old revision, from memory and from the log', async () => {
    const s = new SqliteStore({ path: ':memory:', windowSize: 2 });
    await s.create(key('a'), (rv) => obj('a', rv));
    await s.update(key('a'), 1, (rv) => obj('a', rv, 'y'));
    await s.create(key('b'), (rv) => obj('b', rv));
    await s.delete(key('a'));
    const seen: StoreEvent[] = [];
    s.watch('/registry/core/configmaps/', 1, (ev) => ev && seen.push(ev));
    await s.create(key('c'), (rv) => obj('c', rv));
    expect(seen.map((e) => `${e.type}:${e.object.metadata.name}:${e.revision}`)).toEqual([
      'MODIFIED:a:2',
      'ADDED:b:3',
      'DELETED:a:4',
      'ADDED:c:5',
    ]);
  });

  it('answers a watch from a compacted revision with CompactedError', async () => {
    const s = new SqliteStore({ path: ':memory:', windowSize: 1 });
    for (let i = 0; i < 5; i++) await s.create(key(`k${i}`), (rv) => obj(`k${i}`, rv));
    await s.update(key('k0'), 1, (rv) => obj('k0', rv, 'mid'));
    await s.update(key('k0'), 6, (rv) => obj('k0', rv, 'new'));
    expect(await s.compact(6)).toBe(1); // row 1 is superseded by row 6, both at or below the target
    expect(() => s.watch('/registry/', 2, () => undefined)).toThrow(CompactedError);
    expect(s.get(key('k0'))?.data).toEqual({ v: 'new' });
  });
});

describe('Store.listAt: the state at a past revision', () => {
  it('sees keys as they were: later creates absent, later updates undone, later deletes present', async () => {
    const s = new SqliteStore({ path: ':memory:' });
    await s.create(key('a'), (rv) => obj('a', rv, 'a1'));
    await s.create(key('b'), (rv) => obj('b', rv, 'b1'));
    const at = s.revision;
    await s.update(key('a'), undefined, (rv) => obj('a', rv, 'a2'));
    await s.delete(key('b'));
    await s.create(key('c'), (rv) => obj('c', rv));
    const then = s.listAt('/registry/core/configmaps/', at);
    expect(then.map((e) => [e.key, e.object.data])).toEqual([
      [key('a'), { v: 'a1' }],
      [key('b'), { v: 'b1' }],
    ]);
    expect(s.listAt('/registry/core/configmaps/', at, key('a')).map((e) => e.key)).toEqual([key('b')]);
    expect(s.listAt('/registry/core/configmaps/', s.revision).map((e) => e.key)).toEqual([key('a'), key('c')]);
  });

  it('refuses a compacted revision', async () => {
    const s = new SqliteStore({ path: ':memory:' });
    await s.create(key('a'), (rv) => obj('a', rv));
    await s.update(key('a'), undefined, (rv) => obj('a', rv, 'y'));
    await s.update(key('a'), undefined, (rv) => obj('a', rv, 'z'));
    await s.compact(2);
    expect(() => s.listAt('/registry/core/configmaps/', 1)).toThrow(CompactedError);
    expect(s.listAt('/registry/core/configmaps/', 2).map((e) => e.object.data)).toEqual([{ v: 'y' }]);
  });

  it('waitForRevision resolves when a write reaches the revision, false after the deadline', async () => {
    const s = new SqliteStore({ path: ':memory:' });
    const waiting = s.waitForRevision(2, 5_000);
    await s.create(key('a'), (rv) => obj('a', rv));
    await s.create(key('b'), (rv) => obj('b', rv));
    expect(await waiting).toBe(true);
    expect(await s.waitForRevision(10, 20)).toBe(false);
  });
});
