// The CronJob controller's decisions, without I/O (after cronjob_controllerv2.go): the active
// list and last times from the Jobs it owns, the most recent missed activation (timeZone,
// startingDeadlineSeconds), concurrencyPolicy Allow/Forbid/Replace, suspend, Jobs named
// `<cronjob>-<scheduled minute>`, and history limits.
import type { V1CronJob, V1CronJobStatus, V1Job, V1ObjectReference } from '@kubernetes/client-node';
import { clone, ownerRefTo, stableJson } from '../common/pods.js';
import { timeOf, timestamp } from '@wharf/client';
import { conditionOf } from '../job/reconcile.js';
import { mostRecent, nextAfter, parseSchedule, ScheduleError, type Schedule } from './schedule.js';

export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const MAX_REQUEUE_MS = 3_600_000;

export type CronJobAction =
  | { readonly type: 'createJob'; readonly job: V1Job }
  | { readonly type: 'deleteJob'; readonly job: V1Job; readonly reason: string }
  | { readonly type: 'status'; readonly status: V1CronJobStatus }
  | {
      readonly type: 'event';
      readonly eventType: 'Normal' | 'Warning';
      readonly reason: string;
      readonly message: string;
    };

export interface CronJobObserved {
  /** Jobs controlled by the CronJob. */
  readonly jobs: readonly V1Job[];
  readonly now: number;
}

export interface CronJobPlan {
  readonly actions: CronJobAction[];
  readonly requeueAfterMs?: number;
}

export function jobName(cj: V1CronJob, scheduled: number): string {
  return `${cj.metadata?.name}-${Math.floor(scheduled / 60_000)}`;
}

function finishedType(job: V1Job): 'Complete' | 'Failed' | undefined {
  if (conditionOf(job.status, 'Complete')) return 'Complete';
  if (conditionOf(job.status, 'Failed')) return 'Failed';
  return undefined;
}

function refOf(job: V1Job): V1ObjectReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: job.metadata?.name,
    namespace: job.metadata?.namespace,
    uid: job.metadata?.uid,
    resourceVersion: job.metadata?.resourceVersion,
  };
}

export function jobFromTemplate(cj: V1CronJob, scheduled: number): V1Job {
  const t = cj.spec?.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(cj, scheduled),
      namespace: cj.metadata?.namespace ?? 'default',
      labels: { ...(t?.metadata?.labels ?? {}) },
      annotations: {
        ...(t?.metadata?.annotations ?? {}),
        [SCHEDULED_TIMESTAMP]: timestamp(scheduled) as unknown as string,
      },
      ownerReferences: [ownerRefTo(cj, 'batch/v1', 'CronJob')],
    },
    spec: clone(t?.spec ?? { template: { spec: { containers: [] } } }),
  };
}

