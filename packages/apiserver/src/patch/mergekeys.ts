// The patchStrategy / patchMergeKey struct tags of k8s.io/api 1.32, keyed by the schema type that
// holds the field. Lists absent from this table are replaced whole by a strategic merge patch.
// Deliberately not "every conditions list": CSR, FlowSchema and CRD conditions carry no tags.

export type PatchStrategy = 'merge' | 'retainKeys' | 'merge,retainKeys';

export interface MergeStrategy {
  readonly strategy: PatchStrategy;
  /** The field that identifies an element of a merged list of objects; absent for lists of scalars. */
  readonly key?: string;
}

const byName: MergeStrategy = { strategy: 'merge', key: 'name' };
const byType: MergeStrategy = { strategy: 'merge', key: 'type' };
const byIp: MergeStrategy = { strategy: 'merge', key: 'ip' };
const scalarSet: MergeStrategy = { strategy: 'merge' };

/** Container fields; EphemeralContainer shares them (EphemeralContainerCommon). */
const containerFields = (type: string): Record<string, MergeStrategy> => ({
  [`${type}.ports`]: { strategy: 'merge', key: 'containerPort' },
  [`${type}.env`]: byName,
  [`${type}.volumeMounts`]: { strategy: 'merge', key: 'mountPath' },
  [`${type}.volumeDevices`]: { strategy: 'merge', key: 'devicePath' },
});

/** `'<TypeName>.<jsonField>'` → strategy, from the struct tags in k8s.io/api and apimachinery 1.32. */
export const MERGE_KEYS: Readonly<Record<string, MergeStrategy>> = {
  // meta/v1 ObjectMeta
  'V1ObjectMeta.finalizers': scalarSet,
  'V1ObjectMeta.ownerReferences': { strategy: 'merge', key: 'uid' },

  // core/v1 PodSpec, Container, PodStatus
  'V1PodSpec.volumes': { strategy: 'merge,retainKeys', key: 'name' },
  'V1PodSpec.initContainers': byName,
  'V1PodSpec.containers': byName,
  'V1PodSpec.ephemeralContainers': byName,
  'V1PodSpec.imagePullSecrets': byName,
  'V1PodSpec.hostAliases': byIp,
  'V1PodSpec.topologySpreadConstraints': { strategy: 'merge', key: 'topologyKey' },
  'V1PodSpec.schedulingGates': byName,
  'V1PodSpec.resourceClaims': { strategy: 'merge,retainKeys', key: 'name' },
  ...containerFields('V1Container'),
  ...containerFields('V1EphemeralContainer'),
  'V1PodStatus.conditions': byType,
  'V1PodStatus.podIPs': byIp,
  'V1PodStatus.hostIPs': byIp,
  'V1PodStatus.resourceClaimStatuses': { strategy: 'merge,retainKeys', key: 'name' },

  // core/v1, other kinds
  'V1ServiceSpec.ports': { strategy: 'merge', key: 'port' },
  'V1ServiceStatus.conditions': byType,
  'V1ServiceAccount.secrets': byName,
  'V1NodeSpec.podCIDRs': scalarSet,
  'V1NodeStatus.conditions': byType,
  'V1NodeStatus.addresses': byType,
  'V1NamespaceStatus.conditions': byType,
  'V1PersistentVolumeClaimStatus.conditions': byType,
  'V1ReplicationControllerStatus.conditions': byType,
  'V1ComponentStatus.conditions': byType,

  // apps/v1
  'V1DeploymentSpec.strategy': { strategy: 'retainKeys' },
  'V1DeploymentStatus.conditions': byType,
  'V1DaemonSetStatus.conditions': byType,
  'V1ReplicaSetStatus.conditions': byType,
  'V1StatefulSetStatus.conditions': byType,

  // batch/v1, autoscaling/v2, policy/v1
  'V1JobStatus.conditions': byType,
  'V2HorizontalPodAutoscalerStatus.conditions': byType,
  'V1PodDisruptionBudgetStatus.conditions': byType,
};

/** The strategic-merge strategy of `typeName`'s field `field`, or undefined (replace) when it has none. */
export function mergeStrategyOf(typeName: string, field: string): MergeStrategy | undefined {
  return MERGE_KEYS[`${typeName}.${field}`];
}

/** True when a list field merges element by element rather than being replaced. */
export function isMergeList(s: MergeStrategy | undefined): s is MergeStrategy {
  return s !== undefined && s.strategy !== 'retainKeys';
}
