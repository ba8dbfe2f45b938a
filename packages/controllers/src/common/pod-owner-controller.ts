// What the runners of the controllers that own pods (ReplicaSet, DaemonSet, StatefulSet, Job)
// share: an informer on the owner kind and one on pods read by owner UID, expectations, events,
// PodControl, and applying a plan whose pod creations and deletions PodControl batches.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import {
  type ControllerContext,
  EventRecorder,
  type EventObject,
  Expectations,
  type Informer,
  keyOf,
  OWNER_UID_INDEX,
  ownerUidIndex,
  PodControl,
  QueueController,
} from '@wharf/client';
import { groupRuns } from './pod-runs.js';
import { controllerRef } from './pods.js';

export const PODS = '/api/v1/pods';

export interface PodOwnerKind {
  /** Controller name in logs, e.g. `daemonset`. */
  readonly name: string;
  /** Collection path of the owners, e.g. `/apis/apps/v1/daemonsets`. */
  readonly path: string;
  readonly apiVersion: string;
  readonly kind: string;
}

/** A plan action of a controller that owns pods; createPod and deletePod ones carry the pod. */
export interface PodOwnerAction {
  readonly type: string;
  readonly pod?: V1Pod;
}

export abstract class PodOwnerController<O extends KubernetesObject> extends QueueController {
  protected readonly owners: Informer<O>;
  protected readonly pods: Informer<V1Pod>;
  protected readonly expectations: Expectations;
  protected readonly events: EventRecorder;
  protected readonly podControl: PodControl;

  constructor(
    ctx: ControllerContext,
    protected readonly owner: PodOwnerKind,
  ) {
    super(ctx, owner.name);
    this.owners = ctx.informers.for<O>(owner.path);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.pods.addIndexer(OWNER_UID_INDEX, ownerUidIndex);
    this.expectations = new Expectations(() => ctx.clock.now());
    const component = `${owner.name}-controller`;
    this.events = new EventRecorder({
      client: ctx.client,
      component,
      clock: ctx.clock,
      onError: (e) => ctx.logger.warn({ err: e }, 'writing an event failed'),
    });
    this.podControl = new PodControl({ client: ctx.client, events: this.events, expectations: this.expectations });
    this.owners.on((type, o) => {
      if (type === 'delete') this.expectations.forget(keyOf(o));
      this.queue.add(keyOf(o));
    });
    this.pods.on((type, pod, old) => this.onPod(type, pod, old));
  }

  /** Observes our creations and deletions and syncs the owner of a changed pod. */
  protected onPod(type: string, pod: V1Pod, _old?: V1Pod): void {
    const ref = controllerRef(pod);
    if (ref?.kind !== this.owner.kind) return;
    const key = `${pod.metadata?.namespace}/${ref.name}`;
    if (type === 'add') this.expectations.observeAdd(key);
    if (type === 'delete') this.expectations.observeDelete(key);
    this.queue.add(key);
  }

  /** The pods whose controller is `o`, from the index: never every pod of the cluster. */
  protected ownedPods(o: O): V1Pod[] {
    return this.pods.byIndex(OWNER_UID_INDEX, o.metadata?.uid ?? '');
  }

  /** The owner as events name it. */
  protected target(o: O): EventObject {
    return { ...o, apiVersion: this.owner.apiVersion, kind: this.owner.kind };
  }

  /**
   * Expects the plan's pod creations and deletions, then applies its actions in order: runs of
   * createPod and deletePod through PodControl, every other action through `apply`.
   */
  protected async applyPlan<A extends PodOwnerAction>(
    key: string,
    o: O,
    actions: readonly A[],
    apply: (a: A) => Promise<void>,
  ): Promise<void> {
    const creates = actions.filter((a) => a.type === 'createPod').length;
    const deletes = actions.filter((a) => a.type === 'deletePod').length;
    if (creates || deletes) this.expectations.expect(key, creates, deletes);
    for (const run of groupRuns(actions, ['createPod', 'deletePod'])) {
      const a = run[0]!;
      const pods = run.map((x) => x.pod!);
      if (a.type === 'createPod') await this.podControl.createPods(key, this.target(o), pods);
      else if (a.type === 'deletePod') await this.podControl.deletePods(key, this.target(o), pods);
      else await apply(a);
    }
  }
}
