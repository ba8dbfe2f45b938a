import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nodeInfo, type NodeInfo } from './node-info.js';
import { fitError, schedulePod } from './schedule.js';

function node(
  name: string,
  zone: string,
  extra: Partial<V1Node['spec']> = {},
  labels: Record<string, string> = {},
): V1Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, ...labels } },
    spec: { ...extra },
    status: { allocatable: { cpu: '2', memory: '4Gi', pods: '10' } },
  };
}

function pod(
  name: string,
  spec: Partial<V1Pod['spec']> = {},
  labels: Record<string, string> = {},
  owner?: string,
): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      labels,
      ...(owner
        ? {
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }],
          }
        : {}),
    },
    spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
  };
}

const cluster = (nodes: V1Node[], placed: Record<string, V1Pod[]> = {}): NodeInfo[] =>
  nodes.map((n) => nodeInfo(n, placed[n.metadata!.name!] ?? []));
const three = (): V1Node[] => [node('n0', 'a'), node('n1', 'b'), node('n2', 'c')];
const withRequests = (r: Record<string, string>, extra: Partial<V1Pod['spec']> = {}): Partial<V1Pod['spec']> => ({
  containers: [{ name: 'c', image: 'x', resources: { requests: r } }],
  ...extra,
});

describe('schedulePod filters', () => {
  it('explains insufficient memory as kube-scheduler does', () => {
    const r = schedulePod(pod('big', withRequests({ memory: '64Gi' })), cluster(three()));
    expect(r).toEqual({
      message:
        '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    });
  });

  it('counts requests of pods already on the node', () => {
    const placed = { n0: [pod('a', withRequests({ cpu: '1500m' }))], n1: [pod('b', withRequests({ cpu: '1500m' }))] };
    expect(schedulePod(pod('p', withRequests({ cpu: '1' })), cluster(three(), placed))).toEqual({ node: 'n2' });
  });

  it('honours nodeSelector and required node affinity operators', () => {
    const nodes = [node('n0', 'a', {}, { gpu: '2' }), node('n1', 'b', {}, { gpu: '8' }), node('n2', 'c')];
    expect(schedulePod(pod('p', { nodeSelector: { 'topology.kubernetes.io/zone': 'b' } }), cluster(nodes))).toEqual({
      node: 'n1',
    });
    const affinity = (operator: string, values?: string[]): Partial<V1Pod['spec']> => ({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator, ...(values ? { values } : {}) }] }],
          },
        },
      },
    });
    expect(schedulePod(pod('p', affinity('Gt', ['4'])), cluster(nodes))).toEqual({ node: 'n1' });
    expect(schedulePod(pod('p', affinity('Lt', ['4'])), cluster(nodes))).toEqual({ node: 'n0' });
    expect(schedulePod(pod('p', affinity('DoesNotExist')), cluster(nodes))).toEqual({ node: 'n2' });
    expect(schedulePod(pod('p', affinity('NotIn', ['2', '8'])), cluster(nodes))).toEqual({ node: 'n2' });
    expect(schedulePod(pod('p', affinity('In', ['9'])), cluster(nodes))).toMatchObject({
      message: expect.stringContaining("3 node(s) didn't match Pod's node affinity/selector."),
    });
  });

  it('skips unschedulable and tainted nodes unless tolerated', () => {
    const nodes = [
      node('n0', 'a', { unschedulable: true }),
      node('n1', 'b', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      node('n2', 'c', { taints: [{ key: 'x', effect: 'NoExecute' }] }),
    ];
    expect(schedulePod(pod('p'), cluster(nodes))).toEqual({
      message:
        '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) had untolerated taint {x: }, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    });
    expect(
      schedulePod(
        pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }),
        cluster(nodes),
      ),
    ).toEqual({ node: 'n1' });
    expect(schedulePod(pod('p', { tolerations: [{ operator: 'Exists' }] }), cluster(nodes))).not.toHaveProperty(
      'message',
    );
  });

  it('refuses hostPort conflicts', () => {
    const hp = (): Partial<V1Pod['spec']> => ({
      containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }],
    });
    const placed = { n0: [pod('a', hp())], n1: [pod('b', hp())] };
    expect(schedulePod(pod('p', hp()), cluster(three(), placed))).toEqual({ node: 'n2' });
  });

  it('enforces required pod anti-affinity by hostname and by zone', () => {
    const anti = (key: string): Partial<V1Pod['spec']> => ({
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: key, labelSelector: { matchLabels: { app: 'db' } } },
          ],
        },
      },
    });
    const nodes = [...three(), node('n3', 'a')];
    const placed = { n0: [pod('db0', {}, { app: 'db' })] };
    const byHost = schedulePod(pod('p', anti('kubernetes.io/hostname'), { app: 'db' }), cluster(nodes, placed));
    expect(byHost).not.toEqual({ node: 'n0' });
    for (let i = 0; i < 20; i++) {
      const r = schedulePod(pod('p', anti('topology.kubernetes.io/zone'), { app: 'db' }), cluster(nodes, placed));
      expect(['n1', 'n2']).toContain((r as { node: string }).node);
    }
    const full = {
      n0: [pod('a', {}, { app: 'db' })],
      n1: [pod('b', {}, { app: 'db' })],
      n2: [pod('c', {}, { app: 'db' })],
    };
    expect(
      schedulePod(pod('p', anti('topology.kubernetes.io/zone'), { app: 'db' }), cluster(three(), full)),
    ).toMatchObject({ message: expect.stringContaining("3 node(s) didn't match pod anti-affinity rules") });
  });
});

