// The built-in resources Wharf's API server serves: one entry per group/version/resource, with the
// discovery facts kubectl reads (kind, shortNames, categories, verbs, subresources). Custom
// resources join this table at run time through CustomResourceDefinitions.

export interface ResourceInfo {
  /** API group; "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Plural, lower-case resource name used in URLs. */
  readonly resource: string;
  readonly kind: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly verbs: readonly string[];
  /** Subresource names, e.g. status, scale, log, eviction, binding. */
  readonly subresources?: readonly string[];
  /** True for kinds whose objects are encrypted at rest (secrets). */
  readonly encrypted?: boolean;
  /** Kinds answered without storage (access reviews, resource metrics), never stored. */
  readonly virtual?: boolean;
  /** Kinds whose spec changes bump metadata.generation. */
  readonly hasSpec?: boolean;
  /** Served by an aggregated API server through an APIService (proxied, never stored here). */
  readonly remote?: boolean;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
const ALL = ALL_VERBS;
const CREATE_ONLY = ['create'] as const;

function r(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<Omit<ResourceInfo, 'group' | 'version' | 'resource' | 'kind' | 'namespaced'>> = {},
): ResourceInfo {
  return {
    group,
    version,
    resource,
    kind,
    namespaced,
    singular: kind.toLowerCase(),
    verbs: ALL,
    hasSpec: false,
    ...extra,
  };
}

const all = ['all'];

export const BUILTIN_RESOURCES: readonly ResourceInfo[] = [
  // core/v1
  r('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'finalize'],
  }),
  r('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'],
    categories: all,
    hasSpec: false,
    subresources: ['status', 'log', 'eviction', 'binding', 'exec', 'attach', 'portforward', 'ephemeralcontainers'],
  }),
  r('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], categories: all, subresources: ['status', 'proxy'] }),
  r('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  r('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  r('', 'v1', 'secrets', 'Secret', true, { encrypted: true }),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'], subresources: ['token'] }),
  r('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status', 'proxy'] }),
  r('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  r('', 'v1', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: ['status'] }),
  r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, {
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  r('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: ['status'] }),
  r('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  r('', 'v1', 'replicationcontrollers', 'ReplicationController', true, {
    shortNames: ['rc'],
    categories: all,
    subresources: ['status', 'scale'],
    hasSpec: true,
  }),
  r('', 'v1', 'podtemplates', 'PodTemplate', true),
  // apps/v1
  r('apps', 'v1', 'deployments', 'Deployment', true, {
    shortNames: ['deploy'],
    categories: all,
    subresources: ['status', 'scale'],
    hasSpec: true,
  }),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true, {
    shortNames: ['rs'],
    categories: all,
    subresources: ['status', 'scale'],
    hasSpec: true,
  }),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
    shortNames: ['sts'],
    categories: all,
    subresources: ['status', 'scale'],
    hasSpec: true,
  }),
  r('apps', 'v1', 'daemonsets', 'DaemonSet', true, {
    shortNames: ['ds'],
    categories: all,
    subresources: ['status'],
    hasSpec: true,
  }),
  r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  // batch/v1
  r('batch', 'v1', 'jobs', 'Job', true, { categories: all, subresources: ['status'], hasSpec: true }),
  r('batch', 'v1', 'cronjobs', 'CronJob', true, {
    shortNames: ['cj'],
    categories: all,
    subresources: ['status'],
    hasSpec: true,
  }),
  // autoscaling
  r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: all,
    subresources: ['status'],
    hasSpec: true,
  }),
  // policy/v1
  r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
    shortNames: ['pdb'],
    subresources: ['status'],
    hasSpec: true,
  }),
  // certificates: CSRs signed by the cluster CA once approved (TLS bootstrapping of node agents)
  r('certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', false, {
    shortNames: ['csr'],
    subresources: ['status', 'approval'],
    hasSpec: true,
  }),
  // coordination, discovery, events
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  r('events.k8s.io', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  // networking
  r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, {
    shortNames: ['ing'],
    subresources: ['status'],
    hasSpec: true,
  }),
  r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'], hasSpec: true }),
  // rbac
  r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  // storage, scheduling
  r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  r('storage.k8s.io', 'v1', 'csistoragecapacities', 'CSIStorageCapacity', true),
  r('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, { shortNames: ['pc'] }),
  // reviews
  r('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, {
    verbs: CREATE_ONLY,
    virtual: true,
  }),
  r('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', false, {
    verbs: CREATE_ONLY,
    virtual: true,
  }),
  r('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, {
    verbs: CREATE_ONLY,
    virtual: true,
  }),
  r('authentication.k8s.io', 'v1', 'selfsubjectreviews', 'SelfSubjectReview', false, {
    verbs: CREATE_ONLY,
    virtual: true,
  }),
  r('authentication.k8s.io', 'v1', 'tokenreviews', 'TokenReview', false, { verbs: CREATE_ONLY, virtual: true }),
  // resource metrics (metrics-server's API), computed from the node agents on each read
  r('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false, { verbs: ['get', 'list'], virtual: true }),
  r('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true, { verbs: ['get', 'list'], virtual: true }),
  // admission
  r('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false, {
    categories: ['api-extensions'],
  }),
  r('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false, {
    categories: ['api-extensions'],
  }),
  r('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies', 'ValidatingAdmissionPolicy', false, {
    categories: ['api-extensions'],
    subresources: ['status'],
    hasSpec: true,
  }),
  r(
    'admissionregistration.k8s.io',
    'v1',
    'validatingadmissionpolicybindings',
    'ValidatingAdmissionPolicyBinding',
    false,
    { categories: ['api-extensions'], hasSpec: true },
  ),
  // API aggregation
  r('apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false, {
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
  // CRDs
  r('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
];

/** Group-versions served for a group in preference order (first is preferred). */
export function groupVersionString(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Splits "apps/v1" into {group:"apps", version:"v1"} and "v1" into {group:"", version:"v1"}. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/**
 * Older group-versions still served beside the stored one, converted on the way in and out
 * (apiserver kinds/conversion.ts). kubectl 1.20's policy/v1beta1 Eviction bodies go to
 * pods/eviction, which accepts both versions.
 */
export const VERSION_ALIASES: ReadonlyArray<{ group: string; version: string; resources: readonly string[] }> = [
  // kubectl autoscale (and kubectl 1.20 altogether) writes v1; objects are stored as v2.
  { group: 'autoscaling', version: 'v1', resources: ['horizontalpodautoscalers'] },
];
