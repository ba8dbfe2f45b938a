// The rolling-update arithmetic of the real Deployment controller (deployment/util): surge and
// unavailability from int-or-percent values, and how far each ReplicaSet may be scaled.
import type { IntOrString, V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';

/** An int-or-percent value scaled against `total`, rounding up or down as the controller does. */
export function scaledValue(v: IntOrString | undefined, fallback: string, total: number, roundUp: boolean): number {
  const val = v ?? fallback;
  if (typeof val === 'number') return val;
  const m = /^(\d+)%$/.exec(val);
  if (!m) {
    const n = Number(val);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage: "${val}"`);
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * maxSurge (25% rounded up) and maxUnavailable (25% rounded down) for `replicas`; when both
 * come out 0, maxUnavailable is 1 so the rollout can progress.
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  replicas: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, '25%', replicas, true);
  let unavailable = scaledValue(maxUnavailable, '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function replicasOf(d: V1Deployment | V1ReplicaSet | undefined): number {
  return d?.spec?.replicas ?? (d ? 1 : 0);
}

export function isRollingUpdate(d: V1Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function maxSurge(d: V1Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d)).surge;
}

export function maxUnavailable(d: V1Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

/** The new ReplicaSet's size for this step of a rolling update (NewRSNewReplicas). */
export function newRSNewReplicas(
  d: V1Deployment,
  all: readonly V1ReplicaSet[],
  newRS: V1ReplicaSet | undefined,
): number {
  const cur = newRS ? replicasOf(newRS) : 0;
  if (!isRollingUpdate(d)) return replicasOf(d);
  const current = all.reduce((n, rs) => n + replicasOf(rs), 0);
  const maxTotal = replicasOf(d) + maxSurge(d);
  if (current >= maxTotal) return cur;
  const up = Math.min(maxTotal - current, Math.max(0, replicasOf(d) - cur));
  return cur + up;
}

/** How many old pods may go now (before unhealthy-first cleanup), as reconcileOldReplicaSets. */
export function maxScaledDown(d: V1Deployment, all: readonly V1ReplicaSet[], newRS: V1ReplicaSet | undefined): number {
  const allPods = all.reduce((n, rs) => n + replicasOf(rs), 0);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = newRS ? replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
  return allPods - minAvailable - newUnavailable;
}
