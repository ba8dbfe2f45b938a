// @wharf/controllers: the scheduler and workload controllers, speaking only the Kubernetes API,
// and simulated nodes for tests and benchmarks.
import { CronJobController } from './cronjob/controller.js';
import { DaemonSetController } from './daemonset/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { DisruptionController } from './disruption/controller.js';
import { EndpointsController, EndpointSliceController } from './endpoints/controller.js';
import { HpaController } from './hpa/controller.js';
import { JobController } from './job/controller.js';
import { type ControllerContext, InformerFactory, componentUserAgent, KubeClient, LeaderElector } from '@wharf/client';
import { NodeLifecycleController } from './nodelifecycle/controller.js';
import { resolveControllerManagerOptions, type ControllerManagerOptions, type ControllerName } from './options.js';
import { PodGcController } from './podgc/controller.js';
import { PersistentVolumeBinder } from './volume/controller.js';
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

export {
  ALL_CONTROLLERS,
  resolveControllerManagerOptions,
  type ControllerManagerOptions,
  type ControllerName,
  type ResolvedControllerManagerOptions,
} from './options.js';
export { resolveNodeLifecycleOptions, type ResolvedNodeLifecycleOptions } from './nodelifecycle/controller.js';
export { resolvePodGcOptions, type ResolvedPodGcOptions } from './podgc/controller.js';

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
export async function startControllers(options: ControllerManagerOptions): Promise<RunningControllers> {
  const opts = resolveControllerManagerOptions(options);
  const { clock, logger } = opts;
  const client = new KubeClient(opts.kubeConfig, { userAgent: componentUserAgent('kube-controller-manager') });
  const begin = async (): Promise<Term> => {
    const informers = new InformerFactory({
      client,
      clock,
      onError: (e) => logger.warn({ err: e }, 'informer: watch failed; resuming'),
    });
    /** Each controller logs with its name as a field. */
    const ctx = (controller: ControllerName): ControllerContext => ({
      client,
      informers,
      clock,
      logger: logger.child({ controller }),
    });
    const which = opts.controllers;
    const scheduler = which.has('scheduler') ? new Scheduler(ctx('scheduler'), opts.schedulerName) : undefined;
    const controllers = [
      ...(scheduler ? [scheduler] : []),
      ...(which.has('replicaset') ? [new ReplicaSetController(ctx('replicaset'))] : []),
      ...(which.has('deployment') ? [new DeploymentController(ctx('deployment'))] : []),
      ...(which.has('daemonset') ? [new DaemonSetController(ctx('daemonset'))] : []),
      ...(which.has('statefulset') ? [new StatefulSetController(ctx('statefulset'))] : []),
      ...(which.has('job') ? [new JobController(ctx('job'))] : []),
      ...(which.has('cronjob') ? [new CronJobController(ctx('cronjob'))] : []),
      ...(which.has('endpoints') ? [new EndpointsController(ctx('endpoints'))] : []),
      ...(which.has('endpointslice') ? [new EndpointSliceController(ctx('endpointslice'))] : []),
      ...(which.has('nodelifecycle') ? [new NodeLifecycleController(ctx('nodelifecycle'), opts.nodeLifecycle)] : []),
      ...(which.has('podgc') ? [new PodGcController(ctx('podgc'), opts.podGc)] : []),
      ...(which.has('disruption') ? [new DisruptionController(ctx('disruption'))] : []),
      ...(which.has('horizontalpodautoscaling') ? [new HpaController(ctx('horizontalpodautoscaling'), opts.hpa)] : []),
      ...(which.has('persistentvolume-binder') ? [new PersistentVolumeBinder(ctx('persistentvolume-binder'))] : []),
    ];
    informers.start();
    await informers.synced();
    for (const c of controllers) c.start();
    logger.info({ controllers: [...which] }, 'controllers started');
    return {
      scheduler,
      async stop() {
        await informers.stop();
        await Promise.all(controllers.map((c) => c.stop()));
      },
    };
  };
  let term: Term | undefined;
  const election = opts.leaderElection;
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
    ...election,
    client,
    clock,
    logger: logger.child({ component: 'leader-election' }),
    onStartedLeading: async () => {
      // A normal event: info, never error.
      logger.info({ identity: elector.identity }, 'leader election: this manager leads; starting controllers');
      term = await begin();
    },
    onStoppedLeading: async () => {
      logger.info(
        { identity: elector.identity },
        'leader election: this manager stopped leading; stopping controllers',
      );
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
