// The HPA's replica calculation for one resource metric, as upstream's replica calculator: the
// usage of the pods with metrics against the target, a tolerance of 10 % around it, and the
// cautious treatment of pods without metrics (assumed idle when scaling up, busy when scaling
// down) and of pods still starting (idle when scaling up), so a scale never overshoots because a
// pod had no sample yet. Pure: pods and samples in, a proposal out.

/** Upstream's --horizontal-pod-autoscaler-tolerance. */
export const TOLERANCE = 0.1;
/** Upstream's --horizontal-pod-autoscaler-cpu-initialization-period. */
export const CPU_INITIALIZATION_MS = 5 * 60_000;
/** Upstream's --horizontal-pod-autoscaler-initial-readiness-delay. */
export const INITIAL_READINESS_DELAY_MS = 30_000;

export interface PodSample {
  readonly name: string;
  /** Deleted or Failed pods count for nothing. */
  readonly ignored: boolean;
  readonly pending: boolean;
  readonly ready: boolean;
  /** When the pod started and when its Ready condition last changed (ms). */
  readonly startMs?: number;
  readonly readySinceMs?: number;
  /**
   * The resource's request summed over the measured containers (milli-CPU or bytes); undefined when a container has
   * none.
   */
  readonly request: number | undefined;
  /**
   * The resource's usage summed over the measured containers, and the sample's window end; undefined without a sample.
   */
  readonly usage?: { readonly value: number; readonly timestampMs: number; readonly windowMs: number };
}

export type Target =
  | { readonly type: 'Utilization'; readonly averageUtilization: number }
  | { readonly type: 'AverageValue'; readonly averageValue: number };

export type Proposal =
  | { readonly ok: true; readonly replicas: number; readonly utilization?: number; readonly averageValue: number }
  | { readonly ok: false; readonly reason: string; readonly message: string };

/** Whether a pod's sample may not yet show its real load (upstream's groupPods, for CPU). */
function starting(p: PodSample, cpu: boolean, now: number): boolean {
  if (p.pending) return true;
  if (!cpu || p.startMs === undefined || !p.usage) return false;
  if (p.startMs + CPU_INITIALIZATION_MS > now) {
    // Within the initialisation period, a pod counts when it is ready and its sample was taken fully after it became
    // ready.
    return !p.ready || p.readySinceMs === undefined || p.usage.timestampMs < p.readySinceMs + p.usage.windowMs;
  }
  // Later, a pod counts unless it never became ready, or became ready only within the initial delay.
  return !p.ready && p.readySinceMs !== undefined && p.startMs + INITIAL_READINESS_DELAY_MS > p.readySinceMs;
}

/**
 * The replicas one resource metric proposes for `current` replicas, the utilization (percent of
 * request) or average value it measured.
 */
export function resourceReplicas(
  current: number,
  pods: readonly PodSample[],
  target: Target,
  cpu: boolean,
  now: number,
): Proposal {
  const live = pods.filter((p) => !p.ignored);
  if (live.length === 0)
    return { ok: false, reason: 'FailedGetResourceMetric', message: "no pods match the target's selector" };
  const measured: PodSample[] = [];
  const unready: PodSample[] = [];
  const missing: PodSample[] = [];
  for (const p of live) {
    if (!p.usage) missing.push(p);
    else if (starting(p, cpu, now)) unready.push(p);
    else measured.push(p);
  }
  if (measured.length === 0)
    return { ok: false, reason: 'FailedGetResourceMetric', message: 'did not receive metrics for any ready pods' };
  const utilizationTarget = target.type === 'Utilization';
  if (utilizationTarget) {
    const noRequest = live.find((p) => p.request === undefined || p.request <= 0);
    if (noRequest)
      return {
        ok: false,
        reason: 'FailedGetResourceMetric',
        message: `missing request for ${cpu ? 'cpu' : 'memory'} in pod ${noRequest.name}`,
      };
  }
  const ratioOf = (samples: readonly { value: number; request: number }[]): number => {
    const used = samples.reduce((s, x) => s + x.value, 0);
    if (!utilizationTarget) return used / samples.length / target.averageValue;
    const requested = samples.reduce((s, x) => s + x.request, 0);
    return (used * 100) / requested / target.averageUtilization;
  };
  const sample = (p: PodSample, value: number): { value: number; request: number } => ({
    value,
    request: p.request ?? 0,
  });
  const base = measured.map((p) => sample(p, p.usage!.value));
  const ratio = ratioOf(base);
  const measuredValue = base.reduce((s, x) => s + x.value, 0);
  const utilization = utilizationTarget
    ? Math.trunc((measuredValue * 100) / base.reduce((s, x) => s + x.request, 0))
    : undefined;
  const averageValue = measuredValue / base.length;
  const propose = (replicas: number): Proposal => ({
    ok: true,
    replicas,
    ...(utilization !== undefined ? { utilization } : {}),
    averageValue,
  });
  const scaleUpWithUnready = unready.length > 0 && ratio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return propose(current);
    return propose(Math.ceil(ratio * base.length));
  }
  // Fill the gaps cautiously: missing pods use all they request (or the target) when scaling
  // down and nothing when scaling up; starting pods use nothing when scaling up.
  const assumed = [...base];
  for (const p of missing) {
    const busy = utilizationTarget ? (p.request ?? 0) : target.averageValue;
    assumed.push(sample(p, ratio < 1 ? busy : 0));
  }
  if (scaleUpWithUnready) for (const p of unready) assumed.push(sample(p, 0));
  const newRatio = ratioOf(assumed);
  if (Math.abs(1 - newRatio) <= TOLERANCE || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1))
    return propose(current);
  const replicas = Math.ceil(newRatio * assumed.length);
  // A gap may not turn a scale-up into a scale-down or the other way round.
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) return propose(current);
  return propose(replicas);
}
