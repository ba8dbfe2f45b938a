// The one entry the write path calls: applyDefaults picks the defaulter of a group/version/kind
// and runs it on the object in place, as the real server does after decoding a create or update
// body. Kinds without defaults (ConfigMap, Role, Lease, Ingress, PDB, custom resources…) pass
// through untouched.
import type { KubeObject } from '@wharf/api';
import {
  defaultEndpoints,
  defaultLimitRange,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultPodTemplate,
  defaultResourceQuota,
  defaultSecret,
  defaultService,
  type Operation,
} from './core.js';
import {
  defaultCSIDriver,
  defaultHorizontalPodAutoscalerV1,
  defaultHorizontalPodAutoscalerV2,
  defaultPriorityClass,
  defaultRoleBinding,
  defaultStorageClass,
} from './cluster.js';
import { defaultCustomResourceDefinition, defaultWebhookConfiguration } from './extensions.js';
import { defaultEndpointSlice, defaultIngressClass, defaultNetworkPolicy } from './networking.js';
import { strategyFor } from '../kinds/registry.js';
import type { Obj } from './util.js';

type Defaulter = (obj: Obj, operation: Operation) => void;

const DEFAULTERS: ReadonlyMap<string, Defaulter> = new Map<string, Defaulter>([
  ['/v1/Service', defaultService],
  ['/v1/Secret', defaultSecret],
  ['/v1/Namespace', defaultNamespace],
  ['/v1/Node', defaultNode],
  ['/v1/PersistentVolume', defaultPersistentVolume],
  ['/v1/PersistentVolumeClaim', defaultPersistentVolumeClaim],
  ['/v1/Endpoints', defaultEndpoints],
  ['/v1/PodTemplate', defaultPodTemplate],
  ['/v1/LimitRange', defaultLimitRange],
  ['/v1/ResourceQuota', defaultResourceQuota],
  ['autoscaling/v1/HorizontalPodAutoscaler', defaultHorizontalPodAutoscalerV1],
  ['autoscaling/v2/HorizontalPodAutoscaler', defaultHorizontalPodAutoscalerV2],
  ['discovery.k8s.io/v1/EndpointSlice', defaultEndpointSlice],
  ['networking.k8s.io/v1/NetworkPolicy', defaultNetworkPolicy],
  ['networking.k8s.io/v1/IngressClass', defaultIngressClass],
  ['rbac.authorization.k8s.io/v1/RoleBinding', defaultRoleBinding],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', defaultRoleBinding],
  ['storage.k8s.io/v1/StorageClass', defaultStorageClass],
  ['storage.k8s.io/v1/CSIDriver', defaultCSIDriver],
  ['scheduling.k8s.io/v1/PriorityClass', defaultPriorityClass],
  ['apiextensions.k8s.io/v1/CustomResourceDefinition', defaultCustomResourceDefinition],
  ['admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration', (o) => defaultWebhookConfiguration(o, false)],
  ['admissionregistration.k8s.io/v1/MutatingWebhookConfiguration', (o) => defaultWebhookConfiguration(o, true)],
]);

/** True when Wharf has defaults for this group/version/kind. */
export function hasDefaults(group: string, version: string, kind: string): boolean {
  return strategyFor(group, kind)?.defaults !== undefined || DEFAULTERS.has(`${group}/${version}/${kind}`);
}

/**
 * Applies the server-side defaults of a kind to `obj`, in place. `operation` matters for the few
 * create-only steps (Namespace finalizer and phase, Job selector generation); call it after
 * metadata.uid and metadata.name are set so a Job's selector can be generated.
 * @param operation defaults to "create"
 */
export function applyDefaults(group: string, version: string, kind: string, obj: KubeObject, operation: Operation = 'create'): void {
  const strategy = strategyFor(group, kind);
  if (strategy?.defaults) strategy.defaults(obj, operation, version);
  else DEFAULTERS.get(`${group}/${version}/${kind}`)?.(obj, operation);
}
