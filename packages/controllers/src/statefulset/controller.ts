// The StatefulSet controller's runner: informers on StatefulSets, pods (read by owner UID), claims
// (by namespace) and ControllerRevisions, and the API calls that carry out reconcileStatefulSet,
// pod creations and deletions through PodControl.
import type { V1ControllerRevision, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { controllerRef } from '../common/pods.js';
import { ownedRevisions } from '../common/revisions.js';
import { groupRuns } from '../common/pod-runs.js';
import { applyRevisionAction } from '../common/revisions-client.js';
import { CONTROLLER_REVISIONS } from '../daemonset/controller.js';
import { PODS } from '../replicaset/controller.js';
import {
  type ControllerContext, EventRecorder, Expectations, type Informer, isStatus, keyOf, OWNER_UID_INDEX, ownerUidIndex, PodControl, QueueController,
} from '@wharf/client';
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
  private readonly podControl: PodControl;

  constructor(ctx: ControllerContext) {
    super(ctx, 'statefulset');
    this.sets = ctx.informers.for<V1StatefulSet>(STATEFULSETS);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.pods.addIndexer(OWNER_UID_INDEX, ownerUidIndex);
    this.claims = ctx.informers.for<V1PersistentVolumeClaim>(CLAIMS);
    this.revisions = ctx.informers.for<V1ControllerRevision>(CONTROLLER_REVISIONS);
    this.expectations = new Expectations(() => ctx.clock.now());
    this.events = new EventRecorder({ client: ctx.client, component: 'statefulset-controller', clock: ctx.clock, onError: (e) => ctx.log('statefulset: event', e) });
    this.podControl = new PodControl({ client: ctx.client, events: this.events, expectations: this.expectations });
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
    const plan = reconcileStatefulSet(sts, {
      pods: this.pods.byIndex(OWNER_UID_INDEX, sts.metadata?.uid ?? ''),
      claims: this.claims.list(sts.metadata?.namespace ?? ''),
      revisions: ownedRevisions(sts, this.revisions.list()),
      now: this.ctx.clock.now(),
      canManagePods: this.expectations.satisfied(key),
    });
    const creates = plan.actions.filter((a) => a.type === 'createPod').length;
    const deletes = plan.actions.filter((a) => a.type === 'deletePod').length;
    if (creates || deletes) this.expectations.expect(key, creates, deletes);
    const target = { ...sts, apiVersion: 'apps/v1', kind: 'StatefulSet' };
    for (const run of groupRuns(plan.actions, ['createPod', 'deletePod'])) {
      const a = run[0]!;
      if (a.type === 'createPod') await this.podControl.createPods(key, target, run.map(podOf));
      else if (a.type === 'deletePod') await this.podControl.deletePods(key, target, run.map(podOf));
      else await this.apply(sts, a);
    }
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async apply(sts: V1StatefulSet, a: StatefulSetAction): Promise<void> {
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
      case 'deletePod':
        throw new Error(`${a.type} goes through PodControl`);
      case 'status':
        await c.patch(`/apis/apps/v1/namespaces/${ns}/statefulsets/${sts.metadata?.name}/status`, { status: a.status }).catch((e: unknown) => {
          if (!isStatus(e, 404)) throw e;
        });
        return;
    }
  }
}

function podOf(a: StatefulSetAction): V1Pod {
  return (a as { pod: V1Pod }).pod;
}
