// PodTopologySpread against the examples of the Kubernetes documentation ("Pod Topology Spread
// Constraints") and kube-scheduler's podtopologyspread semantics.
import type { V1Node, V1Pod, V1Taint, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nodeInfo, type NodeInfo } from './node-info.js';
import { filterNode, schedulePod } from './schedule.js';
import {
  ERR_CONSTRAINTS_NOT_MATCH,
  ERR_NODE_LABEL_NOT_MATCH,
  podTopologySpread,
  topologySpreadScores,
} from './topology-spread.js';

const UNREACHABLE: V1Taint[] = [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
];

function node(name: string, zone: string | undefined, taints: V1Taint[] = []): V1Node {
  return {
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}) },
    },
    spec: { taints },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } },
  };
}

function pod(
  name: string,
  labels: Record<string, string> = { foo: 'bar' },
  spec: Partial<V1Pod['spec']> = {},
  opts: { terminating?: boolean; namespace?: string } = {},
): V1Pod {
  return {
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      labels,
      ...(opts.terminating ? { deletionTimestamp: new Date() } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
  };
}

const zone = (extra: Partial<V1TopologySpreadConstraint> = {}): V1TopologySpreadConstraint => ({
  maxSkew: 1,
  topologyKey: 'topology.kubernetes.io/zone',
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { foo: 'bar' } },
  ...extra,
});
const host = (extra: Partial<V1TopologySpreadConstraint> = {}): V1TopologySpreadConstraint => ({
  ...zone(extra),
  topologyKey: 'kubernetes.io/hostname',
  ...extra,
});

function cluster(nodes: V1Node[], placed: Record<string, V1Pod[]>): NodeInfo[] {
  return nodes.map((n) => nodeInfo(n, placed[n.metadata?.name ?? ''] ?? []));
}

/** The nodes the filters (all of them, in order) let the pod onto. */
function passing(incoming: V1Pod, all: NodeInfo[]): string[] {
  return all.filter((n) => filterNode(incoming, n, all).reasons.length === 0).map((n) => n.node.metadata?.name ?? '');
}

/** The documentation's four nodes: zoneA node1 node2, zoneB node3 node4, pods on node1, node2, node3. */
const docCluster = (): NodeInfo[] =>
  cluster([node('node1', 'zoneA'), node('node2', 'zoneA'), node('node3', 'zoneB'), node('node4', 'zoneB')], {
    node1: [pod('p1')],
    node2: [pod('p2')],
    node3: [pod('p3')],
  });

describe('PodTopologySpread filter, the documentation examples', () => {
  it('one constraint: the incoming pod may only go to zoneB (2/1 → 2/2, not 3/1)', () => {
    expect(passing(pod('mypod', { foo: 'bar' }, { topologySpreadConstraints: [zone()] }), docCluster())).toEqual([
      'node3',
      'node4',
    ]);
  });

  it('two constraints: zone and hostname leave only node4', () => {
    expect(
      passing(pod('mypod', { foo: 'bar' }, { topologySpreadConstraints: [zone(), host()] }), docCluster()),
    ).toEqual(['node4']);
  });

  it("conflicting constraints leave the pod Pending with the scheduler's message", () => {
    // zoneA: node1 (p), node2 (p p); zoneB: node3 (p p). The zone constraint allows only zoneB,
    // the hostname constraint forbids node3 (2 + 1 - 1 > 1).
    const all = cluster([node('node1', 'zoneA'), node('node2', 'zoneA'), node('node3', 'zoneB')], {
      node1: [pod('a')],
      node2: [pod('b'), pod('c')],
      node3: [pod('d'), pod('e')],
    });
    const incoming = pod('mypod', { foo: 'bar' }, { topologySpreadConstraints: [zone(), host()] });
    expect(passing(incoming, all)).toEqual([]);
    expect(schedulePod(incoming, all)).toEqual({
      message: `0/3 nodes are available: 3 ${ERR_CONSTRAINTS_NOT_MATCH}. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.`,
    });
  });

  it('with node affinity excluding zoneC, zoneC is left out of the domains (nodeAffinityPolicy Honor, the default)', () => {
    // zoneA 2 pods, zoneB 1, zoneC (node5) none: counted, zoneC's 0 would be the minimum.
    const all = cluster(
      [
        node('node1', 'zoneA'),
        node('node2', 'zoneA'),
        node('node3', 'zoneB'),
        node('node4', 'zoneB'),
        node('node5', 'zoneC'),
      ],
      { node1: [pod('p1')], node2: [pod('p2')], node3: [pod('p3')] },
    );
    const notC = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['zoneC'] }] },
          ],
        },
      },
    };
    expect(passing(pod('mypod', { foo: 'bar' }, { affinity: notC, topologySpreadConstraints: [zone()] }), all)).toEqual(
      ['node3', 'node4'],
    );
    // Ignore: zoneC's 0 is the global minimum, so zoneB (1 + 1 - 0) is too skewed as well, and
    // zoneC is not allowed: Pending.
    const ignoring = pod(
      'mypod',
      { foo: 'bar' },
      { affinity: notC, topologySpreadConstraints: [zone({ nodeAffinityPolicy: 'Ignore' })] },
    );
    expect(passing(ignoring, all)).toEqual([]);
    expect(all.map((n) => podTopologySpread(ignoring, n, all).reasons.length === 0)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
  });
});

