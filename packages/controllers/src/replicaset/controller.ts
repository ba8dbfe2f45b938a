// The ReplicaSet controller's runner: informers on ReplicaSets and pods, expectations, and the
// API calls that carry out reconcileReplicaSet's actions.
import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { type ControllerContext, EventRecorder, Expectations, type Informer, isStatus, keyOf, matchesSelector, QueueController } from '@wharf/client';
import { controllerRef, ownerRefTo } from '../common/pods.js';
import { reconcileReplicaSet, type ReplicaSetAction } from './reconcile.js';

export const PODS = '/api/v1/pods';
export const REPLICASETS = '/apis/apps/v1/replicasets';

export class ReplicaSetController extends QueueController {
  private readonly rsInformer: Informer<V1ReplicaSet>;
  private readonly podInformer: Informer<V1Pod>;
  private readonly expectations: Expectations;
  private readonly events: EventRecorder;

  constructor(ctx: ControllerContext) {
    super(ctx, 'replicaset');
    this.rsInformer = ctx.informers.for<V1ReplicaSet>(REPLICASETS);
    this.podInformer = ctx.informers.for<V1Pod>(PODS);
    this.expectations = new Expectations(() => ctx.clock.now());
    this.events = new EventRecorder({ client: ctx.client, component: 'replicaset-controller', clock: ctx.clock, onError: (e) => ctx.log('replicaset: event', e) });
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
    if (owners.size === 0 || type === 'update') {
      // An orphan (or relabelled pod) may now match some ReplicaSet of its namespace.
      for (const rs of this.rsInformer.list()) {
        if (rs.metadata?.namespace !== pod.metadata?.namespace) continue;
        if (!controllerRef(pod) && matchesSelector(rs.spec?.selector, pod.metadata?.labels)) owners.add(keyOf(rs));
      }
    }
    for (const k of owners) this.queue.add(k);
  }

  protected async sync(key: string): Promise<void> {
    const rs = this.rsInformer.getByKey(key);
    if (!rs) return;
    const ns = rs.metadata?.namespace ?? '';
    const uid = rs.metadata?.uid;
    const pods = this.podInformer.list().filter((p) => p.metadata?.namespace === ns && (controllerRef(p)?.uid === uid || matchesSelector(rs.spec?.selector, p.metadata?.labels)));
    const plan = reconcileReplicaSet(rs, { pods, now: this.ctx.clock.now(), canManagePods: this.expectations.satisfied(key) });
    for (const a of plan.actions) await this.apply(key, rs, a);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, plan.requeueAfterMs);
  }

  private async apply(key: string, rs: V1ReplicaSet, a: ReplicaSetAction): Promise<void> {
    const ns = rs.metadata?.namespace ?? '';
    const c = this.ctx.client;
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
      case 'create':
        return this.createPods(key, rs, a.count);
      case 'delete': {
        this.expectations.expect(key, 0, a.pods.length);
        await Promise.all(a.pods.map(async (p) => {
          try {
            await c.delete(`/api/v1/namespaces/${ns}/pods/${p.metadata?.name}`);
            this.events.emit({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' }, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
          } catch (e) {
            this.expectations.observeDelete(key);
            if (!isStatus(e, 404)) throw e;
          }
        }));
        return;
      }
      case 'status':
        // A patch, not an update: the status is recomputed from pods, whatever the spec's version.
        await c.patch(`/apis/apps/v1/namespaces/${ns}/replicasets/${rs.metadata?.name}/status`, { status: a.status }).catch(ignore404);
        return;
    }
  }

  /** Creates pods in doubling batches (1, 2, 4, ...) so a failing template fails fast. */
  private async createPods(key: string, rs: V1ReplicaSet, count: number): Promise<void> {
    const ns = rs.metadata?.namespace ?? '';
    this.expectations.expect(key, count, 0);
    const tpl = rs.spec?.template;
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata?.name}-`,
        namespace: ns,
        labels: tpl?.metadata?.labels,
        annotations: tpl?.metadata?.annotations,
        ownerReferences: [ownerRefTo(rs, 'apps/v1', 'ReplicaSet')],
      },
      spec: tpl?.spec,
    };
    let remaining = count;
    for (let batch = 1; remaining > 0; batch *= 2) {
      const n = Math.min(batch, remaining);
      remaining -= n;
      const results = await Promise.allSettled(Array.from({ length: n }, () => this.ctx.client.create<V1Pod>(`/api/v1/namespaces/${ns}/pods`, body)));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const r of results) if (r.status === 'fulfilled') this.events.emit({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' }, 'Normal', 'SuccessfulCreate', `Created pod: ${r.value.metadata?.name}`);
      if (failed.length) {
        // The pods never asked for will not be observed either.
        for (let i = 0; i < failed.length + remaining; i++) this.expectations.observeAdd(key);
        this.events.emit({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' }, 'Warning', 'FailedCreate', `Error creating: ${String((failed[0]?.reason as Error)?.message ?? failed[0]?.reason)}`);
        throw failed[0]?.reason;
      }
    }
  }
}

function ignore404(e: unknown): void {
  if (!isStatus(e, 404)) throw e;
}
