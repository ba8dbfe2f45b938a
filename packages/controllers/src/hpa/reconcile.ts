// One HorizontalPodAutoscaler (autoscaling/v2) against the scale of its target, as upstream's
// controller: out-of-bounds scales are brought within min/max; a zero scale with minReplicas > 0
// means autoscaling is off; otherwise every Resource / ContainerResource metric proposes a
// replica count from the pods' metrics, the highest wins, and spec.behavior's stabilization and
// rate policies decide how far the scale moves now. Pure: observed state in, a plan out.
import type {
  V1Pod,
  V2HorizontalPodAutoscaler,
  V2HorizontalPodAutoscalerCondition,
  V2HorizontalPodAutoscalerStatus,
  V2MetricSpec,
  V2MetricStatus,
} from '@kubernetes/client-node';
import { bytes, milliCpu, timestamp } from '@wharf/client';
import { applyBehavior, stabilize, type Behavior, type Recommendation, type ScaleEvent } from './behavior.js';
import { resourceReplicas, type PodSample, type Proposal, type Target } from './replicas.js';
import { readyCondition } from '../common/pods.js';

/** A PodMetrics item of metrics.k8s.io/v1beta1. */
export interface PodMetrics {
  metadata?: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

export interface HpaInput {
  readonly hpa: V2HorizontalPodAutoscaler;
  /** The target's scale subresource: spec.replicas; undefined when it could not be read. */
  readonly scale: { readonly replicas: number } | { readonly error: string };
  readonly pods: readonly V1Pod[];
  readonly metrics: readonly PodMetrics[] | { readonly error: string };
  readonly recommendations: readonly Recommendation[];
  readonly scaleEvents: readonly ScaleEvent[];
  readonly now: number;
}

export interface HpaEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface HpaPlan {
  /** Write this scale to the target. */
  readonly rescale?: number;
  readonly status: V2HorizontalPodAutoscalerStatus;
  readonly events: readonly HpaEvent[];
  /** The metrics' proposal, for the stabilization window of later syncs. */
  readonly recommendation?: number;
}

type CondType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

/** Seconds of a Go duration such as "30s" or "1m0s" (the metrics API's window). */
export function durationMs(d: string | undefined): number {
  if (!d) return 0;
  let ms = 0;
  for (const [, n, unit] of d.matchAll(/([0-9.]+)(ms|s|m|h)/g))
    ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return ms;
}

const amount = (resource: string, q: string | undefined): number =>
  resource === 'cpu' ? milliCpu(q ?? '0') : bytes(q ?? '0');

/** Per-pod samples of one resource (summed over all containers, or one named container). */
function samplesOf(
  pods: readonly V1Pod[],
  metrics: readonly PodMetrics[],
  resource: string,
  container: string | undefined,
): PodSample[] {
  const byName = new Map(metrics.map((m) => [m.metadata?.name ?? '', m]));
  return pods.map((p) => {
    const containers = (p.spec?.containers ?? []).filter((c) => container === undefined || c.name === container);
    const requests = containers.map((c) => c.resources?.requests?.[resource]);
    const m = byName.get(p.metadata?.name ?? '');
    const usageOf = m?.containers?.filter((c) => container === undefined || c.name === container);
    const { ready, since } = readyCondition(p);
    return {
      name: p.metadata?.name ?? '',
      ignored: !!p.metadata?.deletionTimestamp || p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded',
      pending: p.status?.phase === 'Pending' || p.status?.phase === undefined,
      ready,
      ...(p.status?.startTime ? { startMs: Date.parse(String(p.status.startTime)) } : {}),
      ...(Number.isFinite(since) ? { readySinceMs: since } : {}),
      request:
        requests.length > 0 && requests.every((r) => r !== undefined)
          ? requests.reduce((s: number, r) => s + amount(resource, r), 0)
          : undefined,
      ...(m && usageOf && usageOf.length > 0
        ? {
            usage: {
              value: usageOf.reduce((s, c) => s + amount(resource, c.usage?.[resource]), 0),
              timestampMs: Date.parse(m.timestamp ?? '') || 0,
              windowMs: durationMs(m.window),
            },
          }
        : {}),
    };
  });
}

interface MetricOutcome {
  readonly proposal: Proposal;
  readonly status?: V2MetricStatus;
  readonly describe: string;
}

function evaluate(
  metric: V2MetricSpec,
  current: number,
  pods: readonly V1Pod[],
  metrics: readonly PodMetrics[],
  now: number,
): MetricOutcome {
  const src =
    metric.type === 'Resource'
      ? metric.resource
      : metric.type === 'ContainerResource'
        ? metric.containerResource
        : undefined;
  if (!src) {
    return {
      describe: metric.type,
      proposal: {
        ok: false,
        reason: 'InvalidMetricSourceType',
        message: `metric type ${metric.type} is not supported by Wharf's HPA controller yet (Resource and ContainerResource are)`,
      },
    };
  }
  const name = src.name;
  const container = metric.type === 'ContainerResource' ? metric.containerResource?.container : undefined;
  const describe =
    `${name} ${container ? `container resource (${container}) ` : 'resource '}${src.target.type === 'Utilization' ? 'utilization (percentage of request)' : ''}`.trim();
  const target: Target | undefined =
    src.target.type === 'Utilization' && src.target.averageUtilization !== undefined
      ? { type: 'Utilization', averageUtilization: src.target.averageUtilization }
      : src.target.type === 'AverageValue' && src.target.averageValue !== undefined
        ? { type: 'AverageValue', averageValue: amount(name, String(src.target.averageValue)) }
        : undefined;
  if (!target || (name !== 'cpu' && name !== 'memory')) {
    return {
      describe,
      proposal: {
        ok: false,
        reason: 'InvalidMetricSourceType',
        message: `the ${name} metric needs a Utilization or AverageValue target on cpu or memory`,
      },
    };
  }
  const proposal = resourceReplicas(current, samplesOf(pods, metrics, name, container), target, name === 'cpu', now);
  if (!proposal.ok) return { describe, proposal };
  const value = name === 'cpu' ? `${Math.round(proposal.averageValue)}m` : String(Math.round(proposal.averageValue));
  const currentStatus = {
    averageValue: value,
    ...(proposal.utilization !== undefined ? { averageUtilization: proposal.utilization } : {}),
  };
  const status: V2MetricStatus =
    metric.type === 'Resource'
      ? { type: 'Resource', resource: { name, current: currentStatus } }
      : { type: 'ContainerResource', containerResource: { name, container: container ?? '', current: currentStatus } };
  return { describe, proposal, status };
}

function conditions(
  old: readonly V2HorizontalPodAutoscalerCondition[] | undefined,
  now: number,
  set: Partial<Record<CondType, [boolean, string, string]>>,
): V2HorizontalPodAutoscalerCondition[] {
  const out: V2HorizontalPodAutoscalerCondition[] = [];
  for (const type of ['AbleToScale', 'ScalingActive', 'ScalingLimited'] as const) {
    const prev = old?.find((c) => c.type === type);
    const want = set[type];
    if (!want) {
      if (prev) out.push(prev);
      continue;
    }
    const status = want[0] ? 'True' : 'False';
    const since = prev && prev.status === status ? prev.lastTransitionTime : timestamp(now);
    out.push({ type, status, reason: want[1], message: want[2], ...(since ? { lastTransitionTime: since } : {}) });
  }
  return out;
}

export function reconcileHpa(input: HpaInput): HpaPlan {
  const { hpa, now } = input;
  const spec = hpa.spec;
  const minReplicas = spec?.minReplicas ?? 1;
  const maxReplicas = spec?.maxReplicas ?? minReplicas;
  const old = hpa.status;
  const base: V2HorizontalPodAutoscalerStatus = {
    ...(hpa.metadata?.generation !== undefined ? { observedGeneration: hpa.metadata.generation } : {}),
    currentReplicas: old?.currentReplicas ?? 0,
    desiredReplicas: old?.desiredReplicas ?? 0,
    ...(old?.lastScaleTime ? { lastScaleTime: old.lastScaleTime } : {}),
    ...(old?.currentMetrics ? { currentMetrics: old.currentMetrics } : {}),
  };
  if ('error' in input.scale) {
    return {
      status: {
        ...base,
        conditions: conditions(old?.conditions, now, {
          AbleToScale: [
            false,
            'FailedGetScale',
            `the HPA controller was unable to get the target's current scale: ${input.scale.error}`,
          ],
        }),
      },
      events: [{ type: 'Warning', reason: 'FailedGetScale', message: input.scale.error }],
    };
  }
  const current = input.scale.replicas;
  const finish = (
    desired: number,
    set: Partial<Record<CondType, [boolean, string, string]>>,
    extra: Partial<HpaPlan> & { metricsStatus?: V2MetricStatus[]; reason?: string } = {},
  ): HpaPlan => {
    const rescale = desired !== current;
    const events: HpaEvent[] = [...(extra.events ?? [])];
    if (rescale)
      events.push({
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message: `New size: ${desired}; reason: ${extra.reason ?? "the scale was outside the HPA's bounds"}`,
      });
    return {
      ...(rescale ? { rescale: desired } : {}),
      ...(extra.recommendation !== undefined ? { recommendation: extra.recommendation } : {}),
      status: {
        ...base,
        currentReplicas: current,
        desiredReplicas: desired,
        ...(rescale ? { lastScaleTime: timestamp(now) } : {}),
        ...(extra.metricsStatus ? { currentMetrics: extra.metricsStatus } : {}),
        conditions: conditions(old?.conditions, now, {
          AbleToScale: rescale
            ? [true, 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`]
            : [true, 'ReadyForNewScale', 'recommended size matches current size'],
          ...set,
        }),
      },
      events,
    };
  };
  if (current === 0 && minReplicas !== 0) {
    return finish(0, {
      ScalingActive: [false, 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero'],
    });
  }
  if (current > maxReplicas)
    return finish(
      maxReplicas,
      { ScalingLimited: [true, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count'] },
      { reason: 'Current number of replicas above Spec.MaxReplicas' },
    );
  if (current < minReplicas)
    return finish(
      minReplicas,
      { ScalingLimited: [true, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'] },
      { reason: 'Current number of replicas below Spec.MinReplicas' },
    );
  if ('error' in input.metrics) {
    const message = `the HPA was unable to compute the replica count: unable to get metrics for resource: ${input.metrics.error}`;
    return finish(
      current,
      { ScalingActive: [false, 'FailedGetResourceMetric', message] },
      { events: [{ type: 'Warning', reason: 'FailedGetResourceMetric', message }] },
    );
  }
  let best: { replicas: number; describe: string } | undefined;
  const statuses: V2MetricStatus[] = [];
  const failures: HpaEvent[] = [];
  for (const metric of spec?.metrics ?? []) {
    const out = evaluate(metric, current, input.pods, input.metrics, now);
    if (out.status) statuses.push(out.status);
    if (!out.proposal.ok) {
      failures.push({ type: 'Warning', reason: out.proposal.reason, message: out.proposal.message });
      continue;
    }
    if (!best || out.proposal.replicas > best.replicas)
      best = { replicas: out.proposal.replicas, describe: out.describe };
  }
  // Upstream: when some metrics fail, scale only up (a failed metric might have asked for more).
  if (!best || (failures.length > 0 && best.replicas <= current)) {
    const why = failures[0] ?? {
      type: 'Warning' as const,
      reason: 'FailedComputeMetricsReplicas',
      message: 'no metrics to scale on',
    };
    return finish(
      current,
      { ScalingActive: [false, why.reason, `the HPA was unable to compute the replica count: ${why.message}`] },
      { events: failures, metricsStatus: statuses },
    );
  }
  const stabilized = stabilize(
    current,
    best.replicas,
    input.recommendations,
    spec?.behavior as Behavior | undefined,
    now,
  );
  const decision = applyBehavior(
    current,
    stabilized,
    input.scaleEvents,
    spec?.behavior as Behavior | undefined,
    { minReplicas, maxReplicas },
    now,
  );
  const direction = decision.replicas > current ? 'above' : 'below';
  return finish(
    decision.replicas,
    {
      ScalingActive: [
        true,
        'ValidMetricFound',
        `the HPA was able to successfully calculate a replica count from ${best.describe}`,
      ],
      ScalingLimited: decision.limited
        ? [true, decision.limited.reason, decision.limited.message]
        : [false, 'DesiredWithinRange', 'the desired count is within the acceptable range'],
    },
    {
      recommendation: best.replicas,
      metricsStatus: statuses,
      events: failures,
      reason: `${best.describe} ${direction} target`,
    },
  );
}
