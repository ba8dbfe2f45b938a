// The Job controller's runner: informers on Jobs and pods (read by owner UID), expectations for
// creations and for counted pods, pod creations and deletions through PodControl, the release of orphaned pods' tracking finalizers, and the API calls that carry
// out reconcileJob (ttlSecondsAfterFinished included: the Job is deleted in the background).
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { controllerRef } from '../common/pods.js';
import { groupRuns } from '../common/pod-runs.js';
import { PODS } from '../replicaset/controller.js';
import {
  type ControllerContext, EventRecorder, Expectations, type Informer, isStatus, keyOf, OWNER_UID_INDEX, ownerUidIndex, PodControl, QueueController,
} from '@wharf/client';
import { hasTrackingFinalizer, TRACKING_FINALIZER } from './pods.js';
import { reconcileJob, type JobAction } from './reconcile.js';

export const JOBS = '/apis/batch/v1/jobs';
const ORPHAN = 'orphan-pod:';

export class JobController extends QueueController {
  private readonly jobs: Informer<V1Job>;
  private readonly pods: Informer<V1Pod>;
  private readonly expectations: Expectations;
  private readonly events: EventRecorder;
  private readonly podControl: PodControl;
  /** Pod uids whose finalizer was removed after counting, per Job key, until the cache shows it. */
  private readonly counted = new Map<string, Set<string>>();
  /** The resourceVersion of our last status write per Job: an older cached Job waits for it. */
  private readonly written = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    super(ctx, 'job');
    this.jobs = ctx.informers.for<V1Job>(JOBS);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.pods.addIndexer(OWNER_UID_INDEX, ownerUidIndex);
    this.expectations = new Expectations(() => ctx.clock.now());
    this.events = new EventRecorder({ client: ctx.client, component: 'job-controller', clock: ctx.clock, onError: (e) => ctx.log('job: event', e) });
    this.podControl = new PodControl({ client: ctx.client, events: this.events, expectations: this.expectations });
    this.jobs.on((type, job) => {
      const key = keyOf(job);
      if (type === 'delete') {
        this.expectations.forget(key);
        this.counted.delete(key);
        this.written.delete(key);
      }
      this.queue.add(key);
    });
    this.pods.on((type, pod) => {
      const ref = controllerRef(pod);
      if (ref?.kind !== 'Job') return;
      const key = `${pod.metadata?.namespace}/${ref.name}`;
      if (type === 'add') this.expectations.observeAdd(key);
      const uid = pod.metadata?.uid ?? '';
      if (type === 'delete' || !hasTrackingFinalizer(pod)) this.counted.get(key)?.delete(uid);
      if (type === 'delete') this.expectations.observeDelete(key);
      if (type !== 'delete' && hasTrackingFinalizer(pod)) this.queue.add(`${ORPHAN}${keyOf(pod)}`);
      this.queue.add(key);
    });
  }

  protected async sync(key: string): Promise<void> {
    if (key.startsWith(ORPHAN)) return this.releaseOrphan(key.slice(ORPHAN.length));
    const job = this.jobs.getByKey(key);
    if (!job) return;
    const seen = Number(job.metadata?.resourceVersion ?? 0);
    if (seen < (this.written.get(key) ?? 0)) return; // the informer will bring our own write
    const pods = this.pods.byIndex(OWNER_UID_INDEX, job.metadata?.uid ?? '');
    const plan = reconcileJob(job, { pods, now: this.ctx.clock.now(), canManagePods: this.expectations.satisfied(key), counted: this.counted.get(key) ?? new Set() });
    const creates = plan.actions.filter((a) => a.type === 'createPod').length;
    const deletes = plan.actions.filter((a) => a.type === 'deletePod').length;
    if (creates || deletes) this.expectations.expect(key, creates, deletes);
    const target = { ...job, apiVersion: 'batch/v1', kind: 'Job' };
    for (const run of groupRuns(plan.actions, ['createPod', 'deletePod'])) {
      const a = run[0]!;
      if (a.type === 'createPod') await this.podControl.createPods(key, target, run.map(podOf));
      else if (a.type === 'deletePod') await this.podControl.deletePods(key, target, run.map(podOf));
      else await this.apply(key, job, a);
    }
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  /** A pod whose Job is gone (or is not its controller any more) must not keep its finalizer. */
  private async releaseOrphan(podKey: string): Promise<void> {
    const pod = this.pods.getByKey(podKey);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRef(pod);
    const job = ref ? this.jobs.get(pod.metadata?.namespace ?? '', ref.name) : undefined;
    if (job && job.metadata?.uid === ref?.uid) return;
    await this.removeFinalizer(pod);
  }

  private async removeFinalizer(pod: V1Pod): Promise<void> {
    const finalizers = (pod.metadata?.finalizers ?? []).filter((f) => f !== TRACKING_FINALIZER);
    await this.ctx.client
      .patch(`/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`, { metadata: { finalizers: finalizers.length ? finalizers : null, uid: pod.metadata?.uid } })
      .catch((e: unknown) => {
        if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
      });
  }

  private async apply(key: string, job: V1Job, a: JobAction): Promise<void> {
    const ns = job.metadata?.namespace ?? 'default';
    const c = this.ctx.client;
    const target = { ...job, apiVersion: 'batch/v1', kind: 'Job' };
    switch (a.type) {
      case 'status': {
        // A merge patch: fields the new status dropped are removed explicitly.
        const body: Record<string, unknown> = { ...a.status };
        for (const k of [...Object.keys(job.status ?? {}), 'uncountedTerminatedPods']) if (!(k in body)) body[k] = null;
        const res = await c.patch<V1Job>(`/apis/batch/v1/namespaces/${ns}/jobs/${job.metadata?.name}/status`, { status: body });
        this.written.set(key, Number(res.metadata?.resourceVersion ?? 0));
        return;
      }
      case 'removeFinalizer': {
        await this.removeFinalizer(a.pod);
        let set = this.counted.get(key);
        if (!set) this.counted.set(key, (set = new Set()));
        set.add(a.pod.metadata?.uid ?? '');
        return;
      }
      case 'createPod':
      case 'deletePod':
        throw new Error(`${a.type} goes through PodControl`);
      case 'deleteJob':
        await c.delete(`/apis/batch/v1/namespaces/${ns}/jobs/${job.metadata?.name}`, { propagationPolicy: 'Background', preconditions: { uid: job.metadata?.uid } }).catch((e: unknown) => {
          if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
        });
        return;
      case 'event':
        this.events.emit(target, a.eventType, a.reason, a.message);
        return;
    }
  }
}

function podOf(a: JobAction): V1Pod {
  return (a as { pod: V1Pod }).pod;
}
