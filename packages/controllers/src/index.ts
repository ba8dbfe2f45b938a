// @wharf/controllers: the scheduler and workload controllers, speaking only the Kubernetes API,
// and simulated nodes for tests and benchmarks.
import type { KubeConfig } from '@kubernetes/client-node';
import { CronJobController } from './cronjob/controller.js';
import { DaemonSetController } from './daemonset/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { DisruptionController } from './disruption/controller.js';
import { EndpointsController, EndpointSliceController } from './endpoints/controller.js';
import { HpaController, type HpaOptions } from './hpa/controller.js';
import { JobController } from './job/controller.js';
import { type Clock, type ControllerContext, InformerFactory, componentUserAgent, KubeClient, type LeaderElectionOptions, LeaderElector, realClock } from '@wharf/client';
import { NodeLifecycleController, type NodeLifecycleOptions } from './nodelifecycle/controller.js';
import { PodGcController, type PodGcOptions } from './podgc/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { Scheduler } from './scheduler/scheduler.js';
import { StatefulSetController } from './statefulset/controller.js';

export { SimulatedNodes, type SimulatedNodesOptions } from './sim/simulated-nodes.js';
export { schedulePod, fitError, type ScheduleResult } from './scheduler/schedule.js';
export { reconcileReplicaSet } from './replicaset/reconcile.js';
export { reconcileDeployment } from './deployment/reconcile.js';
export { resolveFenceposts } from './deployment/rolling.js';
export { reconcileDaemonSet } from './daemonset/reconcile.js';
export { reconcileStatefulSet } from './statefulset/reconcile.js';
export { reconcileJob } from './job/reconcile.js';
export { reconcileCronJob } from './cronjob/reconcile.js';
export { parseSchedule, nextAfter, ScheduleError } from './cronjob/schedule.js';
export { reconcileEndpoints, desiredEndpoints } from './endpoints/endpoints.js';
export { reconcileEndpointSlices } from './endpoints/slices.js';
export { reconcileNodeLifecycle } from './nodelifecycle/reconcile.js';
export { reconcilePodGc } from './podgc/reconcile.js';
export { reconcileDisruptionBudget } from './disruption/reconcile.js';
export { reconcileHpa } from './hpa/reconcile.js';
export type { HpaOptions } from './hpa/controller.js';
export type { NodeLifecycleOptions } from './nodelifecycle/controller.js';
export type { PodGcOptions } from './podgc/controller.js';

export type ControllerName = 'scheduler' | 'replicaset' | 'deployment' | 'daemonset' | 'statefulset' | 'job' | 'cronjob'
  | 'endpoints' | 'endpointslice' | 'nodelifecycle' | 'podgc' | 'disruption' | 'horizontalpodautoscaling';

export interface ControllerManagerOptions {
  readonly kubeConfig: KubeConfig;
  /** @default all */
  readonly controllers?: readonly ControllerName[];
  /** @default realClock */
  readonly clock?: Clock;
  /** @default console.error */
  readonly log?: (msg: string, err?: unknown) => void;
  /**
   * Run the controllers only while holding the Lease kube-system/wharf-controller-manager, so two
   * managers on one cluster never both act; false runs them at once, unconditionally.
   * @default true
   */
  readonly leaderElection?: boolean | LeaderElectionOptions;
  /** Grace period, monitor period and eviction rates of the node lifecycle controller. */
  readonly nodeLifecycle?: NodeLifecycleOptions;
  /** Check period and orphan quarantine of PodGC. */
  readonly podGc?: PodGcOptions;
  /** Sync period of the HorizontalPodAutoscaler controller. */
  readonly hpa?: HpaOptions;
  /** The schedulerName pods must ask for. @default 'default-scheduler' */
  readonly schedulerName?: string;
}

export interface RunningControllers {
  /** The scheduler of the current term of leadership, if we lead and run one. */
  readonly scheduler: Scheduler | undefined;
  /** Whether this manager holds the Lease and runs its controllers. */
  readonly leading: boolean;
  /** Our holderIdentity in the Lease. */
  readonly identity: string;
  stop(): Promise<void>;
}

interface Term {
  readonly scheduler: Scheduler | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the chosen controllers on shared informers once this manager leads (at once without
 * leader election); resolves after the first election attempt and, if it won, the caches' sync.
 * Losing the Lease stops the controllers; winning it again starts fresh ones.
 */
export async function startControllers(opts: ControllerManagerOptions): Promise<RunningControllers> {
  const client = new KubeClient(opts.kubeConfig, { userAgent: componentUserAgent('kube-controller-manager') });
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? ((m: string, e?: unknown): void => console.error(m, e instanceof Error ? e.message : (e ?? '')));
  const begin = async (): Promise<Term> => {
    const informers = new InformerFactory({ client, clock, onError: (e) => log('informer', e) });
    const ctx: ControllerContext = { client, informers, clock, log };
    const which = new Set(opts.controllers ?? [
      'scheduler', 'replicaset', 'deployment', 'daemonset', 'statefulset', 'job', 'cronjob', 'endpoints', 'endpointslice', 'nodelifecycle', 'podgc', 'disruption', 'horizontalpodautoscaling',
    ]);
    const scheduler = which.has('scheduler') ? new Scheduler(ctx, opts.schedulerName) : undefined;
    const controllers = [
      ...(scheduler ? [scheduler] : []),
      ...(which.has('replicaset') ? [new ReplicaSetController(ctx)] : []),
      ...(which.has('deployment') ? [new DeploymentController(ctx)] : []),
      ...(which.has('daemonset') ? [new DaemonSetController(ctx)] : []),
      ...(which.has('statefulset') ? [new StatefulSetController(ctx)] : []),
      ...(which.has('job') ? [new JobController(ctx)] : []),
      ...(which.has('cronjob') ? [new CronJobController(ctx)] : []),
      ...(which.has('endpoints') ? [new EndpointsController(ctx)] : []),
      ...(which.has('endpointslice') ? [new EndpointSliceController(ctx)] : []),
      ...(which.has('nodelifecycle') ? [new NodeLifecycleController(ctx, opts.nodeLifecycle)] : []),
      ...(which.has('podgc') ? [new PodGcController(ctx, opts.podGc)] : []),
      ...(which.has('disruption') ? [new DisruptionController(ctx)] : []),
      ...(which.has('horizontalpodautoscaling') ? [new HpaController(ctx, opts.hpa)] : []),
    ];
    informers.start();
    await informers.synced();
    for (const c of controllers) c.start();
    return {
      scheduler,
      async stop() {
        await informers.stop();
        await Promise.all(controllers.map((c) => c.stop()));
      },
    };
  };
  let term: Term | undefined;
  const election = opts.leaderElection ?? true;
  if (election === false) {
    term = await begin();
    return {
      get scheduler() {
        return term?.scheduler;
      },
      leading: true,
      identity: '',
      async stop() {
        await term?.stop();
        client.close();
      },
    };
  }
  const elector = new LeaderElector({
    ...(typeof election === 'object' ? election : {}),
    client, clock, log,
    onStartedLeading: async () => {
      log(`leader election: ${elector.identity} leads; starting controllers`);
      term = await begin();
    },
    onStoppedLeading: async () => {
      const t = term;
      term = undefined;
      await t?.stop();
    },
  });
  await elector.start();
  return {
    get scheduler() {
      return term?.scheduler;
    },
    get leading() {
      return elector.leading;
    },
    identity: elector.identity,
    async stop() {
      await elector.stop();
      client.close();
    },
  };
}
