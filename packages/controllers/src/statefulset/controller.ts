// The StatefulSet controller's runner: informers on StatefulSets, pods (read by owner UID), claims
// (by namespace) and ControllerRevisions, and the API calls that carry out reconcileStatefulSet,
// pod creations and deletions through PodControl.
import type { V1ControllerRevision, V1PersistentVolumeClaim, V1StatefulSet } from '@kubernetes/client-node';
import { controllerRef } from '../common/pods.js';
import { ownedRevisions } from '../common/revisions.js';
import { PodOwnerController } from '../common/pod-owner-controller.js';
import { applyRevisionAction } from '../common/revisions-client.js';
import { CONTROLLER_REVISIONS } from '../daemonset/controller.js';
import { type ControllerContext, type Informer, isStatus } from '@wharf/client';
import { reconcileStatefulSet, type StatefulSetAction } from './reconcile.js';

export const STATEFULSETS = '/apis/apps/v1/statefulsets';
export const CLAIMS = '/api/v1/persistentvolumeclaims';

export class StatefulSetController extends PodOwnerController<V1StatefulSet> {
  private readonly claims: Informer<V1PersistentVolumeClaim>;
  private readonly revisions: Informer<V1ControllerRevision>;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'statefulset', path: STATEFULSETS, apiVersion: 'apps/v1', kind: 'StatefulSet' });
    this.claims = ctx.informers.for<V1PersistentVolumeClaim>(CLAIMS);
    this.revisions = ctx.informers.for<V1ControllerRevision>(CONTROLLER_REVISIONS);
    this.revisions.on((_t, r) => {
      const ref = controllerRef(r);
      if (ref?.kind === 'StatefulSet') this.queue.add(`${r.metadata?.namespace}/${ref.name}`);
    });
  }

  protected async sync(key: string): Promise<void> {
    const sts = this.owners.getByKey(key);
    if (!sts) return;
    const plan = reconcileStatefulSet(sts, {
      pods: this.ownedPods(sts),
      claims: this.claims.list(sts.metadata?.namespace ?? ''),
      revisions: ownedRevisions(sts, this.revisions.list()),
      now: this.ctx.clock.now(),
      canManagePods: this.expectations.satisfied(key),
    });
    await this.applyPlan(key, sts, plan.actions, (a) => this.apply(sts, a));
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
          this.events.emit(
            target,
            'Normal',
            'SuccessfulCreate',
            `create Claim ${a.claim.metadata?.name} in StatefulSet ${sts.metadata?.name} success`,
          );
        } catch (e) {
          if (!isStatus(e, 409)) throw e;
        }
        return;
      case 'setClaimOwners':
        await c.patch(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${a.claim.metadata?.name}`, {
          metadata: { ownerReferences: a.ownerReferences },
        });
        return;
      case 'createPod':
      case 'deletePod':
        throw new Error(`${a.type} goes through PodControl`);
      case 'status':
        await c
          .patch(`/apis/apps/v1/namespaces/${ns}/statefulsets/${sts.metadata?.name}/status`, { status: a.status })
          .catch((e: unknown) => {
            if (!isStatus(e, 404)) throw e;
          });
        return;
    }
  }
}
