// The DaemonSet controller's decisions, without I/O: one pod per eligible node, the rolling
// update (maxUnavailable / maxSurge) or OnDelete, ControllerRevision history, and the status
// `kubectl rollout status ds` reads.
import type { V1ControllerRevision, V1DaemonSet, V1DaemonSetStatus, V1Node, V1Pod } from '@kubernetes/client-node';
import { isAvailable, isReady, isTerminating, readyCondition } from '../common/pods.js';
import { REVISION_HASH_LABEL, syncUpdateRevision, truncateHistory, type RevisionAction } from '../common/revisions.js';
import { timeOf } from '@wharf/client';
import { scaledValue } from '../deployment/rolling.js';
import { daemonPod, placement, targetNode } from './nodes.js';

export type DaemonSetAction =
  | RevisionAction
  | { readonly type: 'createPod'; readonly node: string; readonly pod: V1Pod }
  | { readonly type: 'deletePod'; readonly pod: V1Pod; readonly reason: string }
  | { readonly type: 'status'; readonly status: V1DaemonSetStatus };

export interface DaemonSetObserved {
  readonly nodes: readonly V1Node[];
  /** Pods controlled by the DaemonSet. */
  readonly pods: readonly V1Pod[];
  /** ControllerRevisions controlled by the DaemonSet, oldest revision first. */
  readonly revisions: readonly V1ControllerRevision[];
  readonly now: number;
  /** False while earlier creations/deletions are not yet seen (expectations). */
  readonly canManagePods: boolean;
}

export interface DaemonSetPlan {
  readonly actions: DaemonSetAction[];
  readonly requeueAfterMs?: number;
}

