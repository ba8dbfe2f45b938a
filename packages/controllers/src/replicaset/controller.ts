// The ReplicaSet controller's runner: informers on ReplicaSets and pods (read through the pods-by-
// owner and orphans-by-namespace indexes), expectations, and the API calls that carry out
// reconcileReplicaSet's actions, pod creations and deletions through PodControl.
import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import {
  type ControllerContext, EventRecorder, Expectations, type Informer, isStatus, keyOf, matchesSelector, ORPHAN_INDEX, orphanIndex, OWNER_UID_INDEX, ownerUidIndex, PodControl, QueueController,
} from '@wharf/client';
import { controllerRef, ownerRefTo } from '../common/pods.js';
import { reconcileReplicaSet, type ReplicaSetAction } from './reconcile.js';

export const PODS = '/api/v1/pods';
export const REPLICASETS = '/apis/apps/v1/replicasets';

export class ReplicaSetController extends QueueController {
  private readonly rsInformer: Informer<V1ReplicaSet>;
  private readonly podInformer: Informer<V1Pod>;
  private readonly expectations: Expectations;
  private readonly events: EventRecorder;
  private readonly podControl: PodControl;

  constructor(ctx: ControllerContext) {
    super(ctx, 'replicaset');
    this.rsInformer = ctx.informers.for<V1ReplicaSet>(REPLICASETS);
    this.podInformer = ctx.informers.for<V1Pod>(PODS);
    this.podInformer.addIndexer(OWNER_UID_INDEX, ownerUidIndex);
    this.podInformer.addIndexer(ORPHAN_INDEX, orphanIndex);
    this.expectations = new Expectations(() => ctx.clock.now());
    this.events = new EventRecorder({ client: ctx.client, component: 'replicaset-controller', clock: ctx.clock, onError: (e) => ctx.log('replicaset: event', e) });
    this.podControl = new PodControl({ client: ctx.client, events: this.events, expectations: this.expectations });
    this.rsInformer.on((type, rs) => {
      if (type === 'delete') this.expectations.forget(keyOf(rs));
      this.queue.add(keyOf(rs));
    });
    this.podInformer.on((type, pod, old) => this.onPod(type, pod, old));
  }

  private onPod(type: string, pod: V1Pod, old?: V1Pod): void {
    const owners = new Set<string>();
    for (const p of old ? [pod, old] : [pod]) {
      const ref = controllerRef(p);
      if (ref?.kind === 'ReplicaSet') owners.add(`${p.metadata?.namespace}/${ref.name}`);
    }
    if (type === 'add' || type === 'delete') {
      for (const k of owners) {
        if (type === 'add') this.expectations.observeAdd(k);
        else this.expectations.observeDelete(k);
      }
    }
    if (!controllerRef(pod) && (owners.size === 0 || type === 'update')) {
      // An orphan (or relabelled pod) may now match some ReplicaSet of its namespace.
      for (const rs of this.rsInformer.list(pod.metadata?.namespace ?? '')) {
        if (matchesSelector(rs.spec?.selector, pod.metadata?.labels)) owners.add(keyOf(rs));
      }
    }
    for (const k of owners) this.queue.add(k);
  }

  protected async sync(key: string): Promise<void> {
    const rs = this.rsInformer.getByKey(key);
    if (!rs) return;
    const ns = rs.metadata?.namespace ?? '';
    // Ours, and the orphans of the namespace it may adopt: never every pod of the cluster.
    const pods = [...this.podInformer.byIndex(OWNER_UID_INDEX, rs.metadata?.uid ?? ''), ...this.podInformer.byIndex(ORPHAN_INDEX, ns)];
    const plan = reconcileReplicaSet(rs, { pods, now: this.ctx.clock.now(), canManagePods: this.expectations.satisfied(key) });
    for (const a of plan.actions) await this.apply(key, rs, a);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async apply(key: string, rs: V1ReplicaSet, a: ReplicaSetAction): Promise<void> {
    const ns = rs.metadata?.namespace ?? '';
    const c = this.ctx.client;
    const target = { ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' };
    switch (a.type) {
      case 'adopt': {
        const refs = [...(a.pod.metadata?.ownerReferences ?? []), ownerRefTo(rs, 'apps/v1', 'ReplicaSet')];
        await c.patch(`/api/v1/namespaces/${ns}/pods/${a.pod.metadata?.name}`, { metadata: { ownerReferences: refs, uid: a.pod.metadata?.uid } }).catch(ignore404);
        return;
      }
      case 'release': {
        const refs = (a.pod.metadata?.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata?.uid);
        await c.patch(`/api/v1/namespaces/${ns}/pods/${a.pod.metadata?.name}`, { metadata: { ownerReferences: refs, uid: a.pod.metadata?.uid } }).catch(ignore404);
        return;
      }
      case 'create': {
        this.expectations.expect(key, a.count, 0);
        const pod = podFromTemplate(rs);
        return this.podControl.createPods(key, target, Array.from({ length: a.count }, () => pod));
      }
      case 'delete':
        this.expectations.expect(key, 0, a.pods.length);
        return this.podControl.deletePods(key, target, a.pods);
      case 'status':
        // A patch, not an update: the status is recomputed from pods, whatever the spec's version.
        await c.patch(`/apis/apps/v1/namespaces/${ns}/replicasets/${rs.metadata?.name}/status`, { status: a.status }).catch(ignore404);
        return;
    }
  }
}

/** A pod of the ReplicaSet's template, named by the API server. */
function podFromTemplate(rs: V1ReplicaSet): V1Pod {
  const tpl = rs.spec?.template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata?.name}-`,
      namespace: rs.metadata?.namespace ?? '',
      labels: tpl?.metadata?.labels,
      annotations: tpl?.metadata?.annotations,
      ownerReferences: [ownerRefTo(rs, 'apps/v1', 'ReplicaSet')],
    },
    spec: tpl?.spec,
  };
}

function ignore404(e: unknown): void {
  if (!isStatus(e, 404)) throw e;
}
