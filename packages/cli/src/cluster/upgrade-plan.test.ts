import { describe, expect, it } from 'vitest';
import {
  memberOfStep,
  preflight,
  refuseStep,
  skewRefusals,
  upgradeSteps,
  versionOf,
  type Facts,
} from './upgrade-plan.js';

const NOW = Date.parse('2026-12-06T03:00:00Z');
const healthy: Facts = {
  from: '1.31.13',
  to: '1.32.9',
  agents: [{ node: 'node-0', kubeletVersion: 'v1.31.2' }],
  stored: [
    { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', key: '/registry/flowcontrol.apiserver.k8s.io/flowschemas/ok' },
  ],
  requested: [],
  pdbs: [{ namespace: 'default', name: 'web', disruptionsAllowed: 1, expectedPods: 2 }],
  nodes: [{ name: 'node-0', ready: true }],
  backup: { file: '/b/one.tar.gz', at: NOW - 5 * 60_000 },
  now: NOW,
  backupMaxAgeMs: 60 * 60_000,
};

describe('upgrade plan', () => {
  it('allows any patch and the next minor; refuses skips (naming the path), downgrades and versions outside the window', () => {
    expect(refuseStep('1.31.2', '1.31.13')).toBeUndefined();
    expect(refuseStep('1.31.13', '1.32.0')).toBeUndefined();
    expect(refuseStep('1.31.13', '1.33.5')).toBe(
      '1.31.13 -> 1.33.5 skips a minor: upgrade one minor at a time (1.31 -> 1.32 -> 1.33); next: --to 1.32',
    );
    expect(refuseStep('1.32.9', '1.31.13')).toMatch(/^1\.32\.9 -> 1\.31\.13 is a downgrade: refused/);
    expect(refuseStep('1.32.9', '1.32.1')).toMatch(/is a downgrade/);
    expect(refuseStep('1.32.9', '1.32.9')).toBe('the control plane already runs 1.32.9');
    expect(refuseStep('1.32.9', '1.34.0')).toMatch(/"1\.34\.0" is not served/);
  });

  it('refuses agents newer than the target or more than three minors older', () => {
    expect(
      skewRefusals(
        [
          { node: 'a', kubeletVersion: 'v1.32.0-wharf' },
          { node: 'b', kubeletVersion: 'v1.29.4' },
        ],
        '1.32.9',
      ),
    ).toEqual([]);
    expect(skewRefusals([{ node: 'a', kubeletVersion: 'v1.33.1' }], '1.32.9')).toEqual([
      'node a runs v1.33.1, newer than the control plane would (1.32): agents may not be newer than the API server',
    ]);
    expect(skewRefusals([{ node: 'b', kubeletVersion: 'v1.28.0' }], '1.32.0')).toEqual([
      'node b runs v1.28.0, more than 3 minors older than 1.32: upgrade its agent first',
    ]);
    expect(skewRefusals([{ node: 'c', kubeletVersion: 'dev' }], '1.32.0')[0]).toContain('not a Kubernetes version');
  });

  it('finds nothing in a healthy cluster with a fresh backup', () => {
    expect(preflight(healthy)).toEqual([]);
  });

  it('blocks on objects stored in a removed version, PDBs that allow no disruption, nodes not Ready and a missing or old backup', () => {
    const found = preflight({
      ...healthy,
      stored: [
        ...healthy.stored,
        {
          apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
          key: '/registry/flowcontrol.apiserver.k8s.io/flowschemas/legacy',
        },
      ],
      requested: [{ groupVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', count: 3, source: 'audit log' }],
      pdbs: [
        { namespace: 'default', name: 'strict', disruptionsAllowed: 0, expectedPods: 1 },
        { namespace: 'default', name: 'empty', disruptionsAllowed: 0, expectedPods: 0 },
      ],
      nodes: [{ name: 'node-0', ready: false }],
      backup: undefined,
    });
    expect(found).toEqual([
      {
        level: 'blocker',
        text: '1 object(s) stored as flowcontrol.apiserver.k8s.io/v1beta3, which 1.32 no longer serves: flowcontrol.apiserver.k8s.io/flowschemas/legacy (rewrite them as flowcontrol.apiserver.k8s.io/v1, e.g. kubectl get -o yaml | kubectl replace -f -)',
      },
      {
        level: 'risk',
        text: 'flowcontrol.apiserver.k8s.io/v1beta3 was requested 3 time(s) in the last 24 h (audit log): those clients get 404 after the upgrade; move them to flowcontrol.apiserver.k8s.io/v1',
      },
      {
        level: 'blocker',
        text: 'PodDisruptionBudget default/strict allows 0 disruptions: draining a node with its pods would wait until the drain timeout',
      },
      { level: 'blocker', text: 'node node-0 is not Ready' },
      { level: 'blocker', text: 'no backup of the cluster: run wharf cluster backup first' },
    ]);
    expect(preflight({ ...healthy, backup: { file: 'old.tar.gz', at: NOW - 3 * 3600_000 } })).toEqual([
      {
        level: 'blocker',
        text: 'the newest backup (old.tar.gz) is 180 min old, more than 60 min: run wharf cluster backup again',
      },
    ]);
  });

  it("does not look for removed APIs when the step itself is refused, and notes agents ahead of today's control plane", () => {
    const f = preflight({
      ...healthy,
      to: '1.33.5',
      stored: [{ apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', key: 'k' }],
    });
    expect(f).toEqual([{ level: 'blocker', text: expect.stringContaining('skips a minor') as string }]);
    expect(preflight({ ...healthy, agents: [{ node: 'node-0', kubeletVersion: 'v1.32.0-wharf' }] })).toEqual([
      {
        level: 'risk',
        text: "node node-0 runs v1.32.0-wharf, newer than today's control plane 1.31.13: the upgrade brings them in line",
      },
    ]);
  });

  it('lists the steps control plane first, then each node in turn', () => {
    expect(upgradeSteps(['node-0', 'node-1'])).toEqual([
      'snapshot',
      'control-plane',
      'validate-control-plane',
      'node/node-0/cordon',
      'node/node-0/drain',
      'node/node-0/agent',
      'node/node-0/uncordon',
      'node/node-0/validate',
      'node/node-1/cordon',
      'node/node-1/drain',
      'node/node-1/agent',
      'node/node-1/uncordon',
      'node/node-1/validate',
      'done',
    ]);
    expect(upgradeSteps(['node-0'], 1)).toEqual(upgradeSteps(['node-0']));
  });

  it('upgrades a control plane of three one member at a time, each validated, member 0 last, then the nodes', () => {
    const steps = upgradeSteps(['node-0'], 3);
    expect(steps.slice(0, 8)).toEqual([
      'snapshot',
      'control-plane/member-2',
      'control-plane/member-2/validate',
      'control-plane/member-1',
      'control-plane/member-1/validate',
      'control-plane/member-0',
      'control-plane/member-0/validate',
      'node/node-0/cordon',
    ]);
    expect(steps.at(-1)).toBe('done');
    expect(steps.map(memberOfStep).filter((m) => m !== undefined)).toEqual([2, 2, 1, 1, 0, 0]);
    expect(memberOfStep('control-plane')).toBeUndefined();
    expect(versionOf('v1.32.9')).toBe('1.32.9');
    expect(versionOf('v1.32.0-wharf')).toBe('1.32.0');
  });
});