const byCreation = (a: V1Pod, b: V1Pod): number =>
  timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp) ||
  (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

export function isRollingUpdate(ds: V1DaemonSet): boolean {
  return (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** maxSurge and maxUnavailable against the desired number of pods, both rounded up. */
export function daemonFenceposts(ds: V1DaemonSet, desired: number): { surge: number; unavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge, '0', desired, true);
  let unavailable = scaledValue(ru?.maxUnavailable, '1', desired, true);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function reconcileDaemonSet(ds: V1DaemonSet, observed: DaemonSetObserved): DaemonSetPlan {
  const actions: DaemonSetAction[] = [];
  const now = observed.now;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const rev = syncUpdateRevision(ds, 'apps/v1', 'DaemonSet', observed.revisions, ds.status?.collisionCount);
  actions.push(...rev.actions);
  const hash = rev.hash;
  const isNew = (p: V1Pod): boolean => p.metadata?.labels?.[REVISION_HASH_LABEL] === hash;
  const available = (p: V1Pod): boolean => isAvailable(p, minReady, now);

  const byNode = new Map<string, V1Pod[]>();
  const orphans: V1Pod[] = [];
  // Nodes where a daemon pod is still terminating (it may still run: on an unreachable node
  // until its agent confirms). As upstream, no replacement is created there until it is gone.
  const terminatingOn = new Set<string>();
  for (const p of observed.pods) {
    if (isTerminating(p)) {
      const n = targetNode(p);
      const phase = p.status?.phase;
      if (n && phase !== 'Succeeded' && phase !== 'Failed') terminatingOn.add(n);
      continue;
    }
    const n = targetNode(p);
    if (!n) orphans.push(p);
    else byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const deleting = !!ds.metadata?.deletionTimestamp;
  const manage = observed.canManagePods && !deleting;
  const nodeNames = new Set(observed.nodes.map((n) => n.metadata?.name ?? ''));
  const del = (pod: V1Pod, reason: string): void => {
    actions.push({ type: 'deletePod', pod, reason });
  };
  const create = (node: string): void => {
    actions.push({ type: 'createPod', node, pod: daemonPod(ds, ds.spec?.template, node, hash) });
  };
  const { surge, unavailable: maxUnavailable } = daemonFenceposts(
    ds,
    observed.nodes.filter((n) => placement(ds, n).shouldRun).length,
  );

  let desired = 0;
  let scheduled = 0;
  let misscheduled = 0;
  let ready = 0;
  let availableCount = 0;
  let updated = 0;
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number): void => {
    requeueAfterMs = Math.min(requeueAfterMs ?? ms, ms);
  };
  // Rolling-update bookkeeping across nodes.
  let numUnavailable = 0;
  let numSurge = 0;
  const oldCandidates: { node: string; pod: V1Pod }[] = [];

  for (const node of observed.nodes) {
    const name = node.metadata?.name ?? '';
    const place = placement(ds, node);
    const pods = [...(byNode.get(name) ?? [])].sort(byCreation);
    if (place.shouldRun) desired++;
    if (pods.length && place.shouldRun) {
      scheduled++;
      if (pods.some(isReady)) ready++;
      if (pods.some(available)) availableCount++;
      if (pods.some(isNew)) updated++;
    } else if (pods.length) misscheduled++;
    if (!manage) continue;

    if (!place.shouldContinueRunning || (!place.shouldRun && pods.length)) {
      // A pod may keep running where it only may not be scheduled anew (NoSchedule taint).
      if (!place.shouldContinueRunning) for (const p of pods) del(p, 'node no longer eligible');
      continue;
    }
    if (!place.shouldRun) continue;
    const failed = pods.filter((p) => p.status?.phase === 'Failed');
    for (const p of failed) del(p, 'pod failed');
    const live = pods.filter((p) => p.status?.phase !== 'Failed');
    if (live.length === 0) {
      if (!terminatingOn.has(name)) create(name);
      numUnavailable++;
      continue;
    }
    const news = live.filter(isNew);
    const olds = live.filter((p) => !isNew(p));
    // Duplicates: keep the oldest new pod (and, while surging, one old pod).
    for (const p of news.slice(1)) del(p, 'duplicate');
    const keepOld = olds[0];
    for (const p of olds.slice(1)) del(p, 'duplicate');
    const newPod = news[0];
    if (!isRollingUpdate(ds)) continue;
    if (surge === 0) {
      if (newPod) {
        if (keepOld) del(keepOld, 'replaced');
        if (!available(newPod)) numUnavailable++;
      } else if (keepOld) {
        if (!available(keepOld)) {
          del(keepOld, 'unavailable old revision');
          numUnavailable++;
        } else oldCandidates.push({ node: name, pod: keepOld });
      }
    } else if (keepOld) {
      if (newPod) {
        if (available(newPod)) del(keepOld, 'replaced');
        else numSurge++;
      } else if (!available(keepOld)) create(name);
      else oldCandidates.push({ node: name, pod: keepOld });
    } else if (newPod && !available(newPod)) numUnavailable++;
  }

  if (manage) {
    for (const p of orphans) del(p, 'no target node');
    for (const [name, pods] of byNode) if (!nodeNames.has(name)) for (const p of pods) del(p, 'node gone');
    if (isRollingUpdate(ds)) {
      if (surge === 0) {
        for (const c of oldCandidates.slice(0, Math.max(0, maxUnavailable - numUnavailable)))
          del(c.pod, 'rolling update');
      } else {
        for (const c of oldCandidates.slice(0, Math.max(0, surge - numSurge))) create(c.node);
      }
    }
  }

  for (const p of observed.pods) {
    const { ready: r, since } = readyCondition(p);
    if (r && minReady > 0 && !available(p) && Number.isFinite(since)) requeue(since + minReady * 1000 - now + 1);
  }

  const live = new Set<string>([rev.update.metadata?.name ?? '']);
  for (const p of observed.pods) {
    const h = p.metadata?.labels?.[REVISION_HASH_LABEL];
    if (h) live.add(`${ds.metadata?.name}-${h}`);
  }
  actions.push(...truncateHistory(ds, observed.revisions, live));

  const status: V1DaemonSetStatus = {
    currentNumberScheduled: scheduled,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata?.generation ?? 0,
    updatedNumberScheduled: updated,
    numberAvailable: availableCount,
    numberUnavailable: Math.max(0, desired - availableCount),
  };
  if (rev.collisionCount !== undefined) status.collisionCount = rev.collisionCount;
  if (statusChanged(ds.status, status)) actions.push({ type: 'status', status });
  return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs: Math.max(1, requeueAfterMs) };
}

const STATUS_KEYS = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
  'collisionCount',
] as const;

function statusChanged(old: V1DaemonSetStatus | undefined, next: V1DaemonSetStatus): boolean {
  return STATUS_KEYS.some((k) => (old?.[k] ?? 0) !== (next[k] ?? 0));
}
