// PodGC's runner: a pass every check period (20 s, as kube-controller-manager's), soon after a
// node gains the out-of-service taint or disappears, and when a missing node's quarantine ends.
// An orphaned pod is force-deleted only after a direct GET finds its node gone (the informer may
// lag), with its status marked Failed first and the pod's uid as the precondition of both writes.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { PODS } from '../replicaset/controller.js';
import { withDefaults } from '@wharf/api';
import { isStatus, PeriodicPass, type ControllerContext, type Informer } from '@wharf/client';
import { NODES } from '../scheduler/scheduler.js';
import { nextPassMs, OUT_OF_SERVICE, reconcilePodGc, type PodGcAction, type PodGcConfig } from './reconcile.js';

export interface PodGcOptions {
  /** How often pods are checked. @default 20000 */
  readonly checkPeriodMs?: number;
  /** How long a node must be missing before its pods are orphans. @default 40000 */
  readonly quarantineMs?: number;
}

export interface ResolvedPodGcOptions extends PodGcConfig {
  readonly checkPeriodMs: number;
}

export function resolvePodGcOptions(o: PodGcOptions = {}): ResolvedPodGcOptions {
  return withDefaults({ checkPeriodMs: 20_000, quarantineMs: 40_000 }, o);
}

export class PodGcController {
  private readonly nodes: Informer<V1Node>;
  private readonly pods: Informer<V1Pod>;
  private missingSince = new Map<string, number>();
  private readonly passes: PeriodicPass;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly cfg: ResolvedPodGcOptions = resolvePodGcOptions(),
  ) {
    this.nodes = ctx.informers.for<V1Node>(NODES);
    this.pods = ctx.informers.for<V1Pod>(PODS);
    this.nodes.on((type, node, old) => {
      if (type === 'delete' || (hasOutOfService(node) && !(old && hasOutOfService(old)))) this.passes.kick(100);
    });
    this.passes = new PeriodicPass({
      clock: ctx.clock,
      run: () => this.runPass().then(() => nextPassMs(this.missingSince, this.ctx.clock.now(), this.cfg)),
    });
  }

  start(): void {
    this.passes.start();
  }

  stop(): Promise<void> {
    return this.passes.stop();
  }

  private async runPass(): Promise<void> {
    try {
      const plan = reconcilePodGc(
        {
          pods: this.pods.list(),
          nodes: this.nodes.list(),
          missingSince: this.missingSince,
          now: this.ctx.clock.now(),
        },
        this.cfg,
      );
      this.missingSince = plan.missingSince;
      const gone = new Map<string, Promise<boolean>>();
      await Promise.all(
        plan.actions.map(async (a) => {
          if (a.missingNode) {
            let check = gone.get(a.missingNode);
            if (!check) gone.set(a.missingNode, (check = this.nodeGone(a.missingNode)));
            if (!(await check)) return;
          }
          await this.apply(a).catch((e: unknown) => {
            if (!isStatus(e, 404) && !isStatus(e, 409) && !isStatus(e, 422))
              this.ctx.logger.warn(
                { err: e, pod: `${a.pod.metadata?.namespace}/${a.pod.metadata?.name}` },
                'force delete failed',
              );
          });
        }),
      );
    } catch (e) {
      this.ctx.logger.error({ err: e }, 'pod GC pass failed');
    }
  }

  private async nodeGone(name: string): Promise<boolean> {
    try {
      await this.ctx.client.get(`${NODES}/${name}`);
      return false;
    } catch (e) {
      return isStatus(e, 404);
    }
  }

  private async apply(a: PodGcAction): Promise<void> {
    const path = `/api/v1/namespaces/${a.pod.metadata?.namespace}/pods/${a.pod.metadata?.name}`;
    const uid = a.pod.metadata?.uid;
    if (a.status) {
      await this.ctx.client.patch(
        `${path}/status`,
        [
          { op: 'test', path: '/metadata/uid', value: uid },
          { op: 'add', path: '/status', value: a.status },
        ],
        'json',
      );
    }
    await this.ctx.client.delete(path, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid },
    });
  }
}

function hasOutOfService(n: V1Node): boolean {
  return (n.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE);
}
