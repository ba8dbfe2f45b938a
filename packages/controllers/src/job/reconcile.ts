// The Job controller's decisions, without I/O (after job_controller.go): pods up to parallelism
// until completions succeed (NonIndexed or Indexed), finished pods counted through the
// job-tracking finalizer and status.uncountedTerminatedPods, back-off after failures,
// backoffLimit and activeDeadlineSeconds (FailureTarget, then Failed), success
// (SuccessCriteriaMet, then Complete), suspend, and ttlSecondsAfterFinished.
import type { V1Job, V1JobCondition, V1JobStatus, V1Pod } from '@kubernetes/client-node';
import { clone, isReady, isTerminating, stableJson } from '../common/pods.js';
import { timeOf, timestamp } from '@wharf/client';
import { formatIndexes, indexOf, parseIndexes } from './indexes.js';
import { backoffMs, failed, finishTime, hasTrackingFinalizer, isIndexed, jobPod, succeeded } from './pods.js';

export type JobAction =
  | { readonly type: 'status'; readonly status: V1JobStatus }
  | { readonly type: 'removeFinalizer'; readonly pod: V1Pod }
  | { readonly type: 'createPod'; readonly pod: V1Pod }
  | { readonly type: 'deletePod'; readonly pod: V1Pod }
  | { readonly type: 'deleteJob' }
  | {
      readonly type: 'event';
      readonly eventType: 'Normal' | 'Warning';
      readonly reason: string;
      readonly message: string;
    };

export interface JobObserved {
  /** Pods controlled by the Job. */
  readonly pods: readonly V1Pod[];
  readonly now: number;
  readonly canManagePods: boolean;
  /** Pods whose finalizer this controller removed (and counted) though the cache may not show it yet. */
  readonly counted?: ReadonlySet<string>;
}

export interface JobPlan {
  readonly actions: JobAction[];
  readonly requeueAfterMs?: number;
}

/** Timers longer than 24.8 days overflow; long waits are re-checked hourly. */
const MAX_REQUEUE_MS = 3_600_000;

const MESSAGES: Record<string, string> = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  CompletionsReached: 'Reached expected number of succeeded pods',
};

/** A condition of the status that is True. */
export function conditionOf(s: V1JobStatus | undefined, type: string): V1JobCondition | undefined {
  return s?.conditions?.find((c) => c.type === type && c.status === 'True');
}

export function isFinished(job: V1Job): boolean {
  return !!conditionOf(job.status, 'Complete') || !!conditionOf(job.status, 'Failed');
}

function setCondition(
  s: V1JobStatus,
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: number,
): void {
  const cur = s.conditions?.find((c) => c.type === type);
  if (cur && cur.status === status && cur.reason === reason) return;
  const t = timestamp(now);
  const c: V1JobCondition = {
    type,
    status,
    reason,
    message,
    lastProbeTime: t,
    lastTransitionTime: cur && cur.status === status ? cur.lastTransitionTime : t,
  };
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== type), c];
}

/** When a finished Job is due for deletion by ttlSecondsAfterFinished. */
export function ttlDeadline(job: V1Job): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null) return undefined;
  const c = conditionOf(job.status, 'Complete') ?? conditionOf(job.status, 'Failed');
  const finished = timeOf(job.status?.completionTime ?? c?.lastTransitionTime);
  return Number.isFinite(finished) ? finished + ttl * 1000 : undefined;
}

