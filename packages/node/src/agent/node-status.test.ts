import { describe, expect, it } from 'vitest';
import { KUBELET_VERSION, kubeletVersionFor, leaseRetryMs, nodeStatus, type NodeFacts } from './node-status.js';

const facts: NodeFacts = {
  cpus: 2,
  memoryBytes: 4 << 30,
  memoryAvailableBytes: 2 << 30,
  diskBytes: 100 << 30,
  diskAvailableBytes: 50 << 30,
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.1.0',
  arch: 'amd64',
  containerRuntimeVersion: 'runc://1.1.12',
  hostname: 'h',
  bootID: 'b',
  machineID: 'm',
};

describe('nodeStatus', () => {
  it('reports the Kubernetes version the agent runs for as nodeInfo.kubeletVersion', () => {
    expect(kubeletVersionFor('1.33.5')).toBe('v1.33.5-wharf');
    expect(KUBELET_VERSION).toBe('v1.32.0-wharf');
    const status = nodeStatus({
      nodeName: 'n',
      facts,
      logsPort: 1,
      internalIP: '10.1.254.1',
      now: '2026-01-01T00:00:00Z',
      kubeletVersion: kubeletVersionFor('1.31.13'),
    });
    expect(status.nodeInfo).toMatchObject({
      kubeletVersion: 'v1.31.13-wharf',
      containerRuntimeVersion: 'runc://1.1.12',
      architecture: 'amd64',
    });
    expect(status.addresses).toEqual([
      { type: 'InternalIP', address: '10.1.254.1' },
      { type: 'Hostname', address: 'n' },
    ]);
  });
});

describe('leaseRetryMs', () => {
  it("backs off as the kubelet's lease controller: 200 ms, doubling, at most 7 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map(leaseRetryMs)).toEqual([200, 400, 800, 1600, 3200, 6400, 7000, 7000, 7000]);
  });
});