export function reconcileCronJob(cj: V1CronJob, observed: CronJobObserved): CronJobPlan {
  const actions: CronJobAction[] = [];
  const now = observed.now;
  const old = cj.status ?? {};
  const status: V1CronJobStatus = clone(old);
  const event = (eventType: 'Normal' | 'Warning', reason: string, message: string): void => {
    actions.push({ type: 'event', eventType, reason, message });
  };

  // 1. The active list and lastSuccessfulTime from the Jobs.
  const byName = new Map(observed.jobs.map((j) => [j.metadata?.name, j]));
  const active: V1ObjectReference[] = [];
  for (const ref of old.active ?? []) {
    const job = byName.get(ref.name);
    if (!job || (ref.uid && job.metadata?.uid !== ref.uid)) {
      event('Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      continue;
    }
    if (!finishedType(job)) active.push(refOf(job));
  }
  let lastSuccess = timeOf(old.lastSuccessfulTime);
  for (const job of observed.jobs) {
    const fin = finishedType(job);
    const wasActive = (old.active ?? []).some((r) => r.name === job.metadata?.name);
    if (!fin && !active.some((r) => r.name === job.metadata?.name)) active.push(refOf(job));
    if (fin && wasActive)
      event('Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata?.name}, condition: ${fin}`);
    if (fin === 'Complete') {
      const done = timeOf(job.status?.completionTime);
      if (Number.isFinite(done) && !(done <= lastSuccess)) lastSuccess = done;
    }
  }
  active.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  if (active.length) status.active = active;
  else delete status.active;
  if (Number.isFinite(lastSuccess)) status.lastSuccessfulTime = timestamp(lastSuccess);

  // 2. History limits.
  actions.push(...cleanupHistory(cj, observed.jobs));

  let requeueAfterMs: number | undefined;
  const finish = (): CronJobPlan => {
    const withoutRv = (s: V1CronJobStatus): string =>
      stableJson({ ...s, active: (s.active ?? []).map((r) => ({ ...r, resourceVersion: undefined })) });
    if (withoutRv(status) !== withoutRv(old)) actions.push({ type: 'status', status });
    return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
  };
  if (cj.metadata?.deletionTimestamp) return finish();

  // 3. The schedule.
  let schedule: Schedule;
  try {
    schedule = parseSchedule(cj.spec?.schedule ?? '', cj.spec?.timeZone ?? 'UTC');
  } catch (e) {
    const reason =
      e instanceof ScheduleError && /time zone/.test(e.message) ? 'UnknownTimeZone' : 'UnparseableSchedule';
    event('Warning', reason, `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${(e as Error).message}`);
    return finish();
  }
  if (cj.spec?.suspend) return finish();
  // A schedule that parses yet never comes (0 0 30 2 *): upstream's mostRecentScheduleTime finds
  // no two start times and the controller says so, then waits for the spec to change.
  if (nextAfter(schedule, now) === undefined) {
    event(
      'Warning',
      'InvalidSchedule',
      `invalid schedule: ${cj.spec?.schedule ?? ''} : time difference between two schedules is less than 1 second`,
    );
    return finish();
  }
  const requeueAtNext = (): void => {
    const next = nextAfter(schedule, now);
    // Capped: timers longer than 24.8 days overflow, and a clock may jump.
    if (next !== undefined) requeueAfterMs = Math.min(next - now + 100, MAX_REQUEUE_MS);
  };
  const deadline = cj.spec?.startingDeadlineSeconds;
  let earliest = timeOf(old.lastScheduleTime ?? cj.metadata?.creationTimestamp);
  if (!Number.isFinite(earliest)) earliest = now;
  if (deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
  const recent = mostRecent(schedule, earliest, now);
  if (recent.missed > 100) {
    event(
      'Warning',
      'TooManyMissedTimes',
      `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
    );
  }
  const scheduled = recent.time;
  requeueAtNext();
  if (scheduled === undefined) return finish();
  if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
    event(
      'Warning',
      'MissSchedule',
      `Missed scheduled time to start a job: ${timestamp(scheduled) as unknown as string}`,
    );
    return finish();
  }
  const name = jobName(cj, scheduled);
  if (active.some((r) => r.name === name) || timeOf(old.lastScheduleTime) === scheduled) return finish();
  const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) {
    event(
      'Normal',
      'JobAlreadyActive',
      'Not starting job because prior execution is running and concurrency policy is Forbid',
    );
    return finish();
  }
  if (policy === 'Replace') {
    for (const ref of active.splice(0)) {
      const job = byName.get(ref.name);
      if (job) actions.push({ type: 'deleteJob', job, reason: 'replaced' });
    }
  }
  if (byName.has(name)) {
    // Created by an earlier sync whose status write was lost: record it, do not create it twice.
    const job = byName.get(name) as V1Job;
    if (!finishedType(job) && !active.some((r) => r.name === name)) active.push(refOf(job));
  } else {
    const job = jobFromTemplate(cj, scheduled);
    actions.push({ type: 'createJob', job });
    active.push({ apiVersion: 'batch/v1', kind: 'Job', name, namespace: job.metadata?.namespace });
  }
  status.active = active;
  status.lastScheduleTime = timestamp(scheduled);
  return finish();
}

function startOf(job: V1Job): number {
  const t = timeOf(job.status?.startTime);
  return Number.isFinite(t) ? t : timeOf(job.metadata?.creationTimestamp);
}

/** Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit. */
export function cleanupHistory(cj: V1CronJob, jobs: readonly V1Job[]): CronJobAction[] {
  const out: CronJobAction[] = [];
  const trim = (type: 'Complete' | 'Failed', limit: number | undefined): void => {
    if (limit === undefined || limit === null) return;
    const done = jobs
      .filter((j) => finishedType(j) === type && !j.metadata?.deletionTimestamp)
      .sort((a, b) => startOf(a) - startOf(b));
    for (const job of done.slice(0, Math.max(0, done.length - limit)))
      out.push({ type: 'deleteJob', job, reason: 'history limit' });
  };
  trim('Complete', cj.spec?.successfulJobsHistoryLimit ?? 3);
  trim('Failed', cj.spec?.failedJobsHistoryLimit ?? 1);
  return out;
}
