// The ReplicaSet controller's runner: informers on ReplicaSets and pods (read through the pods-by-
// owner and orphans-by-namespace indexes), expectations, and the API calls that carry out
// reconcileReplicaSet's actions, pod creations and deletions through PodControl.
import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { type ControllerContext, isStatus, keyOf, matchesSelector, ORPHAN_INDEX, orphanIndex } from '@wharf/client';
import { PodOwnerController, PODS } from '../common/pod-owner-controller.js';
import { controllerRef, ownerRefTo } from '../common/pods.js';
import { reconcileReplicaSet, type ReplicaSetAction } from './reconcile.js';

export { PODS };
export const REPLICASETS = '/apis/apps/v1/replicasets';

export class ReplicaSetController extends PodOwnerController<V1ReplicaSet> {
  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'replicaset', path: REPLICASETS, apiVersion: 'apps/v1', kind: 'ReplicaSet' });
    this.pods.addIndexer(ORPHAN_INDEX, orphanIndex);
  }

  protected override onPod(type: string, pod: V1Pod, old?: V1Pod): void {
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
      for (const rs of this.owners.list(pod.metadata?.namespace ?? '')) {
        if (matchesSelector(rs.spec?.selector, pod.metadata?.labels)) owners.add(keyOf(rs));
      }
    }
    for (const k of owners) this.queue.add(k);
  }

  protected async sync(key: string): Promise<void> {
    const rs = this.owners.getByKey(key);
    if (!rs) return;
    const ns = rs.metadata?.namespace ?? '';
    // Ours, and the orphans of the namespace it may adopt: never every pod of the cluster.
    const pods = [...this.ownedPods(rs), ...this.pods.byIndex(ORPHAN_INDEX, ns)];
    const plan = reconcileReplicaSet(rs, {
      pods,
      now: this.ctx.clock.now(),
      canManagePods: this.expectations.satisfied(key),
    });
    for (const a of plan.actions) await this.apply(key, rs, a);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async apply(key: string, rs: V1ReplicaSet, a: ReplicaSetAction): Promise<void> {
    const ns = rs.metadata?.namespace ?? '';
    const c = this.ctx.client;
    switch (a.type) {
      case 'adopt': {
        const refs = [...(a.pod.metadata?.ownerReferences ?? []), ownerRefTo(rs, 'apps/v1', 'ReplicaSet')];
        await c
          .patch(`/api/v1/namespaces/${ns}/pods/${a.pod.metadata?.name}`, {
            metadata: { ownerReferences: refs, uid: a.pod.metadata?.uid },
          })
          .catch(ignore404);
        return;
      }
      case 'release': {
        const refs = (a.pod.metadata?.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata?.uid);
        await c
          .patch(`/api/v1/namespaces/${ns}/pods/${a.pod.metadata?.name}`, {
            metadata: { ownerReferences: refs, uid: a.pod.metadata?.uid },
          })
          .catch(ignore404);
        return;
      }
      case 'create': {
        this.expectations.expect(key, a.count, 0);
        const pod = podFromTemplate(rs);
        return this.podControl.createPods(
          key,
          this.target(rs),
          Array.from({ length: a.count }, () => pod),
        );
      }
      case 'delete':
        this.expectations.expect(key, 0, a.pods.length);
        return this.podControl.deletePods(key, this.target(rs), a.pods);
      case 'status':
        // A patch, not an update: the status is recomputed from pods, whatever the spec's version.
        await c
          .patch(`/apis/apps/v1/namespaces/${ns}/replicasets/${rs.metadata?.name}/status`, { status: a.status })
          .catch(ignore404);
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
