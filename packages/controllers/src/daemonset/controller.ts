// The DaemonSet controller's runner: informers on DaemonSets, nodes, pods (read by owner UID) and
// ControllerRevisions, expectations, and the API calls that carry out reconcileDaemonSet, pod
// creations and deletions through PodControl.
import type { V1ControllerRevision, V1DaemonSet, V1Node } from '@kubernetes/client-node';
import { controllerRef } from '../common/pods.js';
import { ownedRevisions } from '../common/revisions.js';
import { PodOwnerController } from '../common/pod-owner-controller.js';
import { applyRevisionAction } from '../common/revisions-client.js';
import { type ControllerContext, type Informer, isStatus, keyOf } from '@wharf/client';
import { reconcileDaemonSet, type DaemonSetAction } from './reconcile.js';

export const DAEMONSETS = '/apis/apps/v1/daemonsets';
export const NODES = '/api/v1/nodes';
export const CONTROLLER_REVISIONS = '/apis/apps/v1/controllerrevisions';

export class DaemonSetController extends PodOwnerController<V1DaemonSet> {
  private readonly nodes: Informer<V1Node>;
  private readonly revisions: Informer<V1ControllerRevision>;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'daemonset', path: DAEMONSETS, apiVersion: 'apps/v1', kind: 'DaemonSet' });
    this.nodes = ctx.informers.for<V1Node>(NODES);
    this.revisions = ctx.informers.for<V1ControllerRevision>(CONTROLLER_REVISIONS);
    this.nodes.on(() => {
      for (const ds of this.owners.list()) this.queue.add(keyOf(ds));
    });
    this.revisions.on((_t, r) => {
      const ref = controllerRef(r);
      if (ref?.kind === 'DaemonSet') this.queue.add(`${r.metadata?.namespace}/${ref.name}`);
    });
  }

  protected async sync(key: string): Promise<void> {
    const ds = this.owners.getByKey(key);
    if (!ds) return;
    const plan = reconcileDaemonSet(ds, {
      nodes: this.nodes.list(),
      pods: this.ownedPods(ds),
      revisions: ownedRevisions(ds, this.revisions.list()),
      now: this.ctx.clock.now(),
      canManagePods: this.expectations.satisfied(key),
    });
    await this.applyPlan(key, ds, plan.actions, (a) => this.apply(ds, a));
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async apply(ds: V1DaemonSet, a: DaemonSetAction): Promise<void> {
    const ns = ds.metadata?.namespace ?? 'default';
    const c = this.ctx.client;
    switch (a.type) {
      case 'createRevision':
      case 'updateRevision':
      case 'deleteRevision':
        return applyRevisionAction(c, a);
      case 'createPod':
      case 'deletePod':
        throw new Error(`${a.type} goes through PodControl`);
      case 'status':
        await c
          .patch(`/apis/apps/v1/namespaces/${ns}/daemonsets/${ds.metadata?.name}/status`, { status: a.status })
          .catch((e: unknown) => {
            if (!isStatus(e, 404)) throw e;
          });
        return;
    }
  }
}
