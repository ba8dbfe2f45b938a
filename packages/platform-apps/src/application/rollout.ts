// The health-gated rollout as a state machine kept in status.rollout (so a controller restart
// resumes it): Canary (one pod per component of the new revision, beside the old revision at full
// size) → Promoting, in steps (each step first takes old pods out of the Service, then scales the
// old revision down and the new one up by at most maxSurge + maxUnavailable pods, so there are
// never more than replicas + maxSurge pods nor fewer than replicas − maxUnavailable serving) →
// Finishing (the last old pods leave the Service, then go). A failed step goes to RollingBack: the
// new pods leave the Service, then go, the old revision is back at full size, and the revision is
// marked Failed. Pods leave the Service by a label change before they are deleted, so no request
// reaches a pod that is shutting down.
import type { V1Pod } from '@kubernetes/client-node';
import { SERVING } from '../common/labels.js';
import { type ApplicationRevision, type ApplicationSpec, DEFAULTS, LABELS, type RolloutStatus } from '../types.js';
import { assessStep, isPodReady, msOf, type StepVerdict } from './health.js';

export interface RolloutInputs {
  readonly spec: ApplicationSpec;
  /** The rollout in progress, if any. */
  readonly rollout: RolloutStatus | undefined;
  /** The current (fully rolled out) revision number, if any. */
  readonly current: number | undefined;
  /** The revision to roll out: the newest, unless it failed. */
  readonly target: ApplicationRevision | undefined;
  readonly pods: readonly V1Pod[];
  readonly now: number;
  readonly drainMs: number;
}

/**
 * Replicas of a revision's Deployments: a number per component, all of them, as they are (while
 * draining), or a function of the component's replicas (a promotion step).
 */
export type Scale = number | 'full' | 'keep' | ((replicas: number) => number);

export type RolloutEvent = { readonly type: 'Normal' | 'Warning'; readonly reason: string; readonly message: string };

