// The DaemonSet controller's runner: informers on DaemonSets, nodes, pods (read by owner UID) and
// ControllerRevisions, expectations, and the API calls that carry out reconcileDaemonSet, pod
// creations and deletions through PodControl.
import type { V1ControllerRevision, V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { controllerRef } from '../common/pods.js';
import { ownedRevisions } from '../common/revisions.js';
import { groupRuns } from '../common/pod-runs.js';
import { applyRevisionAction } from '../common/revisions-client.js';
import {
  type ControllerContext, EventRecorder, Expectations, type Informer, isStatus, keyOf, OWNER_UID_INDEX, ownerUidIndex, PodControl, QueueController,
} from '@wharf/client';
import { PODS } from '../replicaset/controller.js';
import { reconcileDaemonSet, type DaemonSetAction } from './reconcile.js';

export const DAEMONSETS = '/apis/apps/v1/daemonsets';
export const NODES = '/api/v1/nodes';
export const CONTROLLER_REVISIONS = '/apis/apps/v1/controllerrevisions';

export class DaemonSetController extends QueueController {
  private readonly daemonSets: Informer<V1DaemonSet>;
  private readonly nodes: Informer<V1Node>;
  private readonly pods: Informer<V1Pod>;
  private readonly revisions: Informer<V1ControllerRevision>;
  private readonly expectations: Expectations;
  private readonly events: EventRecorder;
  private readonly podControl: PodControl;

  constructor(ctx: ControllerContext) {
    super(ctx, 'daemonset');
    this.daemonSets = ctx.informers.for<V1DaemonSet>(DAEMONSETS);
    this.nodes = ctx.informers.for<V1Node>(NODES);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.pods.addIndexer(OWNER_UID_INDEX, ownerUidIndex);
    this.revisions = ctx.informers.for<V1ControllerRevision>(CONTROLLER_REVISIONS);
    this.expectations = new Expectations(() => ctx.clock.now());
    this.events = new EventRecorder({ client: ctx.client, component: 'daemonset-controller', clock: ctx.clock, onError: (e) => ctx.log('daemonset: event', e) });
    this.podControl = new PodControl({ client: ctx.client, events: this.events, expectations: this.expectations });
    this.daemonSets.on((type, ds) => {
      if (type === 'delete') this.expectations.forget(keyOf(ds));
      this.queue.add(keyOf(ds));
    });
    this.nodes.on(() => {
      for (const ds of this.daemonSets.list()) this.queue.add(keyOf(ds));
    });
    this.pods.on((type, pod) => {
      const ref = controllerRef(pod);
      if (ref?.kind !== 'DaemonSet') return;
      const key = `${pod.metadata?.namespace}/${ref.name}`;
      if (type === 'add') this.expectations.observeAdd(key);
      if (type === 'delete') this.expectations.observeDelete(key);
      this.queue.add(key);
    });
    this.revisions.on((_t, r) => {
      const ref = controllerRef(r);
      if (ref?.kind === 'DaemonSet') this.queue.add(`${r.metadata?.namespace}/${ref.name}`);
    });
  }

  protected async sync(key: string): Promise<void> {
    const ds = this.daemonSets.getByKey(key);
    if (!ds) return;
    const pods = this.pods.byIndex(OWNER_UID_INDEX, ds.metadata?.uid ?? '');
    const plan = reconcileDaemonSet(ds, {
      nodes: this.nodes.list(),
      pods,
      revisions: ownedRevisions(ds, this.revisions.list()),
      now: this.ctx.clock.now(),
      canManagePods: this.expectations.satisfied(key),
    });
    const creates = plan.actions.filter((a) => a.type === 'createPod').length;
    const deletes = plan.actions.filter((a) => a.type === 'deletePod').length;
    if (creates || deletes) this.expectations.expect(key, creates, deletes);
    const target = { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' };
    for (const run of groupRuns(plan.actions, ['createPod', 'deletePod'])) {
      const a = run[0]!;
      if (a.type === 'createPod') await this.podControl.createPods(key, target, run.map(podOf));
      else if (a.type === 'deletePod') await this.podControl.deletePods(key, target, run.map(podOf));
      else await this.apply(ds, a);
    }
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
        await c.patch(`/apis/apps/v1/namespaces/${ns}/daemonsets/${ds.metadata?.name}/status`, { status: a.status }).catch((e: unknown) => {
          if (!isStatus(e, 404)) throw e;
        });
        return;
    }
  }
}

function podOf(a: DaemonSetAction): V1Pod {
  return (a as { pod: V1Pod }).pod;
}
