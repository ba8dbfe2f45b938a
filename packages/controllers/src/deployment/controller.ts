// The Deployment controller's runner: informers on Deployments, ReplicaSets and pods, and the API
// calls that carry out reconcileDeployment's actions.
import type { V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import {
  type ControllerContext,
  EventRecorder,
  type Informer,
  isStatus,
  keyOf,
  matchesSelector,
  ORPHAN_INDEX,
  orphanIndex,
  OWNER_UID_INDEX,
  ownerUidIndex,
  QueueController,
} from '@wharf/client';
import { controllerRef } from '../common/pods.js';
import { PODS, REPLICASETS } from '../replicaset/controller.js';
import { equalIgnoreHash, reconcileDeployment, type DeploymentAction } from './reconcile.js';

export const DEPLOYMENTS = '/apis/apps/v1/deployments';

export class DeploymentController extends QueueController {
  private readonly deployments: Informer<V1Deployment>;
  private readonly replicaSets: Informer<V1ReplicaSet>;
  private readonly pods: Informer<V1Pod>;
  private readonly events: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, 'deployment');
    this.deployments = ctx.informers.for<V1Deployment>(DEPLOYMENTS);
    this.replicaSets = ctx.informers.for<V1ReplicaSet>(REPLICASETS);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.replicaSets.addIndexer(OWNER_UID_INDEX, ownerUidIndex);
    this.replicaSets.addIndexer(ORPHAN_INDEX, orphanIndex);
    this.pods.addIndexer(OWNER_UID_INDEX, ownerUidIndex);
    this.events = new EventRecorder({
      client: ctx.client,
      component: 'deployment-controller',
      clock: ctx.clock,
      onError: (e) => ctx.logger.warn({ err: e }, 'writing an event failed'),
    });
    this.deployments.on((_t, d) => this.queue.add(keyOf(d)));
    this.replicaSets.on((_t, rs, old) => {
      for (const r of old ? [rs, old] : [rs]) this.enqueueOwner(r);
    });
    this.pods.on((type, pod) => {
      if (type !== 'delete') return;
      const ref = controllerRef(pod);
      const rs = ref?.kind === 'ReplicaSet' ? this.replicaSets.get(pod.metadata?.namespace ?? '', ref.name) : undefined;
      if (rs) this.enqueueOwner(rs);
    });
  }

  private enqueueOwner(rs: V1ReplicaSet): void {
    const ns = rs.metadata?.namespace;
    const ref = controllerRef(rs);
    if (ref) {
      if (ref.kind === 'Deployment') this.queue.add(`${ns}/${ref.name}`);
      return;
    }
    for (const d of this.deployments.list(ns ?? '')) {
      if (matchesSelector(d.spec?.selector, rs.metadata?.labels)) this.queue.add(keyOf(d));
    }
  }

  protected async sync(key: string): Promise<void> {
    const d = this.deployments.getByKey(key);
    if (!d) return;
    const ns = d.metadata?.namespace ?? '';
    const replicaSets = [
      ...this.replicaSets.byIndex(OWNER_UID_INDEX, d.metadata?.uid ?? ''),
      ...this.replicaSets
        .byIndex(ORPHAN_INDEX, ns)
        .filter((rs) => matchesSelector(d.spec?.selector, rs.metadata?.labels)),
    ];
    const pods = replicaSets.flatMap((rs) => this.pods.byIndex(OWNER_UID_INDEX, rs.metadata?.uid ?? ''));
    const plan = reconcileDeployment(d, { replicaSets, pods, now: this.ctx.clock.now() });
    for (const a of plan.actions) await this.apply(d, a);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async apply(d: V1Deployment, a: DeploymentAction): Promise<void> {
    const ns = d.metadata?.namespace ?? '';
    const c = this.ctx.client;
    const rsPath = (name: string | undefined): string => `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`;
    switch (a.type) {
      case 'adoptReplicaSet':
        await c.patch(rsPath(a.rs.metadata?.name), {
          metadata: { ownerReferences: a.rs.metadata?.ownerReferences, uid: a.rs.metadata?.uid },
        });
        return;
      case 'createReplicaSet':
        try {
          await c.create(`/apis/apps/v1/namespaces/${ns}/replicasets`, a.rs);
        } catch (e) {
          if (!isStatus(e, 409)) throw e;
          const existing = await c.get<V1ReplicaSet>(rsPath(a.rs.metadata?.name));
          if (
            controllerRef(existing)?.uid === d.metadata?.uid &&
            equalIgnoreHash(existing.spec?.template, d.spec?.template)
          )
            return;
          // A hash collision with someone else's ReplicaSet: count it so the next hash differs.
          await c.patch(`/apis/apps/v1/namespaces/${ns}/deployments/${d.metadata?.name}/status`, {
            status: { collisionCount: (d.status?.collisionCount ?? 0) + 1 },
          });
          throw new Error(
            `replicaset ${a.rs.metadata?.name} already exists with another template: collisionCount raised`,
          );
        }
        return;
      case 'updateReplicaSet':
        await c.replace(rsPath(a.rs.metadata?.name), a.rs);
        return;
      case 'deleteReplicaSet':
        await c
          .delete(rsPath(a.rs.metadata?.name), { preconditions: { resourceVersion: a.rs.metadata?.resourceVersion } })
          .catch((e: unknown) => {
            if (!isStatus(e, 404) && !isStatus(e, 409)) throw e;
          });
        return;
      case 'annotateDeployment':
        await c.patch(`/apis/apps/v1/namespaces/${ns}/deployments/${d.metadata?.name}`, {
          metadata: { annotations: a.annotations },
        });
        return;
      case 'status':
        await c.patch(`/apis/apps/v1/namespaces/${ns}/deployments/${d.metadata?.name}/status`, { status: a.status });
        return;
      case 'event':
        this.events.emit({ ...d, apiVersion: 'apps/v1', kind: 'Deployment' }, a.eventType, a.reason, a.message);
        return;
    }
  }
}
