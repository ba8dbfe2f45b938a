import { describe, expect, it } from 'vitest';
import { ResourceRegistry, type Served } from '../registry.js';
import { SqliteStore } from '../storage/index.js';
import { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { deleteObject } from './delete.js';

async function setup(now: Date) {
  const registry = new ResourceRegistry();
  const api = new ObjectApi({
    store: new SqliteStore({ path: ':memory:' }),
    registry,
    admission: [],
    clock: () => now,
  });
  const served = (g: string, r: string): Served => registry.lookup(g, g ? 'v1' : 'v1', r) as Served;
  await api.create(served('', 'namespaces'), '', { metadata: { name: 'default' } }, internalContext());
  await api.create(served('', 'namespaces'), '', { metadata: { name: 'kube-node-lease' } }, internalContext());
  const pod = (name: string, nodeName: string) =>
    api.create(
      served('', 'pods'),
      'default',
      {
        metadata: { name },
        spec: { nodeName, terminationGracePeriodSeconds: 20, containers: [{ name: 'c', image: 'busybox' }] },
      },
      internalContext(),
    );
  return { api, served, pod };
}

describe('pod deletion', () => {
  const now = new Date('2026-11-25T12:00:00Z');

  it('is graceful on a node whose agent renewed its lease, and completes with gracePeriodSeconds 0', async () => {
    const { api, served, pod } = await setup(now);
    await api.create(
      served('coordination.k8s.io', 'leases'),
      'kube-node-lease',
      { metadata: { name: 'n1' }, spec: { holderIdentity: 'n1', renewTime: '2026-11-25T11:59:50.000000Z' } },
      internalContext(),
    );
    await pod('p', 'n1');
    const first = await deleteObject(api, served('', 'pods'), 'default', 'p', {}, internalContext());
    expect(first.deleted).toBe(false);
    expect(first.object.metadata.deletionTimestamp).toBeDefined();
    expect(first.object.metadata.deletionGracePeriodSeconds).toBe(20);
    expect(
      (await deleteObject(api, served('', 'pods'), 'default', 'p', { gracePeriodSeconds: 0 }, internalContext()))
        .deleted,
    ).toBe(true);
    expect(api.tryGet(served('', 'pods'), 'default', 'p')).toBeUndefined();
  });

  it('stays Terminating on a node whose agent is silent or gone, until a delete with gracePeriodSeconds 0', async () => {
    const { api, served, pod } = await setup(now);
    await api.create(
      served('coordination.k8s.io', 'leases'),
      'kube-node-lease',
      { metadata: { name: 'stale' }, spec: { holderIdentity: 'stale', renewTime: '2026-11-25T11:50:00.000000Z' } },
      internalContext(),
    );
    await pod('a', 'stale');
    await pod('b', 'no-lease');
    for (const name of ['a', 'b']) {
      const r = await deleteObject(api, served('', 'pods'), 'default', name, {}, internalContext());
      expect(r.deleted).toBe(false);
      expect(r.object.metadata.deletionTimestamp).toBeDefined();
      expect(r.object.metadata.deletionGracePeriodSeconds).toBe(20);
      // Deleting again (a second eviction, a controller) changes nothing.
      expect((await deleteObject(api, served('', 'pods'), 'default', name, {}, internalContext())).deleted).toBe(false);
    }
    expect(
      (await deleteObject(api, served('', 'pods'), 'default', 'a', { gracePeriodSeconds: 0 }, internalContext()))
        .deleted,
    ).toBe(true);
    expect(api.tryGet(served('', 'pods'), 'default', 'a')).toBeUndefined();
    expect(api.tryGet(served('', 'pods'), 'default', 'b')?.metadata.deletionTimestamp).toBeDefined();
  });

  it('is immediate for unbound and finished pods', async () => {
    const { api, served, pod } = await setup(now);
    await api.create(
      served('', 'pods'),
      'default',
      { metadata: { name: 'unbound' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      internalContext(),
    );
    const done = await pod('done', 'n1');
    await api.update(
      served('', 'pods'),
      'default',
      'done',
      { ...done, status: { phase: 'Succeeded' } },
      internalContext(),
      'status',
    );
    expect((await deleteObject(api, served('', 'pods'), 'default', 'unbound', {}, internalContext())).deleted).toBe(
      true,
    );
    expect((await deleteObject(api, served('', 'pods'), 'default', 'done', {}, internalContext())).deleted).toBe(true);
  });
});
