// The scheduler's runner: a cache of nodes and their pods (including pods it has bound but not
// yet seen back), a queue of pending pods, binding through pods/binding, and for pods that fit
// nowhere the PodScheduled=False condition, a FailedScheduling event and a retry when nodes or
// pods change.
import type {
  V1CSIStorageCapacity,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from '@kubernetes/client-node';
import { matchesSelector, quantityValue } from '@wharf/api';
import { stableJson } from '../common/pods.js';
import {
  type ControllerContext,
  EventRecorder,
  type Informer,
  isStatus,
  keyOf,
  QueueController,
  timestamp,
} from '@wharf/client';
import { PODS } from '../replicaset/controller.js';
import { nodeInfo, type NodeInfo } from './node-info.js';
import { schedulePod } from './schedule.js';
import { schedulerMetrics } from './metrics.js';
import { claimsAwaitingNode, SELECTED_NODE_ANNOTATION, type VolumeLookup } from './filters.js';
import { bestVolume } from '../volume/binder.js';

/** Bindings in flight at once; the next pod is scheduled meanwhile. */
const MAX_BINDING = 16;

export const NODES = '/api/v1/nodes';
export const DEFAULT_SCHEDULER = 'default-scheduler';

export interface SchedulerStats {
  scheduled: number;
  unschedulable: number;
}

export class Scheduler extends QueueController {
  private readonly nodes: Informer<V1Node>;
  private readonly pods: Informer<V1Pod>;
  private readonly claims: Informer<V1PersistentVolumeClaim>;
  private readonly volumes: Informer<V1PersistentVolume>;
  private readonly classes: Informer<V1StorageClass>;
  private readonly capacities: Informer<V1CSIStorageCapacity>;
  private readonly events: EventRecorder;
  /** Pods assigned to each node, including assumed ones. */
  private readonly podsByNode = new Map<string, Map<string, V1Pod>>();
  private readonly infos = new Map<string, NodeInfo>();
  private readonly assumed = new Map<string, string>();
  private readonly unschedulable = new Map<string, string>();
  private flushTimer: unknown;
  private periodic: unknown;
  readonly stats: SchedulerStats = { scheduled: 0, unschedulable: 0 };
  private readonly binding = new Set<Promise<void>>();
  private readonly metrics = schedulerMetrics(() => ({
    active: this.queue.length,
    unschedulable: this.unschedulable.size,
  }));

  constructor(
    ctx: ControllerContext,
    private readonly schedulerName = DEFAULT_SCHEDULER,
  ) {
    super(ctx, 'scheduler', 1);
    this.nodes = ctx.informers.for<V1Node>(NODES);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.events = new EventRecorder({
      client: ctx.client,
      component: schedulerName,
      clock: ctx.clock,
      onError: (e) => ctx.logger.warn({ err: e }, 'writing an event failed'),
    });
    this.nodes.on((type, node, old) => {
      const name = node.metadata?.name ?? '';
      this.infos.delete(name);
      if (type === 'delete' || !old || nodeShape(old) !== nodeShape(node)) this.clusterChanged();
    });
    this.pods.on((type, pod, old) => this.onPod(type, pod, old));
    this.claims = ctx.informers.for<V1PersistentVolumeClaim>('/api/v1/persistentvolumeclaims');
    this.volumes = ctx.informers.for<V1PersistentVolume>('/api/v1/persistentvolumes');
    // A claim getting bound, or a volume appearing, can make a waiting pod schedulable.
    this.classes = ctx.informers.for<V1StorageClass>('/apis/storage.k8s.io/v1/storageclasses');
    this.capacities = ctx.informers.for<V1CSIStorageCapacity>('/apis/storage.k8s.io/v1/csistoragecapacities');
    this.claims.on(() => this.clusterChanged());
    this.volumes.on(() => this.clusterChanged());
    this.classes.on(() => this.clusterChanged());
    this.capacities.on(() => this.clusterChanged());
  }

  override start(): void {
    super.start();
    const tick = (): void => {
      this.requeueUnschedulable();
      this.periodic = this.ctx.clock.setTimeout(tick, 60_000);
    };
    this.periodic = this.ctx.clock.setTimeout(tick, 60_000);
  }

  override async stop(): Promise<void> {
    this.ctx.clock.clearTimeout(this.periodic);
    this.ctx.clock.clearTimeout(this.flushTimer);
    await super.stop();
    await Promise.allSettled([...this.binding]);
  }

  private volumeLookup(): VolumeLookup {
    return {
      claim: (ns, name) => this.claims.get(ns, name),
      volume: (name) => this.volumes.get('', name),
      storageClass: (name) => this.classes.get('', name),
      staticVolume: (claim, node) => bestVolume(this.volumes.list(), claim, node) !== undefined,
      capacity: (node, storageClass) => {
        // As kube-scheduler: the largest capacity reported for the class by an object whose topology selects the node.
        const fits = this.capacities
          .list()
          .filter(
            (c) =>
              c.storageClassName === storageClass &&
              (!c.nodeTopology || matchesSelector(c.nodeTopology, node.metadata?.labels ?? {})),
          );
        if (fits.length === 0) return undefined;
        return Math.max(...fits.map((c) => quantityValue(c.maximumVolumeSize ?? c.capacity) ?? 0));
      },
    };
  }

  /** Records the chosen node on the pod's waiting claims, so their volumes are made there. */
  private async selectNodeForClaims(pod: V1Pod, node: string): Promise<void> {
    for (const claim of claimsAwaitingNode(pod, this.volumeLookup())) {
      await this.ctx.client.patch(
        `/api/v1/namespaces/${claim.metadata?.namespace ?? ''}/persistentvolumeclaims/${claim.metadata?.name ?? ''}`,
        {
          metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: node } },
        },
      );
    }
  }

  /** Writes the binding; a failure forgets the assumption and retries the pod (unless it is gone or bound). */
  private async bind(key: string, pod: V1Pod, node: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    try {
      await this.selectNodeForClaims(pod, node);
      await this.ctx.client.create(`/api/v1/namespaces/${ns}/pods/${name}/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: ns, uid: pod.metadata?.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
    } catch (e) {
      if (this.assumed.get(key) === node) {
        this.assumed.delete(key);
        this.removeFromNode(node, key);
      }
      if (isStatus(e, 404) || isStatus(e, 409)) return;
      this.ctx.logger.warn({ err: e, pod: key, node }, 'binding failed; retrying');
      this.queue.addRateLimited(key);
      return;
    }
    this.unschedulable.delete(key);
    this.stats.scheduled++;
    this.events.emit(
      { ...pod, apiVersion: 'v1', kind: 'Pod' },
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${name} to ${node}`,
    );
  }

  private onPod(type: string, pod: V1Pod, old?: V1Pod): void {
    const key = keyOf(pod);
    const node = pod.spec?.nodeName;
    const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (node) {
      this.assumed.delete(key);
      this.unschedulable.delete(key);
      if (type === 'delete' || finished) {
        if (this.removeFromNode(node, key)) this.clusterChanged();
        return;
      }
      this.addToNode(node, key, pod);
      // A terminating pod no longer counts for topology spread.
      if (pod.metadata?.deletionTimestamp && !old?.metadata?.deletionTimestamp) this.clusterChanged();
      return;
    }
    if (type === 'delete') {
      this.unschedulable.delete(key);
      const was = this.assumed.get(key);
      if (was) this.removeFromNode(was, key);
      this.assumed.delete(key);
      return;
    }
    if (
      pod.metadata?.deletionTimestamp ||
      finished ||
      (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER) !== this.schedulerName
    )
      return;
    // Our own status writes on unschedulable pods must not retry them.
    if (this.unschedulable.has(key) && old && podShape(old) === podShape(pod)) return;
    this.queue.add(key);
  }

  private addToNode(node: string, key: string, pod: V1Pod): void {
    let m = this.podsByNode.get(node);
    if (!m) this.podsByNode.set(node, (m = new Map()));
    m.set(key, pod);
    this.infos.delete(node);
  }

  private removeFromNode(node: string, key: string): boolean {
    const removed = this.podsByNode.get(node)?.delete(key) ?? false;
    if (removed) this.infos.delete(node);
    return removed;
  }

  /** Unschedulable pods get another try, batched over a short window. */
  private clusterChanged(): void {
    if (this.unschedulable.size === 0 || this.flushTimer) return;
    this.flushTimer = this.ctx.clock.setTimeout(() => {
      this.flushTimer = undefined;
      this.requeueUnschedulable();
    }, 500);
  }

  private requeueUnschedulable(): void {
    for (const key of this.unschedulable.keys()) this.queue.add(key);
  }

  private snapshot(): NodeInfo[] {
    const out: NodeInfo[] = [];
    for (const node of this.nodes.list()) {
      const name = node.metadata?.name ?? '';
      let info = this.infos.get(name);
      if (!info || info.node !== node) {
        info = nodeInfo(node, [...(this.podsByNode.get(name)?.values() ?? [])]);
        this.infos.set(name, info);
      }
      out.push(info);
    }
    return out;
  }

  protected async sync(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    if (!pod || pod.spec?.nodeName || pod.metadata?.deletionTimestamp || this.assumed.has(key)) return;
    if ((pod.spec?.schedulerName ?? DEFAULT_SCHEDULER) !== this.schedulerName) return;
    const started = performance.now();
    const result = schedulePod(pod, this.snapshot(), Math.random, this.volumeLookup());
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    this.metrics.attempt('node' in result ? 'scheduled' : 'unschedulable', (performance.now() - started) / 1000);
    if ('node' in result) {
      this.assumed.set(key, result.node);
      this.addToNode(result.node, key, {
        ...pod,
        spec: { ...pod.spec, containers: pod.spec?.containers ?? [], nodeName: result.node },
      });
      // As kube-scheduler's binding cycle: the next pod is scheduled against the assumed one while
      // this binding is in flight (up to MAX_BINDING at once).
      const bind = this.bind(key, pod, result.node).finally(() => this.binding.delete(bind));
      this.binding.add(bind);
      if (this.binding.size >= MAX_BINDING) await Promise.race(this.binding);
      return;
    }
    this.stats.unschedulable++;
    const previous = this.unschedulable.get(key);
    this.unschedulable.set(key, result.message);
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (previous !== result.message)
      this.events.emit({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'FailedScheduling', result.message);
    if (cond?.status !== 'False' || cond.reason !== 'Unschedulable' || cond.message !== result.message) {
      await this.ctx.client
        .patch(
          `/api/v1/namespaces/${ns}/pods/${name}/status`,
          {
            status: {
              conditions: [
                {
                  type: 'PodScheduled',
                  status: 'False',
                  reason: 'Unschedulable',
                  message: result.message,
                  lastProbeTime: null,
                  lastTransitionTime: timestamp(this.ctx.clock.now()),
                },
              ],
            },
          },
          'strategic',
        )
        .catch((e: unknown) => {
          if (!isStatus(e, 404)) throw e;
        });
    }
  }
}

function nodeShape(n: V1Node): string {
  return stableJson([n.metadata?.labels, n.spec, n.status?.allocatable]);
}

function podShape(p: V1Pod): string {
  return stableJson([p.metadata?.labels, p.spec]);
}
