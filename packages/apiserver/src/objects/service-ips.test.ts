import { describe, expect, it, vi } from 'vitest';
import type { KubeObject, StoredObject } from '@wharf/api';
import { ApiError } from '../errors.js';
import type { Served } from '../registry.js';
import { SqliteStore } from '../storage/index.js';
import { internalContext, type Operation } from './context.js';
import { serviceAllocation } from './service-ips.js';

const served = {
  info: { kind: 'Service', group: '', version: 'v1', resource: 'services', namespaced: true },
} as unknown as Served;
const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'ns' },
  spec,
});

function admit(
  store: SqliteStore,
  object: KubeObject,
  operation: Operation = 'CREATE',
  old?: StoredObject,
): KubeObject {
  serviceAllocation(store)({
    operation,
    served,
    namespace: 'ns',
    object,
    old,
    subresource: '',
    ctx: internalContext(),
  });
  return object;
}

function stored(store: SqliteStore, object: KubeObject): Promise<StoredObject> {
  const name = object.metadata?.name ?? '';
  return store.create(
    `/registry/core/services/ns/${name}`,
    (rv) =>
      ({ ...object, metadata: { name, namespace: 'ns', uid: name, resourceVersion: String(rv) } }) as StoredObject,
  );
}

describe('serviceAllocation', () => {
  it('allocates a cluster IP from 10.96.0.0/12 and node ports from 30000-32767', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const s = admit(store, svc('web', { type: 'NodePort', ports: [{ port: 80 }, { port: 443, nodePort: 30443 }] }));
    const spec = s.spec as { clusterIP: string; clusterIPs: string[]; ports: { nodePort: number }[] };
    expect(spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    expect(spec.ports[0]?.nodePort).toBeGreaterThanOrEqual(30000);
    expect(spec.ports[1]?.nodePort).toBe(30443);
    expect(admit(store, svc('headless', { clusterIP: 'None' })).spec).toEqual({
      clusterIP: 'None',
      clusterIPs: ['None'],
    });
    expect(admit(store, svc('listed', { clusterIPs: ['10.96.7.7'] })).spec).toEqual({
      clusterIP: '10.96.7.7',
      clusterIPs: ['10.96.7.7'],
    });
    expect(admit(store, svc('ext', { type: 'ExternalName', externalName: 'example.com' })).spec).not.toHaveProperty(
      'clusterIP',
    );
  });

  it('never picks, for one port, the node port another port of the same Service asks for', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    // The cluster IP takes the first random number; the first node-port pick would be 30443,
    // the port the second entry requests.
    const random = vi
      .spyOn(Math, 'random')
      .mockReturnValueOnce(0.5)
      .mockReturnValueOnce((30443 - 30000 + 0.5) / 2768);
    try {
      const s = admit(store, svc('web', { type: 'NodePort', ports: [{ port: 80 }, { port: 443, nodePort: 30443 }] }));
      const ports = (s.spec as { ports: { nodePort: number }[] }).ports.map((p) => p.nodePort);
      expect(ports[1]).toBe(30443);
      expect(ports[0]).not.toBe(30443);
    } finally {
      random.mockRestore();
    }
  });

  it('refuses an address in use or out of range, and keeps allocations on update', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const first = await stored(
      store,
      admit(store, svc('a', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080 }] })),
    );
    const err = (o: KubeObject): string => {
      try {
        admit(store, o);
        return '';
      } catch (e) {
        return e instanceof ApiError ? e.message : String(e);
      }
    };
    expect(err(svc('b', { clusterIP: '10.96.0.10' }))).toContain(
      'spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    );
    expect(err(svc('b', { clusterIP: '192.168.0.1' }))).toContain('The range of valid IPs is 10.96.0.0/12');
    expect(err(svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).toContain(
      'spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    const updated = admit(store, svc('a', { type: 'NodePort', ports: [{ port: 80 }] }), 'UPDATE', first);
    expect(updated.spec).toMatchObject({ clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080 }] });
  });
});