describe('PodTopologySpread filter, a dead zone (the 1/1/0 case)', () => {
  // Zones a and b run one replica each; zone c's node is unreachable and its replica Terminating.
  const dead = (): NodeInfo[] =>
    cluster([node('n-a', 'a'), node('n-b', 'b'), node('n-c', 'c', UNREACHABLE)], {
      'n-a': [pod('r1')],
      'n-b': [pod('r2')],
      'n-c': [pod('r3', { foo: 'bar' }, {}, { terminating: true })],
    });

  it('skips terminating pods, so zone c counts 0', () => {
    // Were the terminating pod counted (1/1/1), zones a and b would both pass.
    const all = cluster([node('n-a', 'a'), node('n-b', 'b'), node('n-c', 'c')], {
      'n-a': [pod('r1')],
      'n-b': [pod('r2')],
      'n-c': [pod('r3', { foo: 'bar' }, {}, { terminating: true })],
    });
    expect(passing(pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone()] }), all)).toEqual(['n-c']);
  });

  it("nodeTaintsPolicy Ignore (the default): the replacement stays Pending with upstream's message", () => {
    const incoming = pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone()] });
    expect(passing(incoming, dead())).toEqual([]);
    expect(schedulePod(incoming, dead())).toEqual({
      message: `0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 ${ERR_CONSTRAINTS_NOT_MATCH}. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.`,
    });
  });

  it('nodeTaintsPolicy Honor: the tainted node leaves the domains and the replacement runs in a or b', () => {
    const incoming = pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone({ nodeTaintsPolicy: 'Honor' })] });
    expect(passing(incoming, dead())).toEqual(['n-a', 'n-b']);
    expect(['n-a', 'n-b']).toContain((schedulePod(incoming, dead()) as { node: string }).node);
    // A pod tolerating the taint keeps the node among its domains.
    const tolerant = pod(
      'new',
      { foo: 'bar' },
      {
        tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }],
        topologySpreadConstraints: [zone({ nodeTaintsPolicy: 'Honor' })],
      },
    );
    expect(passing(tolerant, dead())).toEqual(['n-c']);
  });
});

describe('PodTopologySpread filter, minDomains', () => {
  // Two zones, one matching pod each.
  const two = (): NodeInfo[] =>
    cluster([node('n-a', 'a'), node('n-b', 'b')], { 'n-a': [pod('r1')], 'n-b': [pod('r2')] });

  it('treats the global minimum as 0 while fewer domains than minDomains exist', () => {
    expect(passing(pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone()] }), two())).toEqual(['n-a', 'n-b']);
    expect(
      passing(pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone({ minDomains: 3 })] }), two()),
    ).toEqual([]);
    expect(
      passing(pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone({ minDomains: 2 })] }), two()),
    ).toEqual(['n-a', 'n-b']);
    // maxSkew 2 tolerates 1 + 1 - 0.
    expect(
      passing(pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone({ minDomains: 3, maxSkew: 2 })] }), two()),
    ).toEqual(['n-a', 'n-b']);
  });

  it('counts a third zone with no pods as a domain', () => {
    const three = cluster([node('n-a', 'a'), node('n-b', 'b'), node('n-c', 'c')], {
      'n-a': [pod('r1')],
      'n-b': [pod('r2')],
    });
    expect(
      passing(pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone({ minDomains: 3 })] }), three),
    ).toEqual(['n-c']);
  });
});

