import type {
  V1ControllerRevision,
  V1DaemonSet,
  V1DaemonSetUpdateStrategy,
  V1Node,
  V1Pod,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { REVISION_HASH_LABEL, syncUpdateRevision } from '../common/revisions.js';
import { daemonPod, placement, targetNode } from './nodes.js';
import { reconcileDaemonSet, type DaemonSetAction } from './reconcile.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const iso = (ms: number): Date => new Date(ms).toISOString() as unknown as Date;

function ds(image: string, strategy?: V1DaemonSetUpdateStrategy): V1DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image }] } },
      updateStrategy: strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    },
  };
}
const node = (name: string, extra: Partial<V1Node['spec']> = {}, labels: Record<string, string> = {}): V1Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec: { ...extra },
});

function revisionsFor(d: V1DaemonSet): V1ControllerRevision[] {
  const r = syncUpdateRevision(d, 'apps/v1', 'DaemonSet', [], undefined);
  return [
    {
      ...r.update,
      metadata: {
        ...r.update.metadata,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }],
      },
    },
  ];
}
function runningPod(d: V1DaemonSet, nodeName: string, hash: string, name = `agent-${nodeName}`): V1Pod {
  const p = daemonPod(d, d.spec?.template, nodeName, hash);
  return {
    ...p,
    metadata: { ...p.metadata, name, uid: name, creationTimestamp: iso(NOW - 60_000) },
    spec: { ...p.spec!, nodeName },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(NOW - 50_000) }],
    },
  };
}
const creates = (a: DaemonSetAction[]): string[] => a.flatMap((x) => (x.type === 'createPod' ? [x.node] : []));
const deletes = (a: DaemonSetAction[]): string[] =>
  a.flatMap((x) => (x.type === 'deletePod' ? [x.pod.metadata?.name ?? ''] : []));

describe('DaemonSet placement', () => {
  it('adds the daemon tolerations and pins the pod to its node with matchFields', () => {
    const p = daemonPod(ds('x'), ds('x').spec?.template, 'n1', 'h');
    expect(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
    ]);
    expect(p.spec?.tolerations?.map((t) => `${t.key}:${t.effect}`)).toEqual(
      expect.arrayContaining([
        'node.kubernetes.io/not-ready:NoExecute',
        'node.kubernetes.io/unreachable:NoExecute',
        'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/unschedulable:NoSchedule',
      ]),
    );
    expect(targetNode(p)).toBe('n1');
  });

  it('skips tainted nodes and nodes outside the nodeSelector, but tolerates unschedulable and not-ready', () => {
    const d = ds('x');
    d.spec!.template.spec!.nodeSelector = { role: 'worker' };
    expect(placement(d, node('a', {}, { role: 'worker' })).shouldRun).toBe(true);
    expect(placement(d, node('b')).shouldRun).toBe(false);
    expect(
      placement(
        d,
        node(
          'c',
          { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
          { role: 'worker' },
        ),
      ).shouldRun,
    ).toBe(true);
    expect(
      placement(
        d,
        node('d', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }, { role: 'worker' }),
      ).shouldRun,
    ).toBe(true);
    const dedicated = placement(
      d,
      node('e', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }, { role: 'worker' }),
    );
    expect(dedicated).toEqual({ shouldRun: false, shouldContinueRunning: true });
    expect(placement(d, node('f', { taints: [{ key: 'gone', effect: 'NoExecute' }] }, { role: 'worker' }))).toEqual({
      shouldRun: false,
      shouldContinueRunning: false,
    });
  });
});