export function reconcileJob(job: V1Job, observed: JobObserved): JobPlan {
  const actions: JobAction[] = [];
  const now = observed.now;
  const counted = observed.counted ?? new Set<string>();
  const uidOf = (p: V1Pod): string => p.metadata?.uid ?? '';
  if (isFinished(job)) {
    for (const p of observed.pods)
      if (hasTrackingFinalizer(p) && !counted.has(uidOf(p))) actions.push({ type: 'removeFinalizer', pod: p });
    const due = ttlDeadline(job);
    if (due === undefined) return { actions };
    if (due <= now) return { actions: [...actions, { type: 'deleteJob' }] };
    return { actions, requeueAfterMs: Math.min(due - now + 1, MAX_REQUEUE_MS) };
  }

  const old = job.status ?? {};
  const status: V1JobStatus = clone(old);
  const completions = job.spec?.completions ?? undefined;
  const suspended = job.spec?.suspend === true;
  const indexed = isIndexed(job) && completions !== undefined;
  const targetReached = !!conditionOf(old, 'FailureTarget') || !!conditionOf(old, 'SuccessCriteriaMet');

  // 1. Count finished pods through uncountedTerminatedPods, then remove their finalizers.
  const uncounted = {
    succeeded: [...(old.uncountedTerminatedPods?.succeeded ?? [])],
    failed: [...(old.uncountedTerminatedPods?.failed ?? [])],
  };
  const inUncounted = new Set([...uncounted.succeeded, ...uncounted.failed]);
  const toRelease: V1Pod[] = [];
  for (const p of observed.pods) {
    if (!hasTrackingFinalizer(p) || counted.has(uidOf(p))) continue;
    const ok = succeeded(p);
    // Pods deleted because of suspension, or after the Job's outcome is known, are not failures.
    const bad = failed(p) && !(isTerminating(p) && (suspended || targetReached));
    const gone = isTerminating(p) && !ok && !bad;
    if (!ok && !bad && !gone) continue;
    toRelease.push(p);
    if (inUncounted.has(uidOf(p)) || gone) continue;
    (ok ? uncounted.succeeded : uncounted.failed).push(uidOf(p));
    inUncounted.add(uidOf(p));
  }
  const newlyUncounted =
    uncounted.succeeded.length + uncounted.failed.length >
    (old.uncountedTerminatedPods?.succeeded?.length ?? 0) + (old.uncountedTerminatedPods?.failed?.length ?? 0);
  if (newlyUncounted)
    actions.push({ type: 'status', status: { ...clone(old), uncountedTerminatedPods: clone(uncounted) } });
  for (const p of toRelease) actions.push({ type: 'removeFinalizer', pod: p });
  const completed = parseIndexes(old.completedIndexes, completions ?? 0);
  for (const uid of uncounted.succeeded) {
    const pod = observed.pods.find((p) => uidOf(p) === uid);
    const i = pod ? indexOf(pod) : undefined;
    if (indexed && i !== undefined) completed.add(i);
  }
  status.succeeded = indexed ? completed.size : (old.succeeded ?? 0) + uncounted.succeeded.length;
  status.failed = (old.failed ?? 0) + uncounted.failed.length;
  if (indexed) status.completedIndexes = formatIndexes(completed);
  // Every uncounted pod is counted below (its finalizer goes in this sync): the list empties.
  delete status.uncountedTerminatedPods;

  // 2. Decide the outcome.
  const active = observed.pods.filter((p) => !isTerminating(p) && !succeeded(p) && p.status?.phase !== 'Failed');
  const terminating = observed.pods.filter(
    (p) => isTerminating(p) && hasTrackingFinalizer(p) && !counted.has(uidOf(p)),
  );
  if (!suspended && !status.startTime) status.startTime = timestamp(now);
  const backoffLimit = job.spec?.backoffLimit ?? 6;
  const deadline = job.spec?.activeDeadlineSeconds;
  const started = timeOf(status.startTime);
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number): void => {
    requeueAfterMs = Math.min(requeueAfterMs ?? ms, ms);
  };
  if (!targetReached) {
    let failReason: string | undefined;
    if ((status.failed ?? 0) > backoffLimit) failReason = 'BackoffLimitExceeded';
    else if (deadline !== undefined && deadline !== null && !suspended && Number.isFinite(started)) {
      const due = started + deadline * 1000;
      if (due <= now) failReason = 'DeadlineExceeded';
      else requeue(due - now + 1);
    }
    const done = indexed
      ? completed.size >= (completions ?? 0)
      : completions !== undefined
        ? (status.succeeded ?? 0) >= completions
        : (status.succeeded ?? 0) > 0 && active.length === 0;
    if (failReason) {
      setCondition(status, 'FailureTarget', 'True', failReason, MESSAGES[failReason] ?? failReason, now);
      actions.push({
        type: 'event',
        eventType: 'Warning',
        reason: failReason,
        message: MESSAGES[failReason] ?? failReason,
      });
    } else if (done) {
      setCondition(
        status,
        'SuccessCriteriaMet',
        'True',
        'CompletionsReached',
        MESSAGES.CompletionsReached as string,
        now,
      );
    }
  }
  const failure = conditionOf(status, 'FailureTarget');
  const success = conditionOf(status, 'SuccessCriteriaMet');

  // 3. Manage pods.
  let activeAfter = active;
  if (failure || success || suspended) {
    if (observed.canManagePods) for (const p of active) actions.push({ type: 'deletePod', pod: p });
    activeAfter = [];
    if (suspended && !failure && !success) {
      setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
      delete status.startTime;
    }
  } else {
    if (conditionOf(old, 'Suspended')) setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
    if (observed.canManagePods) {
      const plan = managePods(job, active, completed, status, observed.pods, now);
      actions.push(...plan.actions);
      activeAfter = plan.activeAfter;
      if (plan.requeueAfterMs !== undefined) requeue(plan.requeueAfterMs);
    }
  }

  // 4. The final condition once no pod is left running.
  if ((failure || success) && active.length === 0 && terminating.filter((p) => !toRelease.includes(p)).length === 0) {
    if (failure) {
      setCondition(status, 'Failed', 'True', failure.reason ?? 'BackoffLimitExceeded', failure.message ?? '', now);
    } else {
      setCondition(status, 'Complete', 'True', 'CompletionsReached', MESSAGES.CompletionsReached as string, now);
      status.completionTime = timestamp(now);
      actions.push({ type: 'event', eventType: 'Normal', reason: 'Completed', message: 'Job completed' });
    }
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl !== undefined && ttl !== null) requeue(ttl * 1000 + 1);
  }
  status.active = activeAfter.length + actions.filter((a) => a.type === 'createPod').length;
  status.ready = activeAfter.filter(isReady).length;
  status.terminating = observed.pods.filter(
    (p) => isTerminating(p) && !succeeded(p) && p.status?.phase !== 'Failed',
  ).length;
  if (stableJson(status) !== stableJson(old)) actions.push({ type: 'status', status });
  return requeueAfterMs === undefined
    ? { actions }
    : { actions, requeueAfterMs: Math.min(requeueAfterMs, MAX_REQUEUE_MS) };
}

