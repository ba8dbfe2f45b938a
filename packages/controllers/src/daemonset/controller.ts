// The DaemonSet controller's runner: informers on DaemonSets, nodes, pods and
// ControllerRevisions, expectations, and the API calls that carry out reconcileDaemonSet.
import type { V1ControllerRevision, V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { controllerRef } from '../common/pods.js';
import { ownedRevisions } from '../common/revisions.js';
import { applyRevisionAction } from '../common/revisions-client.js';
import { type ControllerContext, EventRecorder, Expectations, type Informer, isStatus, keyOf, QueueController } from '@wharf/client';
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

  constructor(ctx: ControllerContext) {
    super(ctx, 'daemonset');
    this.daemonSets = ctx.informers.for<V1DaemonSet>(DAEMONSETS);
    this.nodes = ctx.informers.for<V1Node>(NODES);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.revisions = ctx.informers.for<V1ControllerRevision>(CONTROLLER_REVISIONS);
    this.expectations = new Expectations(() => ctx.clock.now());
    this.events = new EventRecorder({ client: ctx.client, component: 'daemonset-controller', clock: ctx.clock, onError: (e) => ctx.log('daemonset: event', e) });
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
    const uid = ds.metadata?.uid;
    const pods = this.pods.list().filter((p) => p.metadata?.namespace === ds.metadata?.namespace && controllerRef(p)?.uid === uid);
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
    for (const a of plan.actions) await this.apply(key, ds, a);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async apply(key: string, ds: V1DaemonSet, a: DaemonSetAction): Promise<void> {
    const ns = ds.metadata?.namespace ?? 'default';
    const c = this.ctx.client;
    const target = { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' };
    switch (a.type) {
      case 'createRevision':
      case 'updateRevision':
      case 'deleteRevision':
        return applyRevisionAction(c, a);
      case 'createPod':
        try {
          const pod = await c.create<V1Pod>(`/api/v1/namespaces/${ns}/pods`, a.pod);
          this.events.emit(target, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name}`);
        } catch (e) {
          this.expectations.observeAdd(key);
          this.events.emit(target, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          throw e;
        }
        return;
      case 'deletePod':
        try {
          await c.delete(`/api/v1/namespaces/${ns}/pods/${a.pod.metadata?.name}`);
          this.events.emit(target, 'Normal', 'SuccessfulDelete', `Deleted pod: ${a.pod.metadata?.name}`);
        } catch (e) {
          this.expectations.observeDelete(key);
          if (!isStatus(e, 404)) throw e;
        }
        return;
      case 'status':
        await c.patch(`/apis/apps/v1/namespaces/${ns}/daemonsets/${ds.metadata?.name}/status`, { status: a.status }).catch((e: unknown) => {
          if (!isStatus(e, 404)) throw e;
        });
        return;
    }
  }
}
