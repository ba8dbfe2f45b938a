// The StatefulSet controller's runner: informers on StatefulSets, pods, claims and
// ControllerRevisions, and the API calls that carry out reconcileStatefulSet.
import type { V1ControllerRevision, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { controllerRef } from '../common/pods.js';
import { ownedRevisions } from '../common/revisions.js';
import { applyRevisionAction } from '../common/revisions-client.js';
import { CONTROLLER_REVISIONS } from '../daemonset/controller.js';
import { PODS } from '../replicaset/controller.js';
import { type ControllerContext, EventRecorder, Expectations, type Informer, isStatus, keyOf, QueueController } from '@wharf/client';
import { reconcileStatefulSet, type StatefulSetAction } from './reconcile.js';

export const STATEFULSETS = '/apis/apps/v1/statefulsets';
export const CLAIMS = '/api/v1/persistentvolumeclaims';

export class StatefulSetController extends QueueController {
  private readonly sets: Informer<V1StatefulSet>;
  private readonly pods: Informer<V1Pod>;
  private readonly claims: Informer<V1PersistentVolumeClaim>;
  private readonly revisions: Informer<V1ControllerRevision>;
  private readonly expectations: Expectations;
  private readonly events: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, 'statefulset');
    this.sets = ctx.informers.for<V1StatefulSet>(STATEFULSETS);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.claims = ctx.informers.for<V1PersistentVolumeClaim>(CLAIMS);
    this.revisions = ctx.informers.for<V1ControllerRevision>(CONTROLLER_REVISIONS);
    this.expectations = new Expectations(() => ctx.clock.now());
    this.events = new EventRecorder({ client: ctx.client, component: 'statefulset-controller', clock: ctx.clock, onError: (e) => ctx.log('statefulset: event', e) });
    this.sets.on((type, s) => {
      if (type === 'delete') this.expectations.forget(keyOf(s));
      this.queue.add(keyOf(s));
    });
    this.pods.on((type, pod) => {
      const ref = controllerRef(pod);
      if (ref?.kind !== 'StatefulSet') return;
      const key = `${pod.metadata?.namespace}/${ref.name}`;
      if (type === 'add') this.expectations.observeAdd(key);
      if (type === 'delete') this.expectations.observeDelete(key);
      this.queue.add(key);
    });
    this.revisions.on((_t, r) => {
      const ref = controllerRef(r);
      if (ref?.kind === 'StatefulSet') this.queue.add(`${r.metadata?.namespace}/${ref.name}`);
    });
  }

  protected async sync(key: string): Promise<void> {
    const sts = this.sets.getByKey(key);
    if (!sts) return;
    const ns = sts.metadata?.namespace;
    const uid = sts.metadata?.uid;
    const plan = reconcileStatefulSet(sts, {
      pods: this.pods.list().filter((p) => p.metadata?.namespace === ns && controllerRef(p)?.uid === uid),
      claims: this.claims.list().filter((c) => c.metadata?.namespace === ns),
      revisions: ownedRevisions(sts, this.revisions.list()),
      now: this.ctx.clock.now(),
      canManagePods: this.expectations.satisfied(key),
    });
    const creates = plan.actions.filter((a) => a.type === 'createPod').length;
    const deletes = plan.actions.filter((a) => a.type === 'deletePod').length;
    if (creates || deletes) this.expectations.expect(key, creates, deletes);
    for (const a of plan.actions) await this.apply(key, sts, a);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async apply(key: string, sts: V1StatefulSet, a: StatefulSetAction): Promise<void> {
    const ns = sts.metadata?.namespace ?? 'default';
    const c = this.ctx.client;
    const target = { ...sts, apiVersion: 'apps/v1', kind: 'StatefulSet' };
    switch (a.type) {
      case 'createRevision':
      case 'updateRevision':
      case 'deleteRevision':
        return applyRevisionAction(c, a);
      case 'createClaim':
        try {
          await c.create(`/api/v1/namespaces/${ns}/persistentvolumeclaims`, a.claim);
          this.events.emit(target, 'Normal', 'SuccessfulCreate', `create Claim ${a.claim.metadata?.name} in StatefulSet ${sts.metadata?.name} success`);
        } catch (e) {
          if (!isStatus(e, 409)) throw e;
        }
        return;
      case 'setClaimOwners':
        await c.patch(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${a.claim.metadata?.name}`, { metadata: { ownerReferences: a.ownerReferences } });
        return;
      case 'createPod':
        try {
          await c.create(`/api/v1/namespaces/${ns}/pods`, a.pod);
          this.events.emit(target, 'Normal', 'SuccessfulCreate', `create Pod ${a.pod.metadata?.name} in StatefulSet ${sts.metadata?.name} successful`);
        } catch (e) {
          this.expectations.observeAdd(key);
          if (isStatus(e, 409)) return;
          this.events.emit(target, 'Warning', 'FailedCreate', `create Pod ${a.pod.metadata?.name} in StatefulSet ${sts.metadata?.name} failed error: ${(e as Error).message}`);
          throw e;
        }
        return;
      case 'deletePod':
        try {
          await c.delete(`/api/v1/namespaces/${ns}/pods/${a.pod.metadata?.name}`, { preconditions: { uid: a.pod.metadata?.uid } });
          this.events.emit(target, 'Normal', 'SuccessfulDelete', `delete Pod ${a.pod.metadata?.name} in StatefulSet ${sts.metadata?.name} successful`);
        } catch (e) {
          this.expectations.observeDelete(key);
          if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
        }
        return;
      case 'status':
        await c.patch(`/apis/apps/v1/namespaces/${ns}/statefulsets/${sts.metadata?.name}/status`, { status: a.status }).catch((e: unknown) => {
          if (!isStatus(e, 404)) throw e;
        });
        return;
    }
  }
}
