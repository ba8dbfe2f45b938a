// The one place built-in kinds are registered: each kind's strategy module is listed here, and
// the generic paths (defaults, validation, object lifecycle, deletion, tables, field selectors)
// look a kind up by group and kind or by group and resource. Built-in kinds not listed get the
// generic behaviour (no defaults or checks beyond metadata, Name / Created At columns, metadata
// field labels); custom resources have no strategy: their rules come from their CRD.
import type { Served } from '../registry.js';
import {
  certificateSigningRequestStrategy,
  csiDriverStrategy,
  csiStorageCapacityStrategy,
  horizontalPodAutoscalerStrategy,
  leaseStrategy,
  podDisruptionBudgetStrategy,
  priorityClassStrategy,
  storageClassStrategy,
} from './cluster.js';
import { configMapStrategy } from './core/configmap.js';
import { endpointsStrategy, limitRangeStrategy, resourceQuotaStrategy, serviceAccountStrategy } from './core/misc.js';
import { namespaceStrategy } from './core/namespace.js';
import { nodeStrategy } from './core/node.js';
import { persistentVolumeClaimStrategy, persistentVolumeStrategy } from './core/persistentvolume.js';
import { podTemplateStrategy } from './core/podtemplate.js';
import { secretStrategy } from './core/secret.js';
import { serviceStrategy } from './core/service.js';
import { coreEventStrategy, eventStrategy } from './events.js';
import {
  apiServiceStrategy,
  customResourceDefinitionStrategy,
  mutatingWebhookConfigurationStrategy,
  validatingAdmissionPolicyBindingStrategy,
  validatingAdmissionPolicyStrategy,
  validatingWebhookConfigurationStrategy,
} from './extensions.js';
import { endpointSliceStrategy, ingressClassStrategy, ingressStrategy, networkPolicyStrategy } from './networking.js';
import { podStrategy } from './pod/strategy.js';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategy } from './rbac.js';
import type { KindStrategy } from './strategy.js';
import { controllerRevisionStrategy } from './workloads/controllerrevision.js';
import { cronJobStrategy } from './workloads/cronjob.js';
import { daemonSetStrategy } from './workloads/daemonset.js';
import { deploymentStrategy } from './workloads/deployment.js';
import { jobStrategy } from './workloads/job.js';
import { replicaSetStrategy } from './workloads/replicaset.js';
import { replicationControllerStrategy } from './workloads/replicationcontroller.js';
import { statefulSetStrategy } from './workloads/statefulset.js';

const STRATEGIES: readonly KindStrategy[] = [
  // core/v1
  podStrategy,
  serviceStrategy,
  endpointsStrategy,
  configMapStrategy,
  secretStrategy,
  serviceAccountStrategy,
  namespaceStrategy,
  nodeStrategy,
  coreEventStrategy,
  persistentVolumeStrategy,
  persistentVolumeClaimStrategy,
  resourceQuotaStrategy,
  limitRangeStrategy,
  replicationControllerStrategy,
  podTemplateStrategy,
  // apps/v1, batch/v1
  deploymentStrategy,
  replicaSetStrategy,
  statefulSetStrategy,
  daemonSetStrategy,
  controllerRevisionStrategy,
  jobStrategy,
  cronJobStrategy,
  // cluster administration
  horizontalPodAutoscalerStrategy,
  podDisruptionBudgetStrategy,
  leaseStrategy,
  storageClassStrategy,
  csiDriverStrategy,
  csiStorageCapacityStrategy,
  priorityClassStrategy,
  certificateSigningRequestStrategy,
  eventStrategy,
  // networking
  ingressStrategy,
  ingressClassStrategy,
  networkPolicyStrategy,
  endpointSliceStrategy,
  // rbac
  roleStrategy,
  clusterRoleStrategy,
  roleBindingStrategy,
  clusterRoleBindingStrategy,
  // API extensions
  customResourceDefinitionStrategy,
  apiServiceStrategy,
  validatingWebhookConfigurationStrategy,
  mutatingWebhookConfigurationStrategy,
  validatingAdmissionPolicyStrategy,
  validatingAdmissionPolicyBindingStrategy,
];

const BY_KIND = new Map(STRATEGIES.map((s) => [`${s.group}/${s.kind}`, s]));
const BY_RESOURCE = new Map(STRATEGIES.map((s) => [`${s.group}/${s.resource}`, s]));

/** Every registered strategy, in registration order. */
export function allStrategies(): readonly KindStrategy[] {
  return STRATEGIES;
}

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
