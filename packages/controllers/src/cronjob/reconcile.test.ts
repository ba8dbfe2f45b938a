import type { V1CronJob, V1Job } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { jobFromTemplate, reconcileCronJob, SCHEDULED_TIMESTAMP, type CronJobAction } from './reconcile.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const MIN = 60_000;
const iso = (ms: number): Date => new Date(ms).toISOString().replace('.000Z', 'Z') as unknown as Date;

function cj(spec: Partial<V1CronJob['spec']> = {}, status: V1CronJob['status'] = {}): V1CronJob {
  return {
    metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', creationTimestamp: iso(T0) },
    spec: {
      schedule: '* * * * *',
      jobTemplate: {
        metadata: { labels: { app: 'tick' } },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
      },
      ...spec,
    } as V1CronJob['spec'],
    status,
  };
}
function job(c: V1CronJob, scheduled: number, state: 'active' | 'Complete' | 'Failed'): V1Job {
  const j = jobFromTemplate(c, scheduled);
  return {
    ...j,
    metadata: { ...j.metadata, uid: `uid-${scheduled}` },
    status:
      state === 'active'
        ? { active: 1, startTime: iso(scheduled) }
        : {
            startTime: iso(scheduled),
            completionTime: iso(scheduled + 5_000),
            conditions: [{ type: state, status: 'True' }],
          },
  };
}
const of = <T extends CronJobAction['type']>(a: CronJobAction[], t: T): Extract<CronJobAction, { type: T }>[] =>
  a.filter((x): x is Extract<CronJobAction, { type: T }> => x.type === t);

describe('reconcileCronJob', () => {
  it('creates the Job of the most recent activation, named by its minute, and requeues for the next', () => {
    const c = cj();
    const plan = reconcileCronJob(c, { jobs: [], now: T0 + 2 * MIN + 10_000 });
    const created = of(plan.actions, 'createJob');
    expect(created.map((a) => a.job.metadata?.name)).toEqual([`tick-${(T0 + 2 * MIN) / MIN}`]);
    expect(created[0]?.job.metadata?.annotations?.[SCHEDULED_TIMESTAMP]).toBe('2025-01-01T00:02:00Z');
    expect(created[0]?.job.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'CronJob',
      name: 'tick',
      controller: true,
    });
    expect(of(plan.actions, 'status')[0]?.status).toMatchObject({
      lastScheduleTime: '2025-01-01T00:02:00Z',
      active: [{ name: `tick-${(T0 + 2 * MIN) / MIN}` }],
    });
    expect(plan.requeueAfterMs).toBe(50_100);
  });

  it('says InvalidSchedule, as upstream, for a schedule that parses but never comes (February 30), and creates nothing', () => {
    const plan = reconcileCronJob(cj({ schedule: '0 0 30 2 *' }), { jobs: [], now: T0 + MIN });
    expect(of(plan.actions, 'createJob')).toEqual([]);
    expect(of(plan.actions, 'event')).toEqual([
      {
        type: 'event',
        eventType: 'Warning',
        reason: 'InvalidSchedule',
        message: 'invalid schedule: 0 0 30 2 * : time difference between two schedules is less than 1 second',
      },
    ]);
    expect(plan.requeueAfterMs).toBeUndefined();
  });

  it('does nothing while suspended, and nothing twice for the same activation', () => {
    expect(of(reconcileCronJob(cj({ suspend: true }), { jobs: [], now: T0 + MIN }).actions, 'createJob')).toEqual([]);
    const c = cj({}, { lastScheduleTime: iso(T0 + MIN) });
    expect(of(reconcileCronJob(c, { jobs: [], now: T0 + MIN + 30_000 }).actions, 'createJob')).toEqual([]);
  });

  it('skips an activation while one runs with Forbid, and replaces it with Replace', () => {
    const base = cj({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: iso(T0 + MIN) });
    const running = job(base, T0 + MIN, 'active');
    const status = {
      lastScheduleTime: iso(T0 + MIN),
      active: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: running.metadata?.name,
          namespace: 'default',
          uid: running.metadata?.uid,
        },
      ],
    };
    const forbid = reconcileCronJob({ ...base, status }, { jobs: [running], now: T0 + 2 * MIN });
    expect(of(forbid.actions, 'createJob')).toEqual([]);
    expect(of(forbid.actions, 'event').map((e) => e.reason)).toEqual(['JobAlreadyActive']);
    const replace = reconcileCronJob(
      { ...cj({ concurrencyPolicy: 'Replace' }), status },
      { jobs: [running], now: T0 + 2 * MIN },
    );
    expect(of(replace.actions, 'deleteJob').map((a) => a.job.metadata?.name)).toEqual([running.metadata?.name]);
    expect(of(replace.actions, 'createJob')).toHaveLength(1);
  });

  it('misses an activation past startingDeadlineSeconds', () => {
    const c = cj({ schedule: '0 * * * *', startingDeadlineSeconds: 60 }, { lastScheduleTime: iso(T0 - 60 * MIN) });
    const plan = reconcileCronJob(c, { jobs: [], now: T0 + 5 * MIN });
    expect(of(plan.actions, 'createJob')).toEqual([]);
  });

  it('keeps the active list and lastSuccessfulTime from the Jobs and trims history', () => {
    const c = cj({ successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 }, { lastScheduleTime: iso(T0 + 5 * MIN) });
    const jobs = [
      job(c, T0 + MIN, 'Complete'),
      job(c, T0 + 2 * MIN, 'Complete'),
      job(c, T0 + 3 * MIN, 'Complete'),
      job(c, T0 + 4 * MIN, 'Failed'),
      job(c, T0 + 5 * MIN, 'Failed'),
    ];
    const plan = reconcileCronJob(c, { jobs, now: T0 + 5 * MIN + 10_000 });
    expect(of(plan.actions, 'deleteJob').map((a) => a.job.metadata?.name)).toEqual([
      jobs[0]?.metadata?.name,
      jobs[3]?.metadata?.name,
    ]);
    expect(of(plan.actions, 'status')[0]?.status).toMatchObject({ lastSuccessfulTime: '2025-01-01T00:03:05Z' });
  });
});