export interface RolloutStep {
  readonly rollout: RolloutStatus | undefined;
  /** Replicas per revision number and component: what the Deployments should run now. */
  readonly replicas: ReadonlyMap<number, Scale>;
  /** Pods to take out of the Service. */
  readonly drain: string[];
  /** Pods drained by a promotion step to put back into the Service (the rollout was rolled back). */
  readonly restore?: string[];
  /** Set when the rollout completed: the new current revision. */
  readonly completed?: number;
  /** Set when a rollback completed: the revision that failed, and why. */
  readonly failed?: { readonly revision: number; readonly message: string };
  /** A first rollout (nothing to roll back to) whose pods fail: shown as Degraded. */
  readonly failing?: StepVerdict & { state: 'failed' };
  readonly events: RolloutEvent[];
  readonly recheckMs: number | undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();
export const revisionOfPod = (p: V1Pod): number => Number(p.metadata?.labels?.[LABELS.revision] ?? NaN);
const serving = (p: V1Pod): boolean => p.metadata?.labels?.[SERVING] === 'true' && !p.metadata?.deletionTimestamp;

export function stepRollout(i: RolloutInputs): RolloutStep {
  const events: RolloutEvent[] = [];
  const replicas = new Map<number, Scale>();
  if (i.current !== undefined) replicas.set(i.current, 'full');
  let ro = i.rollout;
  const target = i.target?.spec.revision;
  if (ro && (ro.phase === 'Canary' || ro.phase === 'Promoting') && target !== undefined && target !== ro.revision) {
    events.push({
      type: 'Normal',
      reason: 'Superseded',
      message: `revision ${ro.revision} is replaced by revision ${target} before it finished rolling out`,
    });
    ro = {
      ...ro,
      phase: 'RollingBack',
      drainUntil: iso(i.now + i.drainMs),
      superseded: true,
      message: `superseded by revision ${target}`,
    };
  }
  if (!ro) {
    if (target === undefined || target === i.current)
      return { rollout: undefined, replicas, drain: [], events, recheckMs: undefined };
    const from = i.current ?? 0;
    ro = { revision: target, from, phase: from ? 'Canary' : 'Promoting', stepStarted: iso(i.now) };
    events.push({
      type: 'Normal',
      reason: 'RolloutStarted',
      message: `rolling out revision ${target} (${i.target?.spec.cause ?? 'change'})${from ? `: one canary pod per component first, then the rest; revision ${from} keeps serving` : ''}`,
    });
  }
  const pods = i.pods.filter((p) => revisionOfPod(p) === ro.revision);
  const step = (expected: number): StepVerdict =>
    assessStep({
      pods,
      expected,
      now: i.now,
      stepStarted: msOf(ro.stepStarted) ?? i.now,
      readySince: msOf(ro.readySince),
      analysisMs: (i.spec.rollout?.analysisSeconds ?? DEFAULTS.analysisSeconds) * 1000,
      deadlineMs: (i.spec.rollout?.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds) * 1000,
    });
  const rollBack = (v: StepVerdict & { state: 'failed' }): RolloutStep => {
    const next: RolloutStatus = { ...ro, phase: 'RollingBack', drainUntil: iso(i.now + i.drainMs), message: v.message };
    events.push({
      type: 'Warning',
      reason: 'RollingBack',
      message: `revision ${ro.revision} failed its health gate (${v.reason}: ${v.message}); rolling back to revision ${ro.from}`,
    });
    replicas.set(ro.revision, 'keep');
    return {
      rollout: next,
      replicas,
      drain: pods.filter(serving).map(name),
      restore: drainedOld(i, ro.revision),
      events,
      recheckMs: i.drainMs,
    };
  };
  switch (ro.phase) {
    case 'Canary': {
      replicas.set(ro.revision, 1);
      const v = step(i.spec.components.filter((c) => (c.replicas ?? DEFAULTS.replicas) > 0).length);
      if (v.state === 'failed') return rollBack(v);
      if (v.state === 'passed') {
        const steps = stepsOf(i.spec);
        events.push({
          type: 'Normal',
          reason: 'CanaryPassed',
          message: `revision ${ro.revision}: the canary stayed Ready; rolling out the rest in ${steps} step(s)`,
        });
        return {
          rollout: { ...ro, phase: 'Promoting', step: 1, stepStarted: iso(i.now), readySince: undefined },
          replicas,
          drain: [],
          events,
          recheckMs: 0,
        };
      }
      return {
        rollout: { ...ro, readySince: v.readySince === undefined ? undefined : iso(v.readySince) },
        replicas,
        drain: [],
        events,
        recheckMs: v.recheckMs,
      };
    }
    case 'Promoting': {
      // A first rollout has nothing to replace: all replicas at once. Otherwise one step at a time.
      const k = ro.from ? (ro.step ?? 1) : undefined;
      if (k !== undefined && i.current !== undefined) {
        const toDrain = oldPodsOver(i, ro.revision, (r) => oldCount(i.spec, r, k));
        const left = (msOf(ro.drainUntil) ?? 0) - i.now;
        if (toDrain.length || left > 0) {
          // Old pods leave the Service first; the Deployments change once they are out.
          replicas.set(i.current, 'keep');
          replicas.set(ro.revision, 'keep');
          const drainUntil = toDrain.length ? iso(i.now + i.drainMs) : ro.drainUntil;
          return {
            rollout: { ...ro, drainUntil, stepStarted: iso(i.now) },
            replicas,
            drain: toDrain,
            events,
            recheckMs: toDrain.length ? i.drainMs : left,
          };
        }
        replicas.set(i.current, (r) => oldCount(i.spec, r, k));
      }
      const last = k === undefined || k >= stepsOf(i.spec);
      replicas.set(ro.revision, last ? 'full' : (r) => newCount(i.spec, r, k));
      const expected = i.spec.components.reduce(
        (n, c) => n + (last ? (c.replicas ?? DEFAULTS.replicas) : newCount(i.spec, c.replicas ?? DEFAULTS.replicas, k)),
        0,
      );
      // Intermediate steps need their pods Ready; the analysis runs on the last one (and the canary).
      const v = last
        ? step(expected)
        : assessStep({
            pods,
            expected,
            now: i.now,
            stepStarted: msOf(ro.stepStarted) ?? i.now,
            readySince: undefined,
            analysisMs: 0,
            deadlineMs: (i.spec.rollout?.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds) * 1000,
          });
      if (v.state === 'failed') {
        if (ro.from) return rollBack(v);
        // Nothing to go back to: keep trying, and say why it does not work.
        return { rollout: ro, replicas, drain: [], events, failing: v, recheckMs: 2000 };
      }
      if (v.state === 'passed' && !last) {
        return {
          rollout: { ...ro, step: (k ?? 0) + 1, stepStarted: iso(i.now), readySince: undefined, drainUntil: undefined },
          replicas,
          drain: [],
          events,
          recheckMs: 0,
        };
      }
      if (v.state === 'passed') {
        const old = i.pods.filter((p) => revisionOfPod(p) !== ro.revision && serving(p)).map(name);
        return {
          rollout: { ...ro, phase: 'Finishing', drainUntil: iso(i.now + (old.length ? i.drainMs : 0)) },
          replicas,
          drain: old,
          events,
          recheckMs: old.length ? i.drainMs : 0,
        };
      }
      return {
        rollout: { ...ro, readySince: v.readySince === undefined ? undefined : iso(v.readySince) },
        replicas,
        drain: [],
        events,
        recheckMs: v.recheckMs,
      };
    }
    case 'Finishing': {
      replicas.set(ro.revision, 'full');
      // The old revision stays at the size of the last step while its pods drain.
      if (i.current !== undefined) replicas.set(i.current, 'keep');
      const old = i.pods.filter((p) => revisionOfPod(p) !== ro.revision && serving(p)).map(name);
      const left = (msOf(ro.drainUntil) ?? 0) - i.now;
      if (left > 0) return { rollout: ro, replicas, drain: old, events, recheckMs: left };
      if (i.current !== undefined) replicas.delete(i.current);
      events.push({
        type: 'Normal',
        reason: 'RolledOut',
        message: `revision ${ro.revision} is rolled out${ro.from ? ` (replacing revision ${ro.from})` : ''}`,
      });
      return { rollout: undefined, replicas, drain: [], events, completed: ro.revision, recheckMs: undefined };
    }
    case 'RollingBack': {
      const mine = pods.filter(serving).map(name);
      const left = (msOf(ro.drainUntil) ?? 0) - i.now;
      const restore = drainedOld(i, ro.revision);
      if (left > 0) {
        replicas.set(ro.revision, 'keep');
        return { rollout: ro, replicas, drain: mine, restore, events, recheckMs: left };
      }
      if (!ro.superseded)
        events.push({
          type: 'Warning',
          reason: 'RolledBack',
          message: `rolled back from revision ${ro.revision} to revision ${ro.from}: ${ro.message ?? 'health gate failed'}`,
        });
      return {
        rollout: undefined,
        replicas,
        drain: [],
        restore,
        events,
        ...(ro.superseded ? {} : { failed: { revision: ro.revision, message: ro.message ?? '' } }),
        recheckMs: 0,
      };
    }
  }
}

const name = (p: V1Pod): string => p.metadata?.name ?? '';

/** An int or a percentage of `replicas` (rounded up for a surge, down for unavailability). */
function resolve(v: number | string | undefined, replicas: number, up: boolean): number {
  if (typeof v === 'number') return v;
  const pct = Number(/^(\d+)%$/.exec(v ?? '')?.[1] ?? 0);
  const n = (pct * replicas) / 100;
  return up ? Math.ceil(n) : Math.floor(n);
}

/** Pods a promotion step may add above replicas, and remove below it (at least one pod moves per step). */
function budget(spec: ApplicationSpec, replicas: number): { surge: number; unavailable: number } {
  const surge = resolve(spec.rollout?.maxSurge ?? DEFAULTS.maxSurge, replicas, true);
  const unavailable = resolve(spec.rollout?.maxUnavailable ?? DEFAULTS.maxUnavailable, replicas, false);
  return surge + unavailable > 0 ? { surge, unavailable } : { surge: 1, unavailable: 0 };
}

/** New pods of a component at promotion step k (the canary is step 0, one pod). */
export function newCount(spec: ApplicationSpec, replicas: number, k: number): number {
  const { surge, unavailable } = budget(spec, replicas);
  return Math.min(replicas, 1 + k * (surge + unavailable));
}

/**
 * Old pods of a component at promotion step k: replicas + maxSurge in all, so the new pods of the
 * step before (all Ready) plus these are never fewer than replicas − maxUnavailable.
 */
export function oldCount(spec: ApplicationSpec, replicas: number, k: number): number {
  if (k <= 0) return replicas;
  return Math.max(0, Math.min(replicas, replicas + budget(spec, replicas).surge - newCount(spec, replicas, k)));
}

/** Promotion steps after the canary until every component runs all its replicas. */
export function stepsOf(spec: ApplicationSpec): number {
  let k = 1;
  while (
    k < 1000 &&
    spec.components.some((c) => newCount(spec, c.replicas ?? DEFAULTS.replicas, k) < (c.replicas ?? DEFAULTS.replicas))
  )
    k++;
  return k;
}

/** Serving pods of the old revisions above `keep(replicas)` per component, not-Ready ones first: the ones to drain. */
function oldPodsOver(i: RolloutInputs, revision: number, keep: (replicas: number) => number): string[] {
  const out: string[] = [];
  for (const c of i.spec.components) {
    const old = i.pods
      .filter((p) => revisionOfPod(p) !== revision && serving(p) && p.metadata?.labels?.[LABELS.component] === c.name)
      .sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || name(a).localeCompare(name(b)));
    out.push(...old.slice(0, Math.max(0, old.length - keep(c.replicas ?? DEFAULTS.replicas))).map(name));
  }
  return out;
}

/** Pods of the current revision a promotion step took out of the Service (still running). */
function drainedOld(i: RolloutInputs, revision: number): string[] {
  return i.pods
    .filter(
      (p) =>
        revisionOfPod(p) === i.current &&
        revisionOfPod(p) !== revision &&
        !serving(p) &&
        !p.metadata?.deletionTimestamp,
    )
    .map(name);
}
