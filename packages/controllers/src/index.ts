// @wharf/controllers: the scheduler and workload controllers, speaking only the Kubernetes API,
// and simulated nodes for tests and benchmarks.
import type { KubeConfig } from '@kubernetes/client-node';
import { DeploymentController } from './deployment/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { KubeClient } from './runtime/client.js';
import { realClock, type Clock } from './runtime/clock.js';
import type { ControllerContext } from './runtime/controller.js';
import { InformerFactory } from './runtime/informer.js';
import { Scheduler } from './scheduler/scheduler.js';

export { SimulatedNodes, type SimulatedNodesOptions } from './sim/simulated-nodes.js';
export { schedulePod, fitError, type ScheduleResult } from './scheduler/schedule.js';
export { reconcileReplicaSet } from './replicaset/reconcile.js';
export { reconcileDeployment } from './deployment/reconcile.js';
export { resolveFenceposts } from './deployment/rolling.js';
export { KubeClient, ApiError } from './runtime/client.js';
export type { Clock } from './runtime/clock.js';

export type ControllerName = 'scheduler' | 'replicaset' | 'deployment';

export interface ControllerManagerOptions {
  readonly kubeConfig: KubeConfig;
  /** @default all */
  readonly controllers?: readonly ControllerName[];
  /** @default realClock */
  readonly clock?: Clock;
  /** @default console.error */
  readonly log?: (msg: string, err?: unknown) => void;
}

export interface RunningControllers {
  readonly scheduler: Scheduler | undefined;
  stop(): Promise<void>;
}

/** Starts the chosen controllers on shared informers; resolves once the caches have synced. */
export async function startControllers(opts: ControllerManagerOptions): Promise<RunningControllers> {
  const client = await KubeClient.fromKubeConfig(opts.kubeConfig);
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? ((m: string, e?: unknown): void => console.error(m, e instanceof Error ? e.message : (e ?? '')));
  const informers = new InformerFactory({ client, clock, onError: (e) => log('informer', e) });
  const ctx: ControllerContext = { client, informers, clock, log };
  const which = new Set(opts.controllers ?? ['scheduler', 'replicaset', 'deployment']);
  const scheduler = which.has('scheduler') ? new Scheduler(ctx) : undefined;
  const controllers = [
    ...(scheduler ? [scheduler] : []),
    ...(which.has('replicaset') ? [new ReplicaSetController(ctx)] : []),
    ...(which.has('deployment') ? [new DeploymentController(ctx)] : []),
  ];
  informers.start();
  await informers.synced();
  for (const c of controllers) c.start();
  return {
    scheduler,
    async stop() {
      await informers.stop();
      await Promise.all(controllers.map((c) => c.stop()));
      client.close();
    },
  };
}
