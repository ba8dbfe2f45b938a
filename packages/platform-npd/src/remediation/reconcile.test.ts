import { describe, expect, it } from 'vitest';
import { STATE_ANNOTATION, withDefaults, type NodeRemediation } from './policy.js';
import { reconcileRemediation, type NodeLike, type PodLike } from './reconcile.js';

const policy = withDefaults({
  metadata: { name: 'deadlock' },
  spec: { conditionType: 'KernelDeadlock', hook: { webhook: { url: 'http://127.0.0.1:1/reboot' } } },
});
const now = new Date('2026-12-05T10:00:00Z');

const node = (
  name: string,
  o: { deadlock?: boolean; ready?: boolean; zone?: string; state?: Partial<NodeRemediation> } = {},
): NodeLike => ({
  metadata: {
    name,
    labels: o.zone ? { 'topology.kubernetes.io/zone': o.zone } : {},
    annotations: o.state
      ? {
          [STATE_ANNOTATION]: JSON.stringify({
            policy: 'deadlock',
            step: 'Cordoned',
            since: '',
            wasUnschedulable: false,
            taintKey: policy.taint.key,
            ...o.state,
          }),
        }
      : {},
  },
  status: {
    conditions: [
      { type: 'Ready', status: o.ready === false ? 'False' : 'True' },
      { type: 'KernelDeadlock', status: o.deadlock ? 'True' : 'False' },
    ],
  },
});
const pod = (name: string, extra: Partial<PodLike['metadata']> = {}, phase = 'Running'): PodLike => ({
  metadata: { name, namespace: 'app', ...extra },
  status: { phase },
});
const run = (nodes: NodeLike[], pods: Record<string, PodLike[]> = {}, policies = [policy]) =>
  reconcileRemediation({ policies, nodes, podsByNode: new Map(Object.entries(pods)), now }).map(
    (a) =>
      `${a.type} ${a.node}${'pod' in a ? ` ${a.pod}` : ''}${a.type === 'step' ? ` ${a.state.step}` : ''}${a.type === 'defer' ? `: ${a.message}` : ''}`,
  );

describe('the remediation ladder', () => {
  it('cordons a node whose condition is set, remembering whether it was cordoned already', () => {
    const actions = reconcileRemediation({
      policies: [policy],
      nodes: [node('n1', { deadlock: true }), node('n2')],
      podsByNode: new Map(),
      now,
    });
    expect(actions).toEqual([
      {
        type: 'cordon',
        node: 'n1',
        policy,
        state: {
          policy: 'deadlock',
          step: 'Cordoned',
          since: '2026-12-05T10:00:00Z',
          wasUnschedulable: false,
          taintKey: 'platform.wharf.dev/remediation',
        },
      },
    ]);
  });

  it('evicts the pods kubectl drain would (not DaemonSet, mirror or finished pods), then records the drain', () => {
    const pods = [
      pod('web'),
      pod('ds', { ownerReferences: [{ kind: 'DaemonSet', controller: true }] }),
      pod('mirror', { annotations: { 'kubernetes.io/config.mirror': 'x' } }),
      pod('done', {}, 'Succeeded'),
    ];
    expect(run([node('n1', { deadlock: true, state: {} })], { n1: pods })).toEqual(['evict n1 web']);
    // A pod already terminating is waited for, not evicted again.
    expect(run([node('n1', { deadlock: true, state: {} })], { n1: [pod('web', { deletionTimestamp: 'x' })] })).toEqual(
      [],
    );
    expect(run([node('n1', { deadlock: true, state: {} })], { n1: pods.slice(1) })).toEqual(['step n1 Drained']);
  });

  it('runs the hook once after the drain, then waits', () => {
    expect(run([node('n1', { deadlock: true, state: { step: 'Drained' } })])).toEqual(['hook n1']);
    expect(run([node('n1', { deadlock: true, state: { step: 'HookRunning' } })])).toEqual([]);
    expect(run([node('n1', { deadlock: true, state: { step: 'HookSucceeded' } })])).toEqual([]);
    const noHook = withDefaults({ metadata: { name: 'deadlock' }, spec: { conditionType: 'KernelDeadlock' } });
    expect(run([node('n1', { deadlock: true, state: { step: 'Drained' } })], {}, [noHook])).toEqual([]);
  });

  it('uncordons when the condition clears, at any step, or when the policy is deleted', () => {
    for (const step of ['Cordoned', 'Drained', 'HookFailed'] as const)
      expect(run([node('n1', { state: { step } })])).toEqual(['uncordon n1']);
    expect(run([node('n1', { deadlock: true, state: {} })], {}, [])).toEqual(['uncordon n1']);
  });

  it('remediates at most one node per zone at a time; other zones go ahead', () => {
    expect(
      run(
        [
          node('a1', { zone: 'a', deadlock: true, state: { step: 'Drained' } }),
          node('a2', { zone: 'a', deadlock: true }),
          node('b1', { zone: 'b', deadlock: true }),
        ],
        {},
        [withDefaults({ metadata: { name: 'deadlock' }, spec: { conditionType: 'KernelDeadlock' } })],
      ),
    ).toEqual([
      'defer a2: KernelDeadlock: waiting, 1 node(s) of zone "a" already under remediation (budget 1)',
      'cordon b1',
    ]);
    // Two sick nodes of one zone in the same pass: only the first starts.
    expect(run([node('a1', { zone: 'a', deadlock: true }), node('a2', { zone: 'a', deadlock: true })])).toEqual([
      'cordon a1',
      'defer a2: KernelDeadlock: waiting, 1 node(s) of zone "a" already under remediation (budget 1)',
    ]);
  });

  it('starts nothing while the cluster is degraded, but still finishes what it started', () => {
    expect(run([node('n1', { deadlock: true }), node('n2', { ready: false })])).toEqual([
      'defer n1: KernelDeadlock: waiting, the cluster is degraded (1 other node(s) not Ready, budget 0)',
    ]);
    expect(run([node('n1', { state: {} }), node('n2', { ready: false })])).toEqual(['uncordon n1']);
  });

  it('leaves nodes outside the nodeSelector alone', () => {
    const gpu = withDefaults({
      metadata: { name: 'deadlock' },
      spec: { conditionType: 'KernelDeadlock', nodeSelector: { matchLabels: { gpu: 'true' } } },
    });
    expect(run([node('n1', { deadlock: true })], {}, [gpu])).toEqual([]);
  });
});
