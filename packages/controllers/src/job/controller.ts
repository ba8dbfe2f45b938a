// The Job controller's runner: informers on Jobs and pods (read by owner UID), expectations for
// creations and for counted pods, pod creations and deletions through PodControl, the release of
// orphaned pods' tracking finalizers, and the API calls that carry out reconcileJob
// (ttlSecondsAfterFinished included: the Job is deleted in the background).
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { controllerRef } from '../common/pods.js';
import { PodOwnerController } from '../common/pod-owner-controller.js';
import { type ControllerContext, isStatus, keyOf } from '@wharf/client';
import { hasTrackingFinalizer, TRACKING_FINALIZER } from './pods.js';
import { reconcileJob, type JobAction } from './reconcile.js';

export const JOBS = '/apis/batch/v1/jobs';
const ORPHAN = 'orphan-pod:';

export class JobController extends PodOwnerController<V1Job> {
  /** Pod uids whose finalizer was removed after counting, per Job key, until the cache shows it. */
  private readonly counted = new Map<string, Set<string>>();
  /** The resourceVersion of our last status write per Job: an older cached Job waits for it. */
  private readonly written = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'job', path: JOBS, apiVersion: 'batch/v1', kind: 'Job' });
    this.owners.on((type, job) => {
      if (type !== 'delete') return;
      this.counted.delete(keyOf(job));
      this.written.delete(keyOf(job));
    });
  }

  protected override onPod(type: string, pod: V1Pod, old?: V1Pod): void {
    super.onPod(type, pod, old);
    const ref = controllerRef(pod);
    if (ref?.kind !== 'Job') return;
    const key = `${pod.metadata?.namespace}/${ref.name}`;
    if (type === 'delete' || !hasTrackingFinalizer(pod)) this.counted.get(key)?.delete(pod.metadata?.uid ?? '');
    if (type !== 'delete' && hasTrackingFinalizer(pod)) this.queue.add(`${ORPHAN}${keyOf(pod)}`);
  }

  protected async sync(key: string): Promise<void> {
    if (key.startsWith(ORPHAN)) return this.releaseOrphan(key.slice(ORPHAN.length));
    const job = this.owners.getByKey(key);
    if (!job) return;
    const seen = Number(job.metadata?.resourceVersion ?? 0);
    if (seen < (this.written.get(key) ?? 0)) return; // the informer will bring our own write
    const plan = reconcileJob(job, {
      pods: this.ownedPods(job),
      now: this.ctx.clock.now(),
      canManagePods: this.expectations.satisfied(key),
      counted: this.counted.get(key) ?? new Set(),
    });
    await this.applyPlan(key, job, plan.actions, (a) => this.apply(key, job, a));
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  /** A pod whose Job is gone (or is not its controller any more) must not keep its finalizer. */
  private async releaseOrphan(podKey: string): Promise<void> {
    const pod = this.pods.getByKey(podKey);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRef(pod);
    const job = ref ? this.owners.get(pod.metadata?.namespace ?? '', ref.name) : undefined;
    if (job && job.metadata?.uid === ref?.uid) return;
    await this.removeFinalizer(pod);
  }

  private async removeFinalizer(pod: V1Pod): Promise<void> {
    const finalizers = (pod.metadata?.finalizers ?? []).filter((f) => f !== TRACKING_FINALIZER);
    await this.ctx.client
      .patch(`/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`, {
        metadata: { finalizers: finalizers.length ? finalizers : null, uid: pod.metadata?.uid },
      })
      .catch((e: unknown) => {
        if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
      });
  }

  private async apply(key: string, job: V1Job, a: JobAction): Promise<void> {
    const ns = job.metadata?.namespace ?? 'default';
    const c = this.ctx.client;
    switch (a.type) {
      case 'status': {
        // A merge patch: fields the new status dropped are removed explicitly.
        const body: Record<string, unknown> = { ...a.status };
        for (const k of [...Object.keys(job.status ?? {}), 'uncountedTerminatedPods']) if (!(k in body)) body[k] = null;
        const res = await c.patch<V1Job>(`/apis/batch/v1/namespaces/${ns}/jobs/${job.metadata?.name}/status`, {
          status: body,
        });
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
        await c
          .delete(`/apis/batch/v1/namespaces/${ns}/jobs/${job.metadata?.name}`, {
            propagationPolicy: 'Background',
            preconditions: { uid: job.metadata?.uid },
          })
          .catch((e: unknown) => {
            if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
          });
        return;
      case 'event':
        this.events.emit(this.target(job), a.eventType, a.reason, a.message);
        return;
    }
  }
}
