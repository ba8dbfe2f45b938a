import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import type { StoredObject } from '@wharf/api';
import { EtcdCluster, etcdUnavailable } from '@wharf/testing';
import { EncryptingCodec } from '../crypto/encryption.js';
import { EtcdStore, etcdKeyOf, storeKeyOf } from './etcd-store.js';
import type { StoreEvent } from './events.js';
import { storedVersionsOnEtcd } from './offline.js';
import { CompactedError, KeyExistsError, KeyNotFoundError, RevisionMismatchError } from './types.js';

const cm = (name: string, data: string, rv = 0): StoredObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  data: { v: data },
  metadata: { name, namespace: 'ns', uid: name, resourceVersion: String(rv), creationTimestamp: 'x' },
});
const at =
  (data: string, name = 'a') =>
  (rv: number) =>
    cm(name, data, rv);
const key = (n: string): string => `/registry/core/configmaps/ns/${n}`;

describe('etcd keys', () => {
  it('drops the core group segment as kube-apiserver does, and maps keys back', () => {
    expect(etcdKeyOf('/registry/core/secrets/ns/s')).toBe('/registry/secrets/ns/s');
    expect(etcdKeyOf('/registry/apps/deployments/ns/d')).toBe('/registry/apps/deployments/ns/d');
    for (const k of [
      '/registry/core/secrets/ns/s',
      '/registry/core/namespaces/default',
      '/registry/apps/deployments/ns/d',
      '/registry/rbac.authorization.k8s.io/clusterroles/admin',
      '/registry/example.com/widgets/ns/w',
    ])
      expect(storeKeyOf(etcdKeyOf(k))).toBe(k);
  });
});

describe.skipIf(etcdUnavailable() !== '')('EtcdStore on a real etcd', () => {
  let etcd: EtcdCluster;
  const open: EtcdStore[] = [];
  // Every store reads every key, so all share the key that encrypts secrets.
  const codec = new EncryptingCodec(
    [{ name: 'k1', secret: randomBytes(32).toString('base64') }],
    ['/registry/core/secrets/'],
  );
  const store = async (opts: Partial<ConstructorParameters<typeof EtcdStore>[0]> = {}): Promise<EtcdStore> => {
    const s = new EtcdStore({ endpoints: etcd.endpoints, codec, ...opts });
    await s.open();
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    etcd = await EtcdCluster.start(1);
  }, 60_000);
  afterAll(async () => {
    for (const s of open) await s.close();
    await etcd?.stop();
  });

  it('writes with etcd revisions, refuses stale and duplicate writes, and reads its own writes', async () => {
    const s = await store();
    const a = await s.create(key('a'), at('1'));
    expect(s.get(key('a'))).toEqual(a);
    expect(JSON.parse(s.getJson(key('a')) ?? '{}')).toEqual(a);
    await expect(s.create(key('a'), at('again'))).rejects.toThrow(KeyExistsError);
    const rv = Number(a.metadata.resourceVersion);
    const b = await s.update(key('a'), rv, at('2'));
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(rv);
    await expect(s.update(key('a'), rv, at('3'))).rejects.toThrow(RevisionMismatchError);
    await expect(s.update(key('missing'), undefined, at('x', 'missing'))).rejects.toThrow(KeyNotFoundError);
    const gone = await s.delete(key('a'));
    expect(gone.data).toEqual({ v: '2' });
    expect(s.get(key('a'))).toBeUndefined();
    expect(s.revision).toBe(Number(gone.metadata.resourceVersion));
  });

  it("tells the apiVersion each object was stored in from outside the server (an upgrade's preflight)", async () => {
    const s = await store();
    const fs = '/registry/flowcontrol.apiserver.k8s.io/flowschemas/';
    await s.create(`${fs}old`, (rv) => ({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
      kind: 'FlowSchema',
      metadata: { name: 'old', uid: 'u-old', resourceVersion: String(rv), creationTimestamp: '2026-12-06T00:00:00Z' },
    }));
    const group = 'flowcontrol.apiserver.k8s.io';
    expect(
      await storedVersionsOnEtcd(etcd.endpoints, [
        { group, resource: 'flowschemas' },
        { group, resource: 'prioritylevelconfigurations' },
      ]),
    ).toEqual([{ key: `${fs}old`, apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3' }]);
    expect(await storedVersionsOnEtcd(etcd.endpoints, [{ group, resource: 'prioritylevelconfigurations' }])).toEqual(
      [],
    );
  });

  it('keeps keys as kube-apiserver does, resourceVersion as mod_revision, and secrets encrypted', async () => {
    const s = await store();
    const secret = await s.create('/registry/core/secrets/ns/db', (rv) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      data: { password: Buffer.from('hunter2-plaintext').toString('base64') },
      metadata: { name: 'db', namespace: 'ns', uid: 'u', resourceVersion: String(rv), creationTimestamp: 'x' },
    }));
    const raw = new Etcd3({ hosts: etcd.endpoints });
    try {
      const res = await raw.get('/registry/secrets/ns/db').exec();
      const kv = res.kvs[0];
      expect(kv?.mod_revision).toBe(secret.metadata.resourceVersion);
      expect(kv?.value.subarray(0, 12).toString()).toBe('k8s:enc:aesg'); // the encryption prefix, not JSON
      expect(kv?.value.includes(Buffer.from('hunter2'))).toBe(false);
      expect(kv?.value.includes(Buffer.from((secret.data as { password: string }).password))).toBe(false);
      expect(s.get('/registry/core/secrets/ns/db')?.data).toEqual(secret.data);
    } finally {
      raw.close();
    }
  });

  it('feeds watches from etcd: a second API server sees the first one’s writes, and conflicts between them', async () => {
    const one = await store();
    const two = await store();
    const seen: StoreEvent[] = [];
    const w = two.watch('/registry/core/configmaps/', two.revision, (ev) => ev && seen.push(ev));
    const made = await one.create(key('w'), at('1', 'w'));
    const rv = Number(made.metadata.resourceVersion);
    expect(await two.waitForRevision(rv, 5_000)).toBe(true);
    expect(two.get(key('w'))).toEqual(made);
    await two.update(key('w'), rv, at('2', 'w'));
    // The first server's copy is behind or not; etcd decides: the old revision is refused.
    await expect(one.update(key('w'), rv, at('3', 'w'))).rejects.toThrow(RevisionMismatchError);
    await one.delete(key('w'));
    expect(await two.waitForRevision(one.revision, 5_000)).toBe(true);
    w.stop();
    expect(seen.map((e) => `${e.type}:${(e.object.data as { v: string }).v}`)).toEqual([
      'ADDED:1',
      'MODIFIED:2',
      'DELETED:2',
    ]);
    expect(seen[1]?.prevObject?.data).toEqual({ v: '1' });
  });

  it('lists a past revision from memory and answers older ones, and compacted ones, with 410', async () => {
    const s = await store({ windowSize: 3 });
    await s.create(key('p'), at('p1', 'p'));
    await s.create(key('q'), at('q1', 'q'));
    const then = s.revision;
    await s.update(key('p'), undefined, at('p2', 'p'));
    await s.delete(key('q'));
    await s.create(key('r'), at('r1', 'r'));
    const past = s.listAt('/registry/core/configmaps/ns/', then).filter((e) => /[pqr]$/.test(e.key));
    expect(past.map((e) => [e.key, e.object.data])).toEqual([
      [key('p'), { v: 'p1' }],
      [key('q'), { v: 'q1' }],
    ]);
    expect(() => s.watch('/registry/', then - 3, () => undefined)).toThrow(CompactedError);
    await s.compact(s.revision - 1);
    expect(() => s.listAt('/registry/', s.revision - 2)).toThrow(CompactedError);
    expect(s.get(key('r'))?.data).toEqual({ v: 'r1' });
  });

  it('loads what etcd holds on open (a restarted API server keeps its objects)', async () => {
    const s = await store();
    const kept = await s.create(key('kept'), at('k', 'kept'));
    const again = await store();
    expect(again.get(key('kept'))).toEqual(kept);
    expect(again.list('/registry/core/configmaps/ns/').map((e) => e.key)).toContain(key('kept'));
  });
});

