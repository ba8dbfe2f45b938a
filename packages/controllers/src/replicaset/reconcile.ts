// The ReplicaSet controller's decisions, without I/O: which pods to adopt, release, create or
// delete so the active pods match spec.replicas, and the status that results.
import type { V1Pod, V1ReplicaSet, V1ReplicaSetStatus } from '@kubernetes/client-node';
import { matchesSelector, timeOf } from '@wharf/client';
import { controllerRef, isActive, isAvailable, isReady, readyCondition } from '../common/pods.js';

/** The most pods created or deleted in one sync, as the real controller's burstReplicas. */
export const BURST_REPLICAS = 500;

export type ReplicaSetAction =
  | { readonly type: 'adopt'; readonly pod: V1Pod }
  | { readonly type: 'release'; readonly pod: V1Pod }
  | { readonly type: 'create'; readonly count: number }
  | { readonly type: 'delete'; readonly pods: readonly V1Pod[] }
  | { readonly type: 'status'; readonly status: V1ReplicaSetStatus };

export interface ReplicaSetObserved {
  /** Pods of the namespace that match the selector or are owned by the ReplicaSet. */
  readonly pods: readonly V1Pod[];
  readonly now: number;
  /** False while earlier creations/deletions are not yet seen (expectations). */
  readonly canManagePods: boolean;
}

export interface ReplicaSetPlan {
  readonly actions: ReplicaSetAction[];
  /** Sync again after this long (pods becoming available after minReadySeconds). */
  readonly requeueAfterMs?: number;
}

export function reconcileReplicaSet(rs: V1ReplicaSet, observed: ReplicaSetObserved): ReplicaSetPlan {
  const uid = rs.metadata?.uid;
  const actions: ReplicaSetAction[] = [];
  const owned: V1Pod[] = [];
  const deleting = !!rs.metadata?.deletionTimestamp;
  for (const p of observed.pods) {
    const ref = controllerRef(p);
    const matches = matchesSelector(rs.spec?.selector, p.metadata?.labels);
    if (ref?.uid === uid) {
      if (matches) owned.push(p);
      else if (!deleting) actions.push({ type: 'release', pod: p });
    } else if (!ref && matches && !deleting && isActive(p)) {
      actions.push({ type: 'adopt', pod: p });
      owned.push(p);
    }
  }
  const active = owned.filter(isActive);
  const want = rs.spec?.replicas ?? 1;
  if (observed.canManagePods && !deleting) {
    const diff = active.length - want;
    if (diff < 0) actions.push({ type: 'create', count: Math.min(-diff, BURST_REPLICAS) });
    else if (diff > 0)
      actions.push({ type: 'delete', pods: podsToDelete(active, Math.min(diff, BURST_REPLICAS), observed.pods) });
  }
  const status = replicaSetStatus(rs, active, observed.now);
  if (statusChanged(rs.status, status)) actions.push({ type: 'status', status });
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let requeueAfterMs: number | undefined;
  if (minReady > 0) {
    for (const p of active) {
      const { ready, since } = readyCondition(p);
      if (!ready || isAvailable(p, minReady, observed.now) || !Number.isFinite(since)) continue;
      const wait = since + minReady * 1000 - observed.now;
      requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait);
    }
  }
  return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs: Math.max(0, requeueAfterMs) + 1 };
}

export function replicaSetStatus(rs: V1ReplicaSet, active: readonly V1Pod[], now: number): V1ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const fullyLabeled = active.filter((p) =>
    Object.entries(templateLabels).every(([k, v]) => p.metadata?.labels?.[k] === v),
  ).length;
  const status: V1ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: active.filter(isReady).length,
    availableReplicas: active.filter((p) => isAvailable(p, minReady, now)).length,
    observedGeneration: rs.metadata?.generation ?? 0,
  };
  if (rs.status?.conditions?.length) status.conditions = rs.status.conditions;
  return status;
}

function statusChanged(old: V1ReplicaSetStatus | undefined, next: V1ReplicaSetStatus): boolean {
  return (
    (old?.replicas ?? 0) !== next.replicas ||
    (old?.fullyLabeledReplicas ?? 0) !== next.fullyLabeledReplicas ||
    (old?.readyReplicas ?? 0) !== next.readyReplicas ||
    (old?.availableReplicas ?? 0) !== next.availableReplicas ||
    (old?.observedGeneration ?? 0) !== next.observedGeneration
  );
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * The pods to delete first, in the real controller's order: unscheduled before scheduled,
 * pending before unknown before running, not ready before ready, pods doubled up on a node
 * before lone ones, ready for less time before longer, more restarts before fewer, newer
 * before older.
 */
export function podsToDelete(active: readonly V1Pod[], count: number, related: readonly V1Pod[]): V1Pod[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n && isActive(p)) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const rank = (p: V1Pod): number => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...active].sort((a, b) => compareForDeletion(a, b, rank)).slice(0, count);
}

function deletionCost(p: V1Pod): number {
  const v = Number(p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

function restarts(p: V1Pod): number {
  return (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

export function compareForDeletion(a: V1Pod, b: V1Pod, rank: (p: V1Pod) => number = () => 0): number {
  const aAssigned = a.spec?.nodeName ? 1 : 0;
  const bAssigned = b.spec?.nodeName ? 1 : 0;
  if (aAssigned !== bAssigned) return aAssigned - bAssigned;
  const ap = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const bp = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (ap !== bp) return ap - bp;
  const ar = readyCondition(a);
  const br = readyCondition(b);
  if (ar.ready !== br.ready) return ar.ready ? 1 : -1;
  if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
  if (rank(a) !== rank(b)) return rank(b) - rank(a);
  if (ar.ready && br.ready && ar.since !== br.since) return (br.since || 0) - (ar.since || 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return timeOf(b.metadata?.creationTimestamp) - timeOf(a.metadata?.creationTimestamp);
}