interface ManagePlan {
  actions: JobAction[];
  activeAfter: V1Pod[];
  requeueAfterMs?: number;
}

/** Creates or deletes pods so that the active ones match what parallelism and completions want. */
function managePods(
  job: V1Job,
  active: V1Pod[],
  completed: ReadonlySet<number>,
  status: V1JobStatus,
  pods: readonly V1Pod[],
  now: number,
): ManagePlan {
  const actions: JobAction[] = [];
  const completions = job.spec?.completions ?? undefined;
  const parallelism = job.spec?.parallelism ?? 1;
  const indexed = isIndexed(job) && completions !== undefined;
  const succeededCount = status.succeeded ?? 0;
  let want: number;
  if (completions === undefined) want = succeededCount > 0 ? Math.min(active.length, parallelism) : parallelism;
  else want = Math.max(0, Math.min(parallelism, completions - (indexed ? completed.size : succeededCount)));
  let activeAfter = [...active];
  if (indexed) {
    // One active pod per index: duplicates and pods of completed or out-of-range indexes go.
    const seen = new Set<number>();
    for (const p of active) {
      const i = indexOf(p);
      if (i === undefined || i >= (completions ?? 0) || completed.has(i) || seen.has(i)) {
        actions.push({ type: 'deletePod', pod: p });
        activeAfter = activeAfter.filter((x) => x !== p);
      } else seen.add(i);
    }
  }
  if (activeAfter.length > want) {
    const excess = [...activeAfter]
      .sort(
        (a, b) =>
          Number(isReady(a)) - Number(isReady(b)) ||
          timeOf(b.metadata?.creationTimestamp) - timeOf(a.metadata?.creationTimestamp),
      )
      .slice(0, activeAfter.length - want);
    for (const p of excess) actions.push({ type: 'deletePod', pod: p });
    return { actions, activeAfter: activeAfter.filter((p) => !excess.includes(p)) };
  }
  // podReplacementPolicy Failed (the default with a podFailurePolicy): a pod still terminating
  // (on an unreachable node it may still run) is replaced only once it is gone or Failed.
  const waitForTerminating = job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;
  const stillTerminating = waitForTerminating
    ? pods.filter((p) => isTerminating(p) && !succeeded(p) && p.status?.phase !== 'Failed')
    : [];
  const missing = want - activeAfter.length - stillTerminating.length;
  if (missing <= 0) return { actions, activeAfter };
  // Back-off after failures since the newest success.
  const lastSuccess = Math.max(-Infinity, ...pods.filter(succeeded).map(finishTime));
  const failures = pods.filter((p) => failed(p) && finishTime(p) > lastSuccess);
  if (failures.length) {
    const lastFailure = Math.max(...failures.map(finishTime));
    const wait = lastFailure + backoffMs(failures.length) - now;
    if (wait > 0) return { actions, activeAfter, requeueAfterMs: wait + 1 };
  }
  if (indexed) {
    const taken = new Set([...activeAfter, ...stillTerminating].map(indexOf));
    let n = missing;
    for (let i = 0; i < (completions ?? 0) && n > 0; i++) {
      if (completed.has(i) || taken.has(i)) continue;
      actions.push({ type: 'createPod', pod: jobPod(job, i) });
      n--;
    }
  } else {
    for (let i = 0; i < missing; i++) actions.push({ type: 'createPod', pod: jobPod(job, undefined) });
  }
  return { actions, activeAfter };
}
