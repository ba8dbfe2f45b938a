// The taints that follow a node's Ready condition, and when a NoExecute taint evicts a pod: at
// once without a matching toleration, after the shortest matching tolerationSeconds otherwise,
// never when a matching toleration has no tolerationSeconds.
import type { V1Pod, V1Taint, V1Toleration } from '@kubernetes/client-node';
import { timeOf, timestamp } from '@wharf/client';

export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';

export type ReadyStatus = 'True' | 'False' | 'Unknown';

export function toleratesTaint(t: V1Toleration, taint: V1Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  // Equal (the default): an empty key only works with Exists.
  return !!t.key && (t.value ?? '') === (taint.value ?? '');
}

/**
 * The node's taints with the controller's own ones set for `ready`: unreachable (Unknown) or
 * not-ready (False), NoSchedule always and NoExecute unless `noExecute` is false. Existing taints
 * keep their timeAdded; other taints are left alone.
 */
export function desiredTaints(
  current: readonly V1Taint[],
  ready: ReadyStatus,
  noExecute: boolean,
  now: number,
): V1Taint[] {
  const key = ready === 'Unknown' ? UNREACHABLE : ready === 'False' ? NOT_READY : undefined;
  const ours = (t: V1Taint): boolean =>
    (t.key === UNREACHABLE || t.key === NOT_READY) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const out = current.filter((t) => !ours(t) || (t.key === key && (t.effect === 'NoSchedule' || noExecute)));
  if (key && !out.some((t) => t.key === key && t.effect === 'NoSchedule')) out.push({ key, effect: 'NoSchedule' });
  if (key && noExecute && !out.some((t) => t.key === key && t.effect === 'NoExecute'))
    out.push({ key, effect: 'NoExecute', timeAdded: timestamp(now) });
  return out;
}

/** When the node's NoExecute taints evict `pod` (ms; -Infinity: now; undefined: never). */
export function evictionTime(pod: V1Pod, taints: readonly V1Taint[], now: number): number | undefined {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return undefined;
  const tolerations = pod.spec?.tolerations ?? [];
  let minSeconds = Infinity;
  for (const taint of noExecute) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return -Infinity;
    for (const t of matching)
      if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null)
        minSeconds = Math.min(minSeconds, Math.max(0, t.tolerationSeconds));
  }
  if (minSeconds === Infinity) return undefined;
  const added = noExecute.map((t) => timeOf(t.timeAdded)).filter(Number.isFinite);
  const since = added.length ? Math.min(...added) : now;
  return since + minSeconds * 1000;
}