describe('PodTopologySpread filter, selectors and labels', () => {
  it('ANDs matchLabelKeys values of the incoming pod into the selector', () => {
    // Old revision's pods (pod-template-hash=old) do not count against the new revision.
    const all = cluster([node('n-a', 'a'), node('n-b', 'b')], {
      'n-a': [
        pod('old1', { foo: 'bar', 'pod-template-hash': 'old' }),
        pod('old2', { foo: 'bar', 'pod-template-hash': 'old' }),
      ],
      'n-b': [pod('new1', { foo: 'bar', 'pod-template-hash': 'new' })],
    });
    const withKeys = pod(
      'new2',
      { foo: 'bar', 'pod-template-hash': 'new' },
      { topologySpreadConstraints: [zone({ matchLabelKeys: ['pod-template-hash'] })] },
    );
    expect(passing(withKeys, all)).toEqual(['n-a']);
    const without = pod('new2', { foo: 'bar', 'pod-template-hash': 'new' }, { topologySpreadConstraints: [zone()] });
    expect(passing(without, all)).toEqual(['n-b']);
  });

  it("counts only the pod's namespace", () => {
    const all = cluster([node('n-a', 'a'), node('n-b', 'b')], {
      'n-a': [
        pod('x', { foo: 'bar' }, {}, { namespace: 'other' }),
        pod('y', { foo: 'bar' }, {}, { namespace: 'other' }),
      ],
    });
    expect(passing(pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone()] }), all)).toEqual(['n-a', 'n-b']);
  });

  it('rejects a node without the topology key as unresolvable, and leaves it out of the domains', () => {
    const all = cluster([node('n-a', 'a'), node('bare', undefined)], { 'n-a': [pod('r1')] });
    const incoming = pod('new', { foo: 'bar' }, { topologySpreadConstraints: [zone()] });
    expect(podTopologySpread(incoming, all[1] as NodeInfo, all)).toEqual({
      reasons: [ERR_NODE_LABEL_NOT_MATCH],
      unresolvable: true,
    });
    // Were 'bare' a domain with 0 pods, n-a (1 + 1 - 0) would fail too.
    expect(schedulePod(incoming, all)).toEqual({ node: 'n-a' });
    const onlyBare = cluster([node('bare', undefined)], {});
    expect(schedulePod(incoming, onlyBare)).toEqual({
      message: `0/1 nodes are available: 1 ${ERR_NODE_LABEL_NOT_MATCH}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`,
    });
  });
});

describe('PodTopologySpread score', () => {
  it('prefers the zone with fewer matching pods, skipping terminating ones (ScheduleAnyway)', () => {
    const all = cluster([node('n-a', 'a'), node('n-b', 'b'), node('n-c', 'c')], {
      'n-a': [pod('r1'), pod('r2')],
      'n-b': [
        pod('r3'),
        pod('t1', { foo: 'bar' }, {}, { terminating: true }),
        pod('t2', { foo: 'bar' }, {}, { terminating: true }),
      ],
      'n-c': [pod('r4'), pod('r5'), pod('r6')],
    });
    const incoming = pod(
      'new',
      { foo: 'bar' },
      { topologySpreadConstraints: [zone({ whenUnsatisfiable: 'ScheduleAnyway' })] },
    );
    const scores = topologySpreadScores(incoming, all, all);
    // Raw: count × ln(3 + 2) + (maxSkew − 1), rounded: 2 → 3, 1 → 2, 3 → 5; normalised
    // 100 × (max + min − s) / max.
    expect(scores).toEqual([80, 100, 40]);
  });

  it('gives nodes without the topology key 0 (they are ignored)', () => {
    const all = cluster([node('n-a', 'a'), node('bare', undefined)], { 'n-a': [pod('r1')] });
    const incoming = pod(
      'new',
      { foo: 'bar' },
      { topologySpreadConstraints: [zone({ whenUnsatisfiable: 'ScheduleAnyway' })] },
    );
    expect(topologySpreadScores(incoming, all, all)).toEqual([100, 0]);
  });
});