describe('schedulePod scores', () => {
  it('spreads pods of one owner across nodes and zones', () => {
    const nodes = [node('n0', 'a'), node('n1', 'a'), node('n2', 'b')];
    const placed = { n0: [pod('w0', {}, {}, 'rs1')] };
    for (let i = 0; i < 10; i++)
      expect(schedulePod(pod('w1', {}, {}, 'rs1'), cluster(nodes, placed))).toEqual({ node: 'n2' });
  });

  it('prefers the least allocated node', () => {
    const placed = {
      n0: [pod('a', withRequests({ cpu: '1', memory: '2Gi' }))],
      n1: [pod('b', withRequests({ cpu: '500m', memory: '1Gi' }))],
    };
    expect(schedulePod(pod('p'), cluster(three(), placed))).toEqual({ node: 'n2' });
  });

  it('follows preferred node affinity', () => {
    const spec: Partial<V1Pod['spec']> = {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 50,
              preference: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['c'] }] },
            },
          ],
        },
      },
    };
    for (let i = 0; i < 10; i++) expect(schedulePod(pod('p', spec), cluster(three()))).toEqual({ node: 'n2' });
  });
});

describe('fitError', () => {
  it('sorts the reason histogram', () => {
    expect(
      fitError(3, [
        { reasons: ['Insufficient cpu', 'Insufficient memory'], unresolvable: false },
        { reasons: ['Insufficient memory'], unresolvable: false },
        { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true },
      ]),
    ).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
  });
});

describe('VolumeBinding', () => {
  const withClaim = (claimName: string): V1Pod => ({
    metadata: { name: 'db', namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'x' }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  });
  const lookup = {
    claim: (_ns: string, name: string) =>
      name === 'bound'
        ? { spec: { volumeName: 'pv-a' }, status: { phase: 'Bound' } }
        : name === 'pending'
          ? { spec: {}, status: { phase: 'Pending' } }
          : undefined,
    volume: (name: string) =>
      name === 'pv-a'
        ? {
            spec: {
              nodeAffinity: {
                required: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] },
                  ],
                },
              },
            },
          }
        : undefined,
  };
  const nodes = cluster([
    node('n1', 'a', {}, { 'kubernetes.io/hostname': 'n1' }),
    node('n2', 'b', {}, { 'kubernetes.io/hostname': 'n2' }),
  ]);

  it('places a pod where its bound local volume lives', () => {
    expect(schedulePod(withClaim('bound'), nodes, Math.random, lookup)).toEqual({ node: 'n2' });
  });

  it('keeps pods with missing claims pending, saying why; unbound claims do not hold a pod back', () => {
    expect(schedulePod(withClaim('gone'), nodes, Math.random, lookup)).toMatchObject({
      message: expect.stringContaining('persistentvolumeclaim "gone" not found'),
    });
    expect(schedulePod(withClaim('pending'), nodes, Math.random, lookup)).toHaveProperty('node');
  });
});

describe('preferred pod affinity', () => {
  const cache: V1Pod = {
    metadata: { name: 'cache', namespace: 'default', labels: { app: 'cache' } },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  };
  const web = (kind: 'podAffinity' | 'podAntiAffinity'): V1Pod => ({
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      containers: [{ name: 'c', image: 'x' }],
      affinity: {
        [kind]: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchLabels: { app: 'cache' } },
              },
            },
          ],
        },
      },
    },
  });
  const nodes = () =>
    cluster(
      [
        node('n1', 'a', {}, { 'kubernetes.io/hostname': 'n1' }),
        node('n2', 'a', {}, { 'kubernetes.io/hostname': 'n2' }),
      ],
      { n2: [cache] },
    );

  it('prefers the node that already runs the pods it likes, and avoids the ones it dislikes', () => {
    expect(schedulePod(web('podAffinity'), nodes(), () => 0)).toEqual({ node: 'n2' });
    expect(schedulePod(web('podAntiAffinity'), nodes(), () => 0)).toEqual({ node: 'n1' });
  });
});