describe.skipIf(etcdUnavailable() !== '')('EtcdStore on a 3-member etcd', () => {
  it('keeps acknowledging writes (again within 5 s), none lost, while a member is killed and comes back', async () => {
    const etcd = await EtcdCluster.start(3);
    const s = new EtcdStore({ endpoints: etcd.endpoints });
    try {
      await s.open();
      const acknowledged: string[] = [];
      const write = async (n: number): Promise<void> => {
        // A write in flight on the killed member fails; it is retried (the get first: the create may have landed).
        const deadline = Date.now() + 15_000;
        for (;;) {
          try {
            if (!s.get(key(`k${n}`))) await s.create(key(`k${n}`), at(String(n), `k${n}`));
            acknowledged.push(`k${n}`);
            return;
          } catch (e) {
            if (e instanceof KeyExistsError || Date.now() > deadline) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      };
      for (let n = 0; n < 10; n++) await write(n);
      await etcd.kill(0);
      const killed = performance.now();
      await write(10);
      // As upstream's HA drill asks: writes resume within 5 s of losing a member.
      expect(performance.now() - killed).toBeLessThan(5_000);
      for (let n = 11; n < 30; n++) await write(n);
      await etcd.restart(0);
      for (let n = 30; n < 40; n++) await write(n);
      expect(acknowledged.length).toBe(40);
      const fresh = new EtcdStore({ endpoints: etcd.endpoints.slice(0, 1) }); // the member that came back
      try {
        await fresh.open();
        for (const k of acknowledged) expect(fresh.get(key(k))?.data).toEqual({ v: k.slice(1) });
      } finally {
        await fresh.close();
      }
    } finally {
      await s.close();
      await etcd.stop();
    }
  }, 90_000);
});
