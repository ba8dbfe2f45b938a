import type { V1Node, V1PersistentVolumeClaim, V1Pod, V1StorageClass } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { claimsAwaitingNode, type VolumeLookup } from './filters.js';
import { nodeInfo } from './node-info.js';
import { schedulePod } from './schedule.js';

const node = (name: string): V1Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod: V1Pod = {
  metadata: { name: 'db-0', namespace: 'shop' },
  spec: {
    containers: [{ name: 'c', image: 'x' }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
  },
};
const claim = (storage: string, annotations: Record<string, string> = {}): V1PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'shop', annotations },
  spec: { storageClassName: 'local-path', accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
});
const sc: V1StorageClass = {
  metadata: { name: 'local-path' },
  provisioner: 'wharf.dev/local-path',
  volumeBindingMode: 'WaitForFirstConsumer',
};
const lookup = (c: V1PersistentVolumeClaim, free: Record<string, number>): VolumeLookup => ({
  claim: () => c,
  volume: () => undefined,
  storageClass: () => sc,
  staticVolume: () => false,
  capacity: (n) => free[n.metadata?.name ?? ''],
});
const nodes = [nodeInfo(node('node-0'), []), nodeInfo(node('node-1'), [])];
const Gi = 1024 ** 3;

describe('volume binding for WaitForFirstConsumer claims', () => {
  it('places the pod only where the provisioner has room for the claim', () => {
    const r = schedulePod(pod, nodes, () => 0, lookup(claim('5Gi'), { 'node-0': 1 * Gi, 'node-1': 50 * Gi }));
    expect(r).toEqual(expect.objectContaining({ node: 'node-1' }));
  });

  it('reports no free storage when no node has room', () => {
    const r = schedulePod(pod, nodes, () => 0, lookup(claim('100Gi'), { 'node-0': 1 * Gi, 'node-1': 2 * Gi }));
    expect('message' in r ? r.message : '').toContain('2 node(s) did not have enough free storage');
  });

  it('keeps a pod on the node its claim was selected for', () => {
    const r = schedulePod(
      pod,
      nodes,
      () => 0,
      lookup(claim('1Gi', { 'volume.kubernetes.io/selected-node': 'node-0' }), {
        'node-0': 50 * Gi,
        'node-1': 50 * Gi,
      }),
    );
    expect(r).toEqual(expect.objectContaining({ node: 'node-0' }));
  });

  it("names the claims that wait for the pod's node, and not those already placed", () => {
    expect(claimsAwaitingNode(pod, lookup(claim('1Gi'), {})).map((c) => c.metadata?.name)).toEqual(['data']);
    expect(
      claimsAwaitingNode(pod, lookup(claim('1Gi', { 'volume.kubernetes.io/selected-node': 'node-0' }), {})),
    ).toEqual([]);
  });
});
