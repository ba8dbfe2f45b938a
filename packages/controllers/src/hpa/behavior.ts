// spec.behavior, as upstream applies it: a stabilization window per direction (the scale follows
// the most cautious recommendation of the window: the highest when going down, the lowest when
// going up), then the rate policies (Pods or Percent per period, over the scale events of that
// period; selectPolicy Max, Min or Disabled), then minReplicas and maxReplicas. Without a
// behavior, the defaults the API documents: up by max(4 pods, 100 %) per 15 s at once, down by
// 100 % per 15 s after a 300 s window.

export interface ScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

export interface ScalingRules {
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy?: 'Max' | 'Min' | 'Disabled';
  readonly policies?: readonly ScalingPolicy[];
}

export interface Behavior {
  readonly scaleUp?: ScalingRules;
  readonly scaleDown?: ScalingRules;
}

export const DEFAULT_SCALE_UP: Required<ScalingRules> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
export const DEFAULT_SCALE_DOWN: Required<ScalingRules> = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

const rulesOf = (given: ScalingRules | undefined, defaults: Required<ScalingRules>): Required<ScalingRules> => ({
  stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
  selectPolicy: given?.selectPolicy ?? defaults.selectPolicy,
  policies: given?.policies ?? defaults.policies,
});

/** A past recommendation (what the metrics asked for) and a past change of the scale. */
export interface Recommendation {
  readonly atMs: number;
  readonly replicas: number;
}
export interface ScaleEvent {
  readonly atMs: number;
  readonly change: number;
}

export interface Limits {
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export interface Decision {
  readonly replicas: number;
  /** Why the result differs from the stabilized recommendation, for the ScalingLimited condition. */
  readonly limited?: { readonly reason: string; readonly message: string };
}

/** The recommendation after the stabilization windows (upstream's stabilizeRecommendationWithBehaviors). */
export function stabilize(
  current: number,
  proposed: number,
  history: readonly Recommendation[],
  behavior: Behavior | undefined,
  now: number,
): number {
  const up = rulesOf(behavior?.scaleUp, DEFAULT_SCALE_UP);
  const down = rulesOf(behavior?.scaleDown, DEFAULT_SCALE_DOWN);
  let upFloor = proposed;
  let downCeiling = proposed;
  for (const r of history) {
    if (r.atMs > now - up.stabilizationWindowSeconds * 1000) upFloor = Math.min(upFloor, r.replicas);
    if (r.atMs > now - down.stabilizationWindowSeconds * 1000) downCeiling = Math.max(downCeiling, r.replicas);
  }
  // Upward only as far as every recommendation of the up window agrees; downward likewise.
  if (current < upFloor) return upFloor;
  if (current > downCeiling) return downCeiling;
  return current;
}

const changedWithin = (events: readonly ScaleEvent[], periodSeconds: number, now: number, sign: 1 | -1): number =>
  events
    .filter((e) => e.atMs > now - periodSeconds * 1000 && Math.sign(e.change) === sign)
    .reduce((s, e) => s + Math.abs(e.change), 0);

/** The furthest the rules let the scale move from `current` now, given the recent scale events. */
function limitOf(
  rules: Required<ScalingRules>,
  current: number,
  events: readonly ScaleEvent[],
  now: number,
  up: boolean,
): number {
  const sign = up ? 1 : -1;
  const candidates = rules.policies.map((p) => {
    // Each policy counts from the scale its period started with.
    const start = current - sign * changedWithin(events, p.periodSeconds, now, sign);
    if (p.type === 'Pods') return start + sign * p.value;
    // Upstream rounds a percentage up when growing and down (truncating) when shrinking.
    return up ? Math.ceil(start * (1 + p.value / 100)) : Math.trunc(start * (1 - p.value / 100));
  });
  // Max lets the scale move the most, Min the least.
  const most = up ? Math.max(...candidates) : Math.min(...candidates);
  const least = up ? Math.min(...candidates) : Math.max(...candidates);
  return rules.selectPolicy === 'Min' ? least : most;
}

/** Rate policies and bounds applied to the stabilized recommendation. */
export function applyBehavior(
  current: number,
  stabilized: number,
  events: readonly ScaleEvent[],
  behavior: Behavior | undefined,
  limits: Limits,
  now: number,
): Decision {
  const up = rulesOf(behavior?.scaleUp, DEFAULT_SCALE_UP);
  const down = rulesOf(behavior?.scaleDown, DEFAULT_SCALE_DOWN);
  if (stabilized > current) {
    if (up.selectPolicy === 'Disabled')
      return {
        replicas: current,
        limited: { reason: 'ScaleUpDisabled', message: 'scaling up is disabled by the scaleUp policy' },
      };
    const limit = Math.min(limitOf(up, current, events, now, true), limits.maxReplicas);
    const ceiling = Math.max(limit, current);
    if (stabilized > ceiling) {
      const byMax = limits.maxReplicas <= limitOf(up, current, events, now, true);
      return {
        replicas: ceiling,
        limited: byMax
          ? { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }
          : {
              reason: 'ScaleUpLimit',
              message: 'the desired replica count is increasing faster than the maximum scale rate',
            },
      };
    }
    return { replicas: stabilized };
  }
  if (stabilized < current) {
    if (down.selectPolicy === 'Disabled')
      return {
        replicas: current,
        limited: { reason: 'ScaleDownDisabled', message: 'scaling down is disabled by the scaleDown policy' },
      };
    const limit = Math.max(limitOf(down, current, events, now, false), limits.minReplicas);
    const floor = Math.min(limit, current);
    if (stabilized < floor) {
      const byMin = limits.minReplicas >= limitOf(down, current, events, now, false);
      return {
        replicas: floor,
        limited: byMin
          ? { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }
          : {
              reason: 'ScaleDownLimit',
              message: 'the desired replica count is decreasing faster than the maximum scale rate',
            },
      };
    }
    return { replicas: stabilized };
  }
  return { replicas: current };
}
