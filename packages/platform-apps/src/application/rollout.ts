// The health-gated rollout as a state machine kept in status.rollout (so a controller restart
// resumes it): Canary (one pod per component of the new revision, beside the old revision at full
// size) → Promoting (all replicas of the new revision) → Finishing (the old pods leave the
// Service, then go). A failed step goes to RollingBack: the new pods leave the Service, then go,
// and the revision is marked Failed. Pods leave the Service by a label change before they are
// deleted, so no request reaches a pod that is shutting down.
import type { V1Pod } from '@kubernetes/client-node';
import { SERVING } from '../common/labels.js';
import { type ApplicationRevision, type ApplicationSpec, DEFAULTS, LABELS, type RolloutStatus } from '../types.js';
import { assessStep, msOf, type StepVerdict } from './health.js';

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

/** Replicas of a revision's Deployments: a number per component, all of them, or as they are (while draining). */
export type Scale = number | 'full' | 'keep';

export type RolloutEvent = { readonly type: 'Normal' | 'Warning'; readonly reason: string; readonly message: string };

export interface RolloutStep {
  readonly rollout: RolloutStatus | undefined;
  /** Replicas per revision number and component: what the Deployments should run now. */
  readonly replicas: ReadonlyMap<number, Scale>;
  /** Pods to take out of the Service. */
  readonly drain: string[];
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
    events.push({ type: 'Normal', reason: 'Superseded', message: `revision ${ro.revision} is replaced by revision ${target} before it finished rolling out` });
    ro = { ...ro, phase: 'RollingBack', drainUntil: iso(i.now + i.drainMs), superseded: true, message: `superseded by revision ${target}` };
  }
  if (!ro) {
    if (target === undefined || target === i.current) return { rollout: undefined, replicas, drain: [], events, recheckMs: undefined };
    const from = i.current ?? 0;
    ro = { revision: target, from, phase: from ? 'Canary' : 'Promoting', stepStarted: iso(i.now) };
    events.push({ type: 'Normal', reason: 'RolloutStarted', message: `rolling out revision ${target} (${i.target?.spec.cause ?? 'change'})${from ? `: one canary pod per component first, then the rest; revision ${from} keeps serving` : ''}` });
  }
  const pods = i.pods.filter((p) => revisionOfPod(p) === ro.revision);
  const step = (expected: number): StepVerdict => assessStep({
    pods, expected, now: i.now, stepStarted: msOf(ro.stepStarted) ?? i.now, readySince: msOf(ro.readySince),
    analysisMs: (i.spec.rollout?.analysisSeconds ?? DEFAULTS.analysisSeconds) * 1000,
    deadlineMs: (i.spec.rollout?.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds) * 1000,
  });
  const rollBack = (v: StepVerdict & { state: 'failed' }): RolloutStep => {
    const next: RolloutStatus = { ...ro, phase: 'RollingBack', drainUntil: iso(i.now + i.drainMs), message: v.message };
    events.push({ type: 'Warning', reason: 'RollingBack', message: `revision ${ro.revision} failed its health gate (${v.reason}: ${v.message}); rolling back to revision ${ro.from}` });
    replicas.set(ro.revision, 'keep');
    return { rollout: next, replicas, drain: pods.filter(serving).map(name), events, recheckMs: i.drainMs };
  };
  switch (ro.phase) {
    case 'Canary': {
      replicas.set(ro.revision, 1);
      const v = step(i.spec.components.filter((c) => (c.replicas ?? DEFAULTS.replicas) > 0).length);
      if (v.state === 'failed') return rollBack(v);
      if (v.state === 'passed') {
        events.push({ type: 'Normal', reason: 'CanaryPassed', message: `revision ${ro.revision}: the canary stayed Ready; scaling it to all replicas` });
        replicas.set(ro.revision, 'full');
        return { rollout: { ...ro, phase: 'Promoting', stepStarted: iso(i.now), readySince: undefined }, replicas, drain: [], events, recheckMs: 500 };
      }
      return { rollout: { ...ro, readySince: v.readySince === undefined ? undefined : iso(v.readySince) }, replicas, drain: [], events, recheckMs: v.recheckMs };
    }
    case 'Promoting': {
      replicas.set(ro.revision, 'full');
      const v = step(i.spec.components.reduce((n, c) => n + (c.replicas ?? DEFAULTS.replicas), 0));
      if (v.state === 'failed') {
        if (ro.from) return rollBack(v);
        // Nothing to go back to: keep trying, and say why it does not work.
        return { rollout: ro, replicas, drain: [], events, failing: v, recheckMs: 2000 };
      }
      if (v.state === 'passed') {
        const old = i.pods.filter((p) => revisionOfPod(p) !== ro.revision && serving(p)).map(name);
        return { rollout: { ...ro, phase: 'Finishing', drainUntil: iso(i.now + (old.length ? i.drainMs : 0)) }, replicas, drain: old, events, recheckMs: old.length ? i.drainMs : 0 };
      }
      return { rollout: { ...ro, readySince: v.readySince === undefined ? undefined : iso(v.readySince) }, replicas, drain: [], events, recheckMs: v.recheckMs };
    }
    case 'Finishing': {
      replicas.set(ro.revision, 'full');
      const old = i.pods.filter((p) => revisionOfPod(p) !== ro.revision && serving(p)).map(name);
      const left = (msOf(ro.drainUntil) ?? 0) - i.now;
      if (left > 0) return { rollout: ro, replicas, drain: old, events, recheckMs: left };
      if (i.current !== undefined) replicas.delete(i.current);
      events.push({ type: 'Normal', reason: 'RolledOut', message: `revision ${ro.revision} is rolled out${ro.from ? ` (replacing revision ${ro.from})` : ''}` });
      return { rollout: undefined, replicas, drain: [], events, completed: ro.revision, recheckMs: undefined };
    }
    case 'RollingBack': {
      const mine = pods.filter(serving).map(name);
      const left = (msOf(ro.drainUntil) ?? 0) - i.now;
      if (left > 0) {
        replicas.set(ro.revision, 'keep');
        return { rollout: ro, replicas, drain: mine, events, recheckMs: left };
      }
      if (!ro.superseded) events.push({ type: 'Warning', reason: 'RolledBack', message: `rolled back from revision ${ro.revision} to revision ${ro.from}: ${ro.message ?? 'health gate failed'}` });
      return { rollout: undefined, replicas, drain: [], events, ...(ro.superseded ? {} : { failed: { revision: ro.revision, message: ro.message ?? '' } }), recheckMs: 0 };
    }
  }
}

const name = (p: V1Pod): string => p.metadata?.name ?? '';
