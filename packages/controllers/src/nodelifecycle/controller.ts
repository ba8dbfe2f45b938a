// The node lifecycle controller's runner: a pass every monitor period (and soon after a node's
// taints or Ready condition change, or when an eviction falls due), carrying out
// reconcileNodeLifecycle's actions with a per-zone limit on new NoExecute taints.
import type { V1Lease, V1Node, V1Pod } from '@kubernetes/client-node';
import { stableJson } from '../common/pods.js';
import { PODS } from '../replicaset/controller.js';
import { withDefaults } from '@wharf/api';
import { type ControllerContext, EventRecorder, type Informer, isStatus, PeriodicPass, timestamp } from '@wharf/client';
import { NODES } from '../scheduler/scheduler.js';
import type { NodeHealth } from './health.js';
import { reconcileNodeLifecycle, type NodeLifecycleAction, type NodeLifecycleConfig } from './reconcile.js';
import { DEFAULT_ZONE_RATES, ZoneLimiter } from './zones.js';

export const NODE_LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';

export interface NodeLifecycleOptions {
  /** How often nodes are checked. @default 5000 */
  readonly monitorPeriodMs?: number;
  /** Silence after which a node is Unknown (kube-controller-manager's --node-monitor-grace-period). @default 50 */
  readonly gracePeriodSeconds?: number;
  /** New NoExecute taints per second and zone. @default 0.1 */
  readonly nodeEvictionRate?: number;
  /** @default 0.01 */
  readonly secondaryNodeEvictionRate?: number;
  /** @default 50 */
  readonly largeClusterSizeThreshold?: number;
  /** @default 0.55 */
  readonly unhealthyZoneThreshold?: number;
}

/** What the controller reads: its reconcile config and its monitor period. */
export interface ResolvedNodeLifecycleOptions extends NodeLifecycleConfig {
  readonly monitorPeriodMs: number;
}

export function resolveNodeLifecycleOptions(o: NodeLifecycleOptions = {}): ResolvedNodeLifecycleOptions {
  const { gracePeriodSeconds, ...rest } = withDefaults(
    { monitorPeriodMs: 5000, gracePeriodSeconds: 50, ...DEFAULT_ZONE_RATES },
    o,
  );
  return { ...rest, gracePeriodMs: gracePeriodSeconds * 1000 };
}

export class NodeLifecycleController {
  private readonly nodes: Informer<V1Node>;
  private readonly pods: Informer<V1Pod>;
  private readonly leases: Informer<V1Lease>;
  private readonly events: EventRecorder;
  private readonly limiter = new ZoneLimiter();
  private health = new Map<string, NodeHealth>();
  private readonly passes: PeriodicPass;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly cfg: ResolvedNodeLifecycleOptions = resolveNodeLifecycleOptions(),
  ) {
    this.nodes = ctx.informers.for<V1Node>(NODES);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.leases = ctx.informers.for<V1Lease>(NODE_LEASES);
    this.events = new EventRecorder({
      client: ctx.client,
      component: 'node-controller',
      clock: ctx.clock,
      onError: (e) => ctx.logger.warn({ err: e }, 'writing an event failed'),
    });
    // A taint just written evicts at once; a node reporting Ready again is untainted at once.
    this.nodes.on((type, node, old) => {
      if (type === 'update' && old && stateOf(old) === stateOf(node)) return;
      this.passes.kick(50);
    });
    this.passes = new PeriodicPass({ clock: ctx.clock, run: () => this.runPass() });
  }

  start(): void {
    this.passes.start();
  }

  stop(): Promise<void> {
    return this.passes.stop();
  }

  /** One pass; answers how long until the next (sooner when an eviction falls due). */
  private async runPass(): Promise<number> {
    const now = this.ctx.clock.now();
    const period = this.cfg.monitorPeriodMs;
    let next = period;
    try {
      const plan = reconcileNodeLifecycle(
        {
          nodes: this.nodes.list(),
          leases: new Map(this.leases.list().map((l) => [l.metadata?.name ?? '', l])),
          pods: this.pods.list(),
          health: this.health,
          now,
        },
        this.cfg,
      );
      this.health = plan.health;
      if (plan.nextEvictionAt !== undefined) next = Math.max(10, Math.min(period, plan.nextEvictionAt - now + 10));
      await Promise.all(
        plan.actions.map((a) =>
          this.apply(a, now).catch((e: unknown) => {
            if (!isStatus(e, 404) && !isStatus(e, 409))
              this.ctx.logger.warn({ err: e, action: a.type }, 'node lifecycle action failed');
          }),
        ),
      );
    } catch (e) {
      this.ctx.logger.error({ err: e }, 'node lifecycle pass failed');
    }
    return next;
  }

  private async apply(a: NodeLifecycleAction, now: number): Promise<void> {
    const c = this.ctx.client;
    switch (a.type) {
      case 'conditions': {
        const name = a.node.metadata?.name ?? '';
        await c.patch(`/api/v1/nodes/${name}/status`, { status: { conditions: a.conditions } }, 'strategic');
        if (a.conditions.some((x) => x.type === 'Ready')) {
          this.events.emit(
            { ...a.node, apiVersion: 'v1', kind: 'Node' },
            'Normal',
            'NodeNotReady',
            `Node ${name} status is now: NodeNotReady`,
          );
        }
        return;
      }
      case 'taints':
        if (a.newNoExecute && !this.limiter.tryTake(a.zone, a.rate, now)) return;
        await c.patch(`/api/v1/nodes/${a.node.metadata?.name}`, {
          metadata: { resourceVersion: a.node.metadata?.resourceVersion },
          spec: { taints: a.taints },
        });
        return;
      case 'podNotReady':
        await c.patch(
          `${podPath(a.pod)}/status`,
          { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: timestamp(now) }] } },
          'strategic',
        );
        return;
      case 'evict': {
        const pod = a.pod;
        await c
          .patch(
            `${podPath(pod)}/status`,
            {
              status: {
                conditions: [
                  {
                    type: 'DisruptionTarget',
                    status: 'True',
                    reason: 'DeletionByTaintManager',
                    message: 'Taint manager: deleting due to NoExecute taint',
                    lastTransitionTime: timestamp(now),
                  },
                ],
              },
            },
            'strategic',
          )
          .catch(() => undefined);
        await c.delete(podPath(pod), { preconditions: { uid: pod.metadata?.uid } });
        this.events.emit(
          { ...pod, apiVersion: 'v1', kind: 'Pod' },
          'Normal',
          'TaintManagerEviction',
          `Marking for deletion Pod ${pod.metadata?.namespace}/${pod.metadata?.name}`,
        );
        return;
      }
    }
  }
}

function podPath(p: V1Pod): string {
  return `/api/v1/namespaces/${p.metadata?.namespace}/pods/${p.metadata?.name}`;
}

function stateOf(n: V1Node): string {
  return stableJson([n.spec?.taints ?? [], n.status?.conditions?.find((c) => c.type === 'Ready')?.status]);
}