describe('reconcileDaemonSet', () => {
  it('creates a revision and one pod per eligible node, and reports status', () => {
    const d = ds('x');
    const plan = reconcileDaemonSet(d, {
      nodes: [node('a'), node('b'), node('c', { taints: [{ key: 'k', effect: 'NoSchedule' }] })],
      pods: [],
      revisions: [],
      now: NOW,
      canManagePods: true,
    });
    expect(plan.actions[0]?.type).toBe('createRevision');
    expect(creates(plan.actions)).toEqual(['a', 'b']);
    expect(plan.actions.find((a) => a.type === 'status')).toMatchObject({
      status: { desiredNumberScheduled: 2, currentNumberScheduled: 0, numberUnavailable: 2, observedGeneration: 2 },
    });
  });

  it('creates no second pod on a node while its pod is still terminating (the node may be unreachable)', () => {
    const d = ds('x');
    const hash = syncUpdateRevision(d, 'apps/v1', 'DaemonSet', [], undefined).hash;
    const stuck = runningPod(d, 'a', hash);
    const terminating = { ...stuck, metadata: { ...stuck.metadata, deletionTimestamp: iso(NOW - 1_000) } };
    const plan = reconcileDaemonSet(d, {
      nodes: [node('a'), node('b')],
      pods: [terminating, runningPod(d, 'b', hash)],
      revisions: revisionsFor(d),
      now: NOW,
      canManagePods: true,
    });
    expect(creates(plan.actions)).toEqual([]);
    expect(deletes(plan.actions)).toEqual([]);
    // Once it is gone (or finished), the node gets its pod again.
    const done = { ...terminating, status: { phase: 'Failed' } };
    expect(
      creates(
        reconcileDaemonSet(d, {
          nodes: [node('a'), node('b')],
          pods: [done, runningPod(d, 'b', hash)],
          revisions: revisionsFor(d),
          now: NOW,
          canManagePods: true,
        }).actions,
      ),
    ).toEqual(['a']);
  });

  it('rolls out a new template one node at a time (maxUnavailable 1)', () => {
    const v1 = ds('x:1');
    const oldHash = syncUpdateRevision(v1, 'apps/v1', 'DaemonSet', [], undefined).hash;
    const v2 = ds('x:2');
    const pods = ['a', 'b', 'c'].map((n) => runningPod(v1, n, oldHash));
    const plan = reconcileDaemonSet(v2, {
      nodes: [node('a'), node('b'), node('c')],
      pods,
      revisions: revisionsFor(v1),
      now: NOW,
      canManagePods: true,
    });
    expect(plan.actions.some((a) => a.type === 'createRevision')).toBe(true);
    expect(deletes(plan.actions)).toEqual(['agent-a']);
    expect(plan.actions.find((a) => a.type === 'status')).toMatchObject({
      status: { updatedNumberScheduled: 0, numberAvailable: 3 },
    });
  });

  it('surges a new pod beside the old one, then removes the old one once the new is available', () => {
    const v1 = ds('x:1');
    const oldHash = syncUpdateRevision(v1, 'apps/v1', 'DaemonSet', [], undefined).hash;
    const v2 = ds('x:2', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const newRev = syncUpdateRevision(v2, 'apps/v1', 'DaemonSet', revisionsFor(v1), undefined);
    const pods = ['a', 'b'].map((n) => runningPod(v1, n, oldHash));
    const first = reconcileDaemonSet(v2, {
      nodes: [node('a'), node('b')],
      pods,
      revisions: revisionsFor(v1),
      now: NOW,
      canManagePods: true,
    });
    expect(creates(first.actions)).toEqual(['a']);
    expect(deletes(first.actions)).toEqual([]);
    const fresh = runningPod(v2, 'a', newRev.hash, 'agent-a2');
    const second = reconcileDaemonSet(v2, {
      nodes: [node('a'), node('b')],
      pods: [...pods, fresh],
      revisions: revisionsFor(v1),
      now: NOW,
      canManagePods: true,
    });
    expect(deletes(second.actions)).toEqual(['agent-a']);
    expect(creates(second.actions)).toEqual(['b']);
  });

  it('leaves old pods alone with OnDelete and deletes pods on vanished nodes', () => {
    const v1 = ds('x:1');
    const oldHash = syncUpdateRevision(v1, 'apps/v1', 'DaemonSet', [], undefined).hash;
    const v2 = ds('x:2', { type: 'OnDelete' });
    const pods = [runningPod(v1, 'a', oldHash), runningPod(v1, 'gone', oldHash)];
    const plan = reconcileDaemonSet(v2, {
      nodes: [node('a')],
      pods,
      revisions: revisionsFor(v1),
      now: NOW,
      canManagePods: true,
    });
    expect(deletes(plan.actions)).toEqual(['agent-gone']);
    expect(plan.actions.find((a) => a.type === 'status')).toMatchObject({
      status: { desiredNumberScheduled: 1, updatedNumberScheduled: 0 },
    });
  });

  it('reuses the revision of an earlier template (rollout undo) by renumbering it', () => {
    const v1 = ds('x:1');
    const r1 = revisionsFor(v1)[0]!;
    const r2 = { ...syncUpdateRevision(ds('x:2'), 'apps/v1', 'DaemonSet', [r1], undefined).update, revision: 2 };
    const sync = syncUpdateRevision(v1, 'apps/v1', 'DaemonSet', [r1, r2], undefined);
    expect(sync.actions).toEqual([{ type: 'updateRevision', revision: expect.objectContaining({ revision: 3 }) }]);
    expect(sync.update.metadata?.labels?.[REVISION_HASH_LABEL]).toBe(sync.hash);
  });
});
