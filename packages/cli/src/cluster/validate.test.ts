import { describe, expect, it } from 'vitest';
import type { V1Lease, V1Node, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { durationSeconds } from '../kube/options.js';
import { judge, judgeMembers, type ClusterSnapshot } from './validate.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const node = (name: string, ready: string, extra: Partial<V1Node> = {}): V1Node => ({
  metadata: { name },
  status: {
    conditions: [
      { type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'NodeStatusUnknown' },
      { type: 'MemoryPressure', status: 'False' },
    ],
  },
  ...extra,
});
const pod = (ns: string, name: string, ready: boolean, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { namespace: ns, name, labels },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: ready
      ? []
      : [
          {
            name: 'c',
            image: 'i',
            imageID: '',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          },
        ],
  },
});
const lease = (holder: string, renewedAgoS: number): V1Lease => ({
  metadata: { namespace: 'kube-system', name: 'wharf-controller-manager' },
  spec: { holderIdentity: holder, leaseDurationSeconds: 15, renewTime: new Date(NOW - renewedAgoS * 1000) },
});
const healthy: ClusterSnapshot = {
  readyz: [],
  nodes: [node('node-0', 'True')],
  pods: [pod('wharf-monitoring', 'prometheus-0', true), pod('default', 'app', false)],
  leases: [lease('me', 3)],
  pdbs: [],
};

describe('judge', () => {
  it('finds nothing wrong with a healthy cluster; an unready user pod is not its business', () => {
    expect(judge(healthy, NOW)).toEqual([]);
  });

  it('names every failure: readyz, unready and pressured nodes, unready system pods, a stale or empty lease', () => {
    const findings = judge(
      {
        ...healthy,
        readyz: ['[-]etcd failed: reason withheld'],
        nodes: [
          node('node-0', 'True', { spec: { unschedulable: true } }),
          node('node-1', 'Unknown'),
          {
            metadata: { name: 'node-2' },
            status: {
              conditions: [
                { type: 'Ready', status: 'True' },
                { type: 'DiskPressure', status: 'True', message: 'disk 95% full' },
              ],
            },
          },
        ],
        pods: [pod('kube-system', 'dns', false), pod('wharf-monitoring', 'done', false)],
        leases: [lease('me', 60), { metadata: { namespace: 'kube-system', name: 'other' }, spec: {} }],
      },
      NOW,
    );
    expect(findings.map((f) => `${f.severity} ${f.kind} ${f.name}: ${f.message}`)).toEqual([
      'failure API readyz: [-]etcd failed: reason withheld',
      'failure Node node-1: not Ready (NodeStatusUnknown)',
      'failure Node node-2: DiskPressure: disk 95% full',
      'failure Pod kube-system/dns: system pod not Ready (CrashLoopBackOff)',
      'failure Pod wharf-monitoring/done: system pod not Ready (CrashLoopBackOff)',
      'failure Component kube-system/wharf-controller-manager: leader me last renewed 60 s ago',
      'failure Component kube-system/other: no leader holds the lease',
      'warning Node node-0: cordoned (unschedulable)',
    ]);
    expect(judge({ ...healthy, nodes: [] }, NOW).map((f) => f.message)).toEqual(['the cluster has no nodes']);
  });

  it('names the running pods a PodDisruptionBudget keeps from being evicted, as warnings', () => {
    const pdb = (allowed: number): V1PodDisruptionBudget => ({
      metadata: { namespace: 'default', name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } } },
      status: { disruptionsAllowed: allowed, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 },
    });
    const pods = [
      pod('default', 'web-1', true, { app: 'web' }),
      pod('default', 'web-2', true, { app: 'web' }),
      pod('default', 'other', true, { app: 'x' }),
      pod('team', 'web-3', true, { app: 'web' }),
    ];
    expect(
      judge({ ...healthy, pods, pdbs: [pdb(0)] }, NOW).map((f) => `${f.severity} ${f.name}: ${f.message}`),
    ).toEqual([
      'warning default/web-1: cannot be evicted now: PodDisruptionBudget web allows 0 disruptions',
      'warning default/web-2: cannot be evicted now: PodDisruptionBudget web allows 0 disruptions',
    ]);
    expect(judge({ ...healthy, pods, pdbs: [pdb(1)] }, NOW)).toEqual([]);
  });
});

describe('durationSeconds', () => {
  it('reads s, m, h, d and bare seconds, and refuses the rest naming the flag', () => {
    expect(['90s', '30m', '24h', '7d', '0', '45'].map((t) => durationSeconds('--wait', t))).toEqual([
      90, 1800, 86400, 604800, 0, 45,
    ]);
    expect(() => durationSeconds('--wait', '5 minutes')).toThrow(
      '--wait 5 minutes: give a duration such as 90s, 30m, 24h or 7d',
    );
  });
});

describe('judgeMembers', () => {
  it('names each member of a control plane of three that does not answer healthy', () => {
    const up = (name: string, url: string) => ({ name, url, healthy: true });
    expect(
      judgeMembers([up('apiserver-0', 'https://127.0.0.1:1')], [up('etcd wharf-0', 'http://127.0.0.1:2')]),
    ).toEqual([]);
    expect(
      judgeMembers(
        [up('apiserver-0', 'https://127.0.0.1:1'), { name: 'apiserver-1', url: 'https://127.0.0.1:3', healthy: false }],
        [{ name: 'etcd wharf-2', url: 'http://127.0.0.1:4', healthy: false }],
      ).map((f) => `${f.severity} ${f.kind} ${f.name}: ${f.message}`),
    ).toEqual([
      'failure APIServer apiserver-1: not answering /readyz at https://127.0.0.1:3',
      'failure Etcd etcd wharf-2: not healthy at http://127.0.0.1:4',
    ]);
  });
});
