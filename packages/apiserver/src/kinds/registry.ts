// The one place built-in kinds are registered: each kind's strategy module is listed here, and
// the generic paths (defaults, validation, object lifecycle, deletion, tables, field selectors)
// look a kind up by group and kind or by group and resource. Custom resources have none: their
// rules come from their CRD.
import type { Served } from '../registry.js';
import { podStrategy } from './pod/strategy.js';
import { controllerRevisionStrategy } from './workloads/controllerrevision.js';
import { cronJobStrategy } from './workloads/cronjob.js';
import { daemonSetStrategy } from './workloads/daemonset.js';
import { deploymentStrategy } from './workloads/deployment.js';
import { jobStrategy } from './workloads/job.js';
import { replicaSetStrategy } from './workloads/replicaset.js';
import { replicationControllerStrategy } from './workloads/replicationcontroller.js';
import { statefulSetStrategy } from './workloads/statefulset.js';
import type { KindStrategy } from './strategy.js';

const STRATEGIES: readonly KindStrategy[] = [
  podStrategy,
  deploymentStrategy,
  replicaSetStrategy,
  statefulSetStrategy,
  daemonSetStrategy,
  controllerRevisionStrategy,
  jobStrategy,
  cronJobStrategy,
  replicationControllerStrategy,
];

const BY_KIND = new Map(STRATEGIES.map((s) => [`${s.group}/${s.kind}`, s]));
const BY_RESOURCE = new Map(STRATEGIES.map((s) => [`${s.group}/${s.resource}`, s]));

/** The strategy of a built-in group/kind, whatever the version. */
export function strategyFor(group: string, kind: string): KindStrategy | undefined {
  return BY_KIND.get(`${group}/${kind}`);
}

/** The strategy of a built-in group/resource (tables and field selectors know only the resource). */
export function strategyForResource(group: string, resource: string): KindStrategy | undefined {
  return BY_RESOURCE.get(`${group}/${resource}`);
}

/** The strategy of what a request addresses; none for custom and aggregated resources. */
export function strategyOf(served: Served): KindStrategy | undefined {
  return served.custom || served.info.remote ? undefined : strategyFor(served.info.group, served.info.kind);
}
