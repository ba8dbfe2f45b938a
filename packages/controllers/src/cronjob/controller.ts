// The CronJob controller's runner: informers on CronJobs and Jobs, a requeue at each next
// activation on the injected clock (tests run schedules in fake time), and the API calls that
// carry out reconcileCronJob.
import type { V1CronJob, V1Job, V1ObjectReference } from '@kubernetes/client-node';
import { controllerRef } from '../common/pods.js';
import { JOBS } from '../job/controller.js';
import {
  type ControllerContext,
  EventRecorder,
  type Informer,
  isStatus,
  keyOf,
  OWNER_UID_INDEX,
  ownerUidIndex,
  QueueController,
} from '@wharf/client';
import { reconcileCronJob, type CronJobAction } from './reconcile.js';

export const CRONJOBS = '/apis/batch/v1/cronjobs';

export class CronJobController extends QueueController {
  private readonly cronJobs: Informer<V1CronJob>;
  private readonly jobs: Informer<V1Job>;
  private readonly events: EventRecorder;
  /** The resourceVersion of our last status write per CronJob: an older cached one waits for it. */
  private readonly written = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    super(ctx, 'cronjob');
    this.cronJobs = ctx.informers.for<V1CronJob>(CRONJOBS);
    this.jobs = ctx.informers.for<V1Job>(JOBS);
    this.jobs.addIndexer(OWNER_UID_INDEX, ownerUidIndex);
    this.events = new EventRecorder({
      client: ctx.client,
      component: 'cronjob-controller',
      clock: ctx.clock,
      onError: (e) => ctx.logger.warn({ err: e }, 'writing an event failed'),
    });
    this.cronJobs.on((type, cj) => {
      if (type === 'delete') this.written.delete(keyOf(cj));
      this.queue.add(keyOf(cj));
    });
    this.jobs.on((_t, job) => {
      const ref = controllerRef(job);
      if (ref?.kind === 'CronJob') this.queue.add(`${job.metadata?.namespace}/${ref.name}`);
    });
  }

  protected async sync(key: string): Promise<void> {
    const cj = this.cronJobs.getByKey(key);
    if (!cj) return;
    if (Number(cj.metadata?.resourceVersion ?? 0) < (this.written.get(key) ?? 0)) return;
    const jobs = this.jobs.byIndex(OWNER_UID_INDEX, cj.metadata?.uid ?? '');
    const plan = reconcileCronJob(cj, { jobs, now: this.ctx.clock.now() });
    const created = new Map<string, V1Job>();
    for (const a of plan.actions) await this.apply(key, cj, a, created);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async apply(key: string, cj: V1CronJob, a: CronJobAction, created: Map<string, V1Job>): Promise<void> {
    const ns = cj.metadata?.namespace ?? 'default';
    const c = this.ctx.client;
    const target = { ...cj, apiVersion: 'batch/v1', kind: 'CronJob' };
    switch (a.type) {
      case 'createJob':
        try {
          const job = await c.create<V1Job>(`/apis/batch/v1/namespaces/${ns}/jobs`, a.job);
          created.set(job.metadata?.name ?? '', job);
          this.events.emit(target, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata?.name}`);
        } catch (e) {
          if (isStatus(e, 409)) {
            const job = await c.get<V1Job>(`/apis/batch/v1/namespaces/${ns}/jobs/${a.job.metadata?.name}`);
            if (controllerRef(job)?.uid === cj.metadata?.uid) {
              created.set(job.metadata?.name ?? '', job);
              return;
            }
          }
          this.events.emit(target, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
          throw e;
        }
        return;
      case 'deleteJob':
        try {
          await c.delete(`/apis/batch/v1/namespaces/${ns}/jobs/${a.job.metadata?.name}`, {
            propagationPolicy: 'Background',
            preconditions: { uid: a.job.metadata?.uid },
          });
          this.events.emit(target, 'Normal', 'SuccessfulDelete', `Deleted job ${a.job.metadata?.name}`);
        } catch (e) {
          if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
        }
        return;
      case 'status': {
        const fill = (r: V1ObjectReference): V1ObjectReference => {
          const job = r.uid ? undefined : created.get(r.name ?? '');
          return job ? { ...r, uid: job.metadata?.uid, resourceVersion: job.metadata?.resourceVersion } : r;
        };
        const status = { ...a.status, active: a.status.active ? a.status.active.map(fill) : null };
        const res = await c.patch<V1CronJob>(`/apis/batch/v1/namespaces/${ns}/cronjobs/${cj.metadata?.name}/status`, {
          status,
        });
        this.written.set(key, Number(res.metadata?.resourceVersion ?? 0));
        return;
      }
      case 'event':
        this.events.emit(target, a.eventType, a.reason, a.message);
        return;
    }
  }
}
