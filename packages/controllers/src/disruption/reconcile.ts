// The disruption controller's decisions, without I/O: a PodDisruptionBudget's status from the
// pods it selects. minAvailable as a number counts against the pods there are; a percentage, or
// maxUnavailable, against the scale of the pods' controllers (a ReplicaSet's Deployment, a
// StatefulSet, ...), each pod without a known controller counting as one.
import type {
  V1Condition,
  V1OwnerReference,
  V1Pod,
  V1PodDisruptionBudget,
  V1PodDisruptionBudgetStatus,
} from '@kubernetes/client-node';
import { controllerRef, isReady, stableJson } from '../common/pods.js';
import { timeOf, timestamp } from '@wharf/client';

/** How long an eviction the API server recorded in disruptedPods holds a pod out of the count. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

export interface ControllerScale {
  /** Identifies the controller, so that pods of one controller count its scale once. */
  readonly key: string;
  readonly scale: number;
}

export interface DisruptionObserved {
  /** Pods of the budget's namespace that its selector matches. */
  readonly pods: readonly V1Pod[];
  /** The scale of a pod's controller, if known. */
  readonly scaleOf: (ref: V1OwnerReference, namespace: string) => ControllerScale | undefined;
  readonly now: number;
}

export interface DisruptionPlan {
  /** The status to write, when it differs from the current one. */
  readonly status?: V1PodDisruptionBudgetStatus;
  /** Sync again when a disruptedPods entry expires. */
  readonly requeueAfterMs?: number;
}

type IntOrPercent = number | string | undefined;

/** An int-or-percent value against `total`, rounded up as the real controller does. */
export function scaledValue(v: IntOrPercent, total: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) return Math.ceil((Number(v.slice(0, -1)) * total) / 100);
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number(v);
  return 0;
}

function expectedScale(pods: readonly V1Pod[], observed: DisruptionObserved): number {
  const seen = new Map<string, number>();
  let orphans = 0;
  for (const p of pods) {
    const ref = controllerRef(p);
    const scale = ref ? observed.scaleOf(ref, p.metadata?.namespace ?? '') : undefined;
    if (scale) seen.set(scale.key, scale.scale);
    else orphans++;
  }
  return [...seen.values()].reduce((a, b) => a + b, 0) + orphans;
}

export function reconcileDisruptionBudget(pdb: V1PodDisruptionBudget, observed: DisruptionObserved): DisruptionPlan {
  const { pods, now } = observed;
  const spec = pdb.spec ?? {};
  const minAvailable = spec.minAvailable as IntOrPercent;
  const maxUnavailable = spec.maxUnavailable as IntOrPercent;
  let expectedPods = 0;
  let desiredHealthy = 0;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    expectedPods = expectedScale(pods, observed);
    desiredHealthy = Math.max(0, expectedPods - scaledValue(maxUnavailable, expectedPods));
  } else if (typeof minAvailable === 'number' || (typeof minAvailable === 'string' && !minAvailable.endsWith('%'))) {
    expectedPods = pods.length;
    desiredHealthy = scaledValue(minAvailable, expectedPods);
  } else if (typeof minAvailable === 'string') {
    expectedPods = expectedScale(pods, observed);
    desiredHealthy = scaledValue(minAvailable, expectedPods);
  }

  // Evictions the API server granted but whose pods are not yet gone stay out of the count.
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  const disruptedPods: Record<string, Date> = {};
  let requeueAfterMs: number | undefined;
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const p = byName.get(name);
    const t = timeOf(at);
    if (!p || p.metadata?.deletionTimestamp || !Number.isFinite(t) || t + DELETION_TIMEOUT_MS <= now) continue;
    disruptedPods[name] = at;
    requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, t + DELETION_TIMEOUT_MS - now);
  }
  const currentHealthy = pods.filter(
    (p) => !p.metadata?.deletionTimestamp && !((p.metadata?.name ?? '') in disruptedPods) && isReady(p),
  ).length;
  const allowed = expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  const generation = pdb.metadata?.generation ?? 0;
  const old = pdb.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const condStatus = allowed > 0 ? 'True' : 'False';
  const reason = allowed > 0 ? 'SufficientPods' : 'InsufficientPods';
  const condition: V1Condition = {
    type: 'DisruptionAllowed',
    status: condStatus,
    reason,
    message: '',
    observedGeneration: generation,
    lastTransitionTime: old && old.status === condStatus ? old.lastTransitionTime : timestamp(now),
  };
  const status: V1PodDisruptionBudgetStatus = {
    currentHealthy,
    desiredHealthy,
    expectedPods,
    disruptionsAllowed: allowed,
    observedGeneration: generation,
    disruptedPods,
    conditions: [condition],
  };
  const same = stableJson(comparable(pdb.status)) === stableJson(comparable(status));
  return {
    ...(same ? {} : { status }),
    ...(requeueAfterMs !== undefined ? { requeueAfterMs: requeueAfterMs + 1 } : {}),
  };
}

function comparable(s: V1PodDisruptionBudgetStatus | undefined): unknown {
  const c = s?.conditions?.find((x) => x.type === 'DisruptionAllowed');
  return [
    s?.currentHealthy,
    s?.desiredHealthy,
    s?.expectedPods,
    s?.disruptionsAllowed,
    s?.observedGeneration,
    Object.keys(s?.disruptedPods ?? {}).sort(),
    c?.status,
    c?.reason,
    c?.observedGeneration,
  ];
}
