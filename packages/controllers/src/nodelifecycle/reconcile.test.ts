import type { V1Lease, V1Node, V1Pod, V1Taint, V1Toleration } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { timestamp } from '@wharf/client';
import type { NodeHealth } from './health.js';
import { reconcileNodeLifecycle, type NodeLifecycleAction } from './reconcile.js';
import { desiredTaints, evictionTime, toleratesTaint } from './taints.js';
import { DEFAULT_ZONE_RATES, ZoneLimiter, zoneRates, zoneState } from './zones.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const cfg = { ...DEFAULT_ZONE_RATES, gracePeriodMs: 50_000 };

function node(name: string, ready: 'True' | 'False' | 'Unknown', zone = 'a', taints: V1Taint[] = []): V1Node {
  return {
    metadata: { name, resourceVersion: '1', labels: { 'topology.kubernetes.io/zone': zone } },
    spec: { taints },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason: 'KubeletReady',
          lastHeartbeatTime: timestamp(T0 - 100_000),
          lastTransitionTime: timestamp(T0 - 100_000),
        },
        {
          type: 'MemoryPressure',
          status: 'False',
          lastHeartbeatTime: timestamp(T0 - 100_000),
          lastTransitionTime: timestamp(T0 - 100_000),
        },
      ],
    },
  };
}

function lease(name: string, renew: number): V1Lease {
  return {
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, renewTime: new Date(renew) },
  };
}

function pod(name: string, nodeName: string, opts: { tolerations?: V1Toleration[]; deleting?: boolean } = {}): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `${name}-uid`,
      ...(opts.deleting ? { deletionTimestamp: new Date(T0) } : {}),
    },
    spec: { nodeName, containers: [], ...(opts.tolerations ? { tolerations: opts.tolerations } : {}) },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

const types = (a: NodeLifecycleAction[]): string[] =>
  a.map((x) => `${x.type}:${'node' in x ? x.node.metadata?.name : x.pod.metadata?.name}`);

describe('reconcileNodeLifecycle', () => {
  it('gives a node a full grace period from when it was first seen, then marks it Unknown and taints it', () => {
    const nodes = [node('n1', 'True'), node('n2', 'True', 'b')];
    const leases = new Map([
      ['n1', lease('n1', T0 - 60_000)],
      ['n2', lease('n2', T0)],
    ]);
    const first = reconcileNodeLifecycle({ nodes, leases, pods: [], health: new Map(), now: T0 }, cfg);
    expect(first.actions).toEqual([]);

    // n2 keeps renewing; n1 is silent for more than 50 s of our clock.
    const leases2 = new Map([
      ['n1', lease('n1', T0 - 60_000)],
      ['n2', lease('n2', T0 + 50_000)],
    ]);
    const plan = reconcileNodeLifecycle(
      { nodes, leases: leases2, pods: [], health: first.health, now: T0 + 50_001 },
      cfg,
    );
    expect(types(plan.actions)).toEqual(['conditions:n1', 'taints:n1']);
    const cond = plan.actions[0];
    expect(cond?.type === 'conditions' && cond.conditions).toEqual([
      expect.objectContaining({
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: timestamp(T0 - 100_000),
      }),
      expect.objectContaining({ type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown' }),
    ]);
    const taints = plan.actions[1];
    expect(taints).toMatchObject({
      type: 'taints',
      newNoExecute: true,
      rate: 0.1,
      zone: ':a',
      taints: [
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(T0 + 50_001) },
      ],
    });
  });

  it('taints a NotReady node not-ready, swaps to unreachable without a new eviction, and untaints on recovery', () => {
    const health = new Map<string, NodeHealth>();
    const p1 = reconcileNodeLifecycle(
      { nodes: [node('n1', 'False'), node('n2', 'True')], leases: new Map(), pods: [], health, now: T0 },
      cfg,
    );
    expect(p1.actions[0]).toMatchObject({
      type: 'taints',
      taints: [
        { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      ],
    });
    const tainted = [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: timestamp(T0) },
      { key: 'custom', effect: 'NoSchedule' },
    ];
    const p2 = reconcileNodeLifecycle(
      {
        nodes: [node('n1', 'Unknown', 'a', tainted), node('n2', 'True')],
        leases: new Map(),
        pods: [],
        health,
        now: T0,
      },
      cfg,
    );
    expect(p2.actions[0]).toMatchObject({
      type: 'taints',
      newNoExecute: false,
      taints: [
        { key: 'custom' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      ],
    });
    const p3 = reconcileNodeLifecycle(
      { nodes: [node('n1', 'True', 'a', tainted), node('n2', 'True')], leases: new Map(), pods: [], health, now: T0 },
      cfg,
    );
    expect(p3.actions).toEqual([
      expect.objectContaining({ type: 'taints', taints: [{ key: 'custom', effect: 'NoSchedule' }] }),
    ]);
  });

  it('evicts untolerating pods at once, tolerating ones after tolerationSeconds, marks pods not ready, and never force-deletes terminating ones (they may still run)', () => {
    const taints = [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(T0) },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
    ];
    const n1 = node('n1', 'Unknown', 'a', taints);
    const pods = [
      pod('plain', 'n1'),
      pod('tolerates-5s', 'n1', {
        tolerations: [
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
        ],
      }),
      pod('forever', 'n1', { tolerations: [{ operator: 'Exists' }] }),
      pod('gone', 'n1', { deleting: true }),
      pod('elsewhere', 'n2'),
    ];
    const plan = reconcileNodeLifecycle(
      { nodes: [n1, node('n2', 'True')], leases: new Map(), pods, health: new Map(), now: T0 + 1_000 },
      cfg,
    );
    expect(types(plan.actions).sort()).toEqual([
      'evict:plain',
      'podNotReady:forever',
      'podNotReady:gone',
      'podNotReady:plain',
      'podNotReady:tolerates-5s',
    ]);
    // Long after: the terminating pod is still only marked not ready; PodGC or its node decides.
    const much = reconcileNodeLifecycle(
      {
        nodes: [n1, node('n2', 'True')],
        leases: new Map(),
        pods: [pod('gone', 'n1', { deleting: true })],
        health: new Map(),
        now: T0 + 3_600_000,
      },
      cfg,
    );
    expect(types(much.actions)).toEqual(['podNotReady:gone']);
    expect(plan.nextEvictionAt).toBe(T0 + 5_000);
    const later = reconcileNodeLifecycle(
      {
        nodes: [n1, node('n2', 'True')],
        leases: new Map(),
        pods: pods.slice(1, 3),
        health: new Map(),
        now: T0 + 5_000,
      },
      cfg,
    );
    expect(types(later.actions).filter((t) => t.startsWith('evict'))).toEqual(['evict:tolerates-5s']);
  });

  it('stops evicting and lifts NoExecute taints when every node is down', () => {
    const taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: timestamp(T0) }];
    const nodes = [node('n1', 'Unknown', 'a', taints), node('n2', 'Unknown', 'b', taints)];
    const plan = reconcileNodeLifecycle(
      { nodes, leases: new Map(), pods: [pod('p', 'n1')], health: new Map(), now: T0 },
      cfg,
    );
    expect(plan.actions.some((a) => a.type === 'evict')).toBe(false);
    expect(plan.actions.filter((a) => a.type === 'taints').map((a) => a.type === 'taints' && a.taints)).toEqual([
      [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }],
      [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }],
    ]);
  });
});

