// Deployment status and its Progressing / Available conditions, as syncRolloutStatus and
// calculateStatus compute them, so `kubectl rollout status` reads them as on a real cluster.
import type { V1Deployment, V1DeploymentCondition, V1DeploymentStatus, V1ReplicaSet } from '@kubernetes/client-node';
import { timeOf, timestamp } from '@wharf/client';
import { maxUnavailable, replicasOf } from './rolling.js';

export const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const RS_UPDATED = 'ReplicaSetUpdated';
export const TIMED_OUT = 'ProgressDeadlineExceeded';
export const NEW_RS_CREATED = 'NewReplicaSetCreated';
export const FOUND_NEW_RS = 'FoundNewReplicaSet';
export const PAUSED = 'DeploymentPaused';
export const RESUMED = 'DeploymentResumed';

export function getCondition(s: V1DeploymentStatus | undefined, type: string): V1DeploymentCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

export function condition(
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  now: number,
): V1DeploymentCondition {
  const t = timestamp(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

/** Sets a condition, keeping lastTransitionTime when the status does not change (SetDeploymentCondition). */
export function setCondition(s: V1DeploymentStatus, c: V1DeploymentCondition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(s: V1DeploymentStatus, type: string): void {
  if (s.conditions) s.conditions = s.conditions.filter((c) => c.type !== type);
}

const sum = (rss: readonly V1ReplicaSet[], f: (rs: V1ReplicaSet) => number | undefined): number =>
  rss.reduce((n, rs) => n + (f(rs) ?? 0), 0);

export function calculateStatus(
  d: V1Deployment,
  all: readonly V1ReplicaSet[],
  newRS: V1ReplicaSet | undefined,
  now: number,
): V1DeploymentStatus {
  const available = sum(all, (rs) => rs.status?.availableReplicas);
  const status: V1DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: sum(all, (rs) => rs.status?.replicas),
    updatedReplicas: newRS ? (newRS.status?.replicas ?? 0) : 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicasOf(d) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions) status.conditions = [...d.status.conditions];
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(
      status,
      condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now),
    );
  } else {
    setCondition(
      status,
      condition(
        'Available',
        'False',
        'MinimumReplicasUnavailable',
        'Deployment does not have minimum availability.',
        now,
      ),
    );
  }
  return status;
}

export function deploymentComplete(d: V1Deployment, s: V1DeploymentStatus): boolean {
  const r = replicasOf(d);
  return (
    s.updatedReplicas === r &&
    s.replicas === r &&
    s.availableReplicas === r &&
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

export function deploymentProgressing(d: V1Deployment, s: V1DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

export function progressDeadlineMs(d: V1Deployment): number | undefined {
  const s = d.spec?.progressDeadlineSeconds;
  if (s === undefined || s === null || s >= 2147483647) return undefined;
  return s * 1000;
}

export function deploymentTimedOut(d: V1Deployment, s: V1DeploymentStatus, now: number): boolean {
  const deadline = progressDeadlineMs(d);
  if (deadline === undefined) return false;
  const c = getCondition(s, 'Progressing');
  if (!c || c.reason === NEW_RS_AVAILABLE) return false;
  if (c.reason === TIMED_OUT) return true;
  return timeOf(c.lastUpdateTime) + deadline < now;
}

/** Progressing after a rollout step (syncRolloutStatus); also when to look again for a timeout. */
export function rolloutStatus(
  d: V1Deployment,
  all: readonly V1ReplicaSet[],
  newRS: V1ReplicaSet | undefined,
  now: number,
): { status: V1DeploymentStatus; requeueAfterMs?: number } {
  const s = calculateStatus(d, all, newRS, now);
  const deadline = progressDeadlineMs(d);
  if (deadline === undefined) removeCondition(s, 'Progressing');
  const cur = getCondition(s, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && cur?.reason === NEW_RS_AVAILABLE;
  const name = newRS?.metadata?.name ?? '';
  if (deadline !== undefined && !complete) {
    if (deploymentComplete(d, s)) {
      setCondition(
        s,
        condition('Progressing', 'True', NEW_RS_AVAILABLE, `ReplicaSet "${name}" has successfully progressed.`, now),
      );
    } else if (deploymentProgressing(d, s)) {
      const c = condition('Progressing', 'True', RS_UPDATED, `ReplicaSet "${name}" is progressing.`, now);
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== 'Progressing'), c];
    } else if (deploymentTimedOut(d, s, now)) {
      setCondition(
        s,
        condition('Progressing', 'False', TIMED_OUT, `ReplicaSet "${name}" has timed out progressing.`, now),
      );
    }
  }
  let requeueAfterMs: number | undefined;
  const after = getCondition(s, 'Progressing');
  if (deadline !== undefined && after && after.reason !== NEW_RS_AVAILABLE && after.reason !== TIMED_OUT) {
    requeueAfterMs = Math.max(1000, timeOf(after.lastUpdateTime) + deadline - now + 1000);
  }
  return requeueAfterMs === undefined ? { status: s } : { status: s, requeueAfterMs };
}
