import { describe, expect, it } from 'vitest';
import { failedChecks, findings } from './cluster.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe("the Cluster page's health, by `wharf cluster validate`'s rules", () => {
  it('names what is wrong, failures before warnings', () => {
    const out = findings(
      {
        readyz: failedChecks('[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed'),
        nodes: [
          {
            metadata: { name: 'node-0' },
            spec: { unschedulable: true },
            status: { conditions: [{ type: 'Ready', status: 'True' }] },
          },
          {
            metadata: { name: 'node-1' },
            status: {
              conditions: [
                { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' },
                { type: 'DiskPressure', status: 'True' },
              ],
            },
          },
        ],
        pods: [
          {
            metadata: { name: 'dns', namespace: 'kube-system' },
            status: {
              phase: 'Running',
              conditions: [{ type: 'Ready', status: 'False' }],
              containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }],
            },
          },
          { metadata: { name: 'web', namespace: 'default' }, status: { phase: 'Pending' } },
        ],
        leases: [
          {
            metadata: { name: 'wharf-controller-manager' },
            spec: { holderIdentity: 'a', renewTime: new Date(NOW - 5000).toISOString(), leaseDurationSeconds: 15 },
          },
          {
            metadata: { name: 'wharf-scheduler' },
            spec: { holderIdentity: 'b', renewTime: new Date(NOW - 60_000).toISOString(), leaseDurationSeconds: 15 },
          },
        ],
      },
      NOW,
    );
    expect(out.map((f) => `${f.severity} ${f.kind} ${f.name}: ${f.message}`)).toEqual([
      'failure API readyz: [-]etcd failed: reason withheld',
      'failure Node node-1: not Ready (NodeStatusUnknown)',
      'failure Node node-1: DiskPressure',
      'failure Pod kube-system/dns: system pod not Ready (CrashLoopBackOff)',
      'failure Component wharf-scheduler: leader b last renewed 60 s ago',
      'warning Node node-0: cordoned (unschedulable)',
    ]);
  });
});
