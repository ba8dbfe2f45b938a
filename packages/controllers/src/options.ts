// The controller manager's options, resolved once: every default applied here (the controllers'
// own included), so the manager and its controllers read a fully resolved object.
import type { KubeConfig } from '@kubernetes/client-node';
import { withDefaults } from '@wharf/api';
import { realClock, silentLogger, type Clock, type LeaderElectionOptions, type Logger } from '@wharf/client';
import {
  resolveNodeLifecycleOptions,
  type NodeLifecycleOptions,
  type ResolvedNodeLifecycleOptions,
} from './nodelifecycle/controller.js';
import type { HpaOptions } from './hpa/controller.js';
import { resolvePodGcOptions, type PodGcOptions, type ResolvedPodGcOptions } from './podgc/controller.js';
import { DEFAULT_SCHEDULER } from './scheduler/scheduler.js';

export type ControllerName =
  | 'scheduler'
  | 'replicaset'
  | 'deployment'
  | 'daemonset'
  | 'statefulset'
  | 'job'
  | 'cronjob'
  | 'endpoints'
  | 'endpointslice'
  | 'nodelifecycle'
  | 'podgc'
  | 'disruption'
  | 'horizontalpodautoscaling'
  | 'persistentvolume-binder';

export const ALL_CONTROLLERS: readonly ControllerName[] = [
  'scheduler',
  'replicaset',
  'deployment',
  'daemonset',
  'statefulset',
  'job',
  'cronjob',
  'endpoints',
  'endpointslice',
  'nodelifecycle',
  'podgc',
  'disruption',
  'horizontalpodautoscaling',
  'persistentvolume-binder',
];

export interface ControllerManagerOptions {
  readonly kubeConfig: KubeConfig;
  /** @default all */
  readonly controllers?: readonly ControllerName[];
  /** @default realClock */
  readonly clock?: Clock;
  /** Each controller logs through a child carrying `{ controller }`. @default silentLogger */
  readonly logger?: Logger;
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

export interface ResolvedControllerManagerOptions {
  readonly kubeConfig: KubeConfig;
  readonly controllers: ReadonlySet<ControllerName>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** false: no election; otherwise what the elector may tune. */
  readonly leaderElection: false | LeaderElectionOptions;
  readonly nodeLifecycle: ResolvedNodeLifecycleOptions;
  readonly podGc: ResolvedPodGcOptions;
  readonly hpa: Required<HpaOptions>;
  readonly schedulerName: string;
}

export function resolveControllerManagerOptions(o: ControllerManagerOptions): ResolvedControllerManagerOptions {
  const r = withDefaults(
    {
      controllers: ALL_CONTROLLERS,
      clock: realClock,
      logger: silentLogger,
      leaderElection: true,
      schedulerName: DEFAULT_SCHEDULER,
    },
    o,
  );
  return {
    kubeConfig: r.kubeConfig,
    controllers: new Set(r.controllers),
    clock: r.clock,
    logger: r.logger,
    leaderElection: r.leaderElection === true ? {} : r.leaderElection,
    nodeLifecycle: resolveNodeLifecycleOptions(o.nodeLifecycle),
    podGc: resolvePodGcOptions(o.podGc),
    hpa: withDefaults({ syncPeriodMs: 15_000 }, o.hpa ?? {}),
    schedulerName: r.schedulerName,
  };
}