describe('taints and tolerations', () => {
  it('matches tolerations as the scheduler does', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoExecute' };
    expect(toleratesTaint({ key: 'k', operator: 'Equal', value: 'v' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'k', value: 'x' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint)).toBe(false);
    expect(toleratesTaint({ operator: 'Exists' }, taint)).toBe(true);
    expect(
      evictionTime(
        pod('p', 'n', {
          tolerations: [
            { operator: 'Exists', tolerationSeconds: 30 },
            { key: 'k', operator: 'Exists', tolerationSeconds: 10 },
          ],
        }),
        [{ ...taint, timeAdded: timestamp(T0) }],
        T0 + 1,
      ),
    ).toBe(T0 + 10_000);
    expect(desiredTaints([], 'True', true, T0)).toEqual([]);
  });
});

describe('zones', () => {
  it('computes disruption states and rates as the real controller', () => {
    expect(zoneState(0, 2, 0.55)).toBe('FullDisruption');
    expect(zoneState(2, 3, 0.55)).toBe('PartialDisruption');
    expect(zoneState(1, 2, 0.55)).toBe('Normal');
    const rates = zoneRates(
      new Map([
        ['a', [0, 1] as const],
        ['b', [2, 3] as const],
        ['c', [3, 0] as const],
      ]),
      DEFAULT_ZONE_RATES,
    );
    expect(Object.fromEntries(rates)).toEqual({ a: 0.1, b: 0, c: 0.1 });
    expect(
      Object.fromEntries(
        zoneRates(
          new Map([
            ['a', [0, 1] as const],
            ['b', [0, 2] as const],
          ]),
          DEFAULT_ZONE_RATES,
        ),
      ),
    ).toEqual({ a: 0, b: 0 });
  });

  it('limits new taints per zone on the given clock', () => {
    const l = new ZoneLimiter();
    expect(l.tryTake('a', 0.1, T0)).toBe(true);
    expect(l.tryTake('a', 0.1, T0 + 9_999)).toBe(false);
    expect(l.tryTake('b', 0.1, T0 + 1)).toBe(true);
    expect(l.tryTake('a', 0.1, T0 + 10_000)).toBe(true);
    expect(l.tryTake('a', 0, T0 + 100_000)).toBe(false);
  });
});
