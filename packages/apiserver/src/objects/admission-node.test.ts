import { describe, expect, it } from 'vitest';
import { ResourceRegistry, type Served } from '../registry.js';
import { SqliteStore } from '../storage/index.js';
import { ObjectApi } from './api.js';
import { nodeRestrictionAdmission } from './admission-node.js';
import type { OpContext } from './context.js';

function setup() {
  const registry = new ResourceRegistry();
  const api = new ObjectApi({
    store: new SqliteStore({ path: ':memory:' }),
    registry,
    admission: [nodeRestrictionAdmission()],
  });
  const as = (name: string, groups: string[]): OpContext => ({
    user: { name, groups },
    dryRun: false,
    fieldValidation: 'Ignore',
    warnings: [],
  });
  const node0 = as('system:node:node-0', ['system:nodes', 'system:authenticated']);
  const nodes = registry.lookup('', 'v1', 'nodes') as Served;
  const leases = registry.lookup('coordination.k8s.io', 'v1', 'leases') as Served;
  return { api, node0, admin: as('wharf-admin', ['system:masters']), nodes, leases };
}

describe('NodeRestriction admission', () => {
  it('lets a node register only itself', async () => {
    const { api, node0, admin, nodes } = setup();
    expect((await api.create(nodes, '', { metadata: { name: 'node-0' } }, node0)).metadata.name).toBe('node-0');
    await expect(api.create(nodes, '', { metadata: { name: 'node-1' } }, node0)).rejects.toThrow(
      /node "node-0" is not allowed to create a Node object named "node-1"/,
    );
    expect((await api.create(nodes, '', { metadata: { name: 'node-1' } }, admin)).metadata.name).toBe('node-1');
  });

  it('lets a node create only its own lease, in kube-node-lease', async () => {
    const { api, node0, leases } = setup();
    expect(
      (await api.create(leases, 'kube-node-lease', { metadata: { name: 'node-0' }, spec: {} }, node0)).metadata.name,
    ).toBe('node-0');
    await expect(
      api.create(leases, 'kube-node-lease', { metadata: { name: 'node-1' }, spec: {} }, node0),
    ).rejects.toThrow(/may only create its own lease in kube-node-lease/);
    await expect(api.create(leases, 'default', { metadata: { name: 'node-0' }, spec: {} }, node0)).rejects.toThrow(
      /may only create its own lease/,
    );
  });
});
