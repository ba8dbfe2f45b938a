// The disruption controller's runner: keeps every PodDisruptionBudget's status current as the
// pods it selects, and the scale of their controllers, change.
import type {
  V1Deployment,
  V1OwnerReference,
  V1Pod,
  V1PodDisruptionBudget,
  V1ReplicaSet,
  V1ReplicationController,
  V1StatefulSet,
} from '@kubernetes/client-node';
import {
  type ControllerContext,
  type Informer,
  isStatus,
  keyOf,
  matchesSelector,
  QueueController,
} from '@wharf/client';
import { controllerRef } from '../common/pods.js';
import { PODS, REPLICASETS } from '../replicaset/controller.js';
import { reconcileDisruptionBudget, type ControllerScale } from './reconcile.js';

export const PDBS = '/apis/policy/v1/poddisruptionbudgets';
const DEPLOYMENTS = '/apis/apps/v1/deployments';
const STATEFULSETS = '/apis/apps/v1/statefulsets';
const REPLICATIONCONTROLLERS = '/api/v1/replicationcontrollers';

export class DisruptionController extends QueueController {
  private readonly pdbs: Informer<V1PodDisruptionBudget>;
  private readonly pods: Informer<V1Pod>;
  private readonly replicaSets: Informer<V1ReplicaSet>;
  private readonly deployments: Informer<V1Deployment>;
  private readonly statefulSets: Informer<V1StatefulSet>;
  private readonly rcs: Informer<V1ReplicationController>;

  constructor(ctx: ControllerContext) {
    super(ctx, 'disruption');
    this.pdbs = ctx.informers.for<V1PodDisruptionBudget>(PDBS);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.replicaSets = ctx.informers.for<V1ReplicaSet>(REPLICASETS);
    this.deployments = ctx.informers.for<V1Deployment>(DEPLOYMENTS);
    this.statefulSets = ctx.informers.for<V1StatefulSet>(STATEFULSETS);
    this.rcs = ctx.informers.for<V1ReplicationController>(REPLICATIONCONTROLLERS);
    this.pdbs.on((_t, pdb) => this.queue.add(keyOf(pdb)));
    this.pods.on((_t, pod, old) => {
      for (const pdb of this.pdbs.list(pod.metadata?.namespace ?? ''))
        if (selects(pdb, pod) || (old && selects(pdb, old))) this.queue.add(keyOf(pdb));
    });
    // A scale change moves expectedPods of the budgets in its namespace.
    const onScale = (
      _t: string,
      o: { metadata?: { namespace?: string }; spec?: { replicas?: number } },
      old?: { spec?: { replicas?: number } },
    ): void => {
      if (old && old.spec?.replicas === o.spec?.replicas) return;
      for (const pdb of this.pdbs.list(o.metadata?.namespace ?? '')) this.queue.add(keyOf(pdb));
    };
    this.replicaSets.on(onScale);
    this.deployments.on(onScale);
    this.statefulSets.on(onScale);
    this.rcs.on(onScale);
  }

  private scaleOf(ref: V1OwnerReference, ns: string): ControllerScale | undefined {
    const of = (
      o: { metadata?: { uid?: string }; spec?: { replicas?: number } } | undefined,
    ): ControllerScale | undefined =>
      o && o.metadata?.uid === ref.uid ? { key: o.metadata.uid ?? '', scale: o.spec?.replicas ?? 1 } : undefined;
    switch (ref.kind) {
      case 'ReplicaSet': {
        const rs = this.replicaSets.get(ns, ref.name);
        const owner = rs && controllerRef(rs);
        if (owner?.kind === 'Deployment') return of(this.deployments.get(ns, owner.name)) ?? of(rs);
        return of(rs);
      }
      case 'StatefulSet':
        return of(this.statefulSets.get(ns, ref.name));
      case 'ReplicationController':
        return of(this.rcs.get(ns, ref.name));
      default:
        return undefined;
    }
  }

  protected async sync(key: string): Promise<void> {
    const pdb = this.pdbs.getByKey(key);
    if (!pdb) return;
    const pods = pdb.spec?.selector ? this.pods.list(pdb.metadata?.namespace ?? '', pdb.spec.selector) : [];
    const plan = reconcileDisruptionBudget(pdb, {
      pods,
      scaleOf: (r, ns) => this.scaleOf(r, ns),
      now: this.ctx.clock.now(),
    });
    if (plan.status) {
      // A CAS on the budget: the API server's eviction writes disruptedPods into the same status.
      await this.ctx.client
        .replace(
          `/apis/policy/v1/namespaces/${pdb.metadata?.namespace}/poddisruptionbudgets/${pdb.metadata?.name}/status`,
          { ...pdb, status: plan.status },
        )
        .catch((e: unknown) => {
          if (!isStatus(e, 404)) throw e;
        });
    }
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }
}

function selects(pdb: V1PodDisruptionBudget, pod: V1Pod): boolean {
  return (
    pdb.metadata?.namespace === pod.metadata?.namespace && matchesSelector(pdb.spec?.selector, pod.metadata?.labels)
  );
}
