// The default ClusterRoles and ClusterRoleBindings every real cluster starts with (Kubernetes 1.32
// bootstrap policy): cluster-admin, the aggregated admin / edit / view user-facing roles and the
// system:aggregate-to-* roles that feed them, discovery, basic-user and public-info access; and
// Wharf's system:node role for node agents, bound to the group system:nodes.
import type { KubeObject } from '@wharf/api';
import { aggregateClusterRoles } from './rbac-aggregate.js';
import { DATAPLANE_GROUP } from './tokens.js';
import { BOOTSTRAPPERS_GROUP } from './bootstrap-tokens.js';
import { CLUSTER_INFO_NAME, CLUSTER_INFO_NAMESPACE, CLUSTER_INFO_ROLE } from './cluster-info.js';

const RBAC_API = 'rbac.authorization.k8s.io';
const API_VERSION = `${RBAC_API}/v1`;
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

const READ = ['get', 'list', 'watch'];
const CERTIFICATES = 'certificates.k8s.io';
const CSR_ROLE = `system:${CERTIFICATES}:certificatesigningrequests`;
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

type Rule = Record<string, string[]>;

function rule(verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): Rule {
  const r: Rule = { apiGroups, resources, verbs };
  if (resourceNames) r['resourceNames'] = resourceNames;
  return r;
}

const urls = (verbs: string[], nonResourceURLs: string[]): Rule => ({ nonResourceURLs, verbs });

function clusterRole(
  name: string,
  rules: Rule[],
  extra: { labels?: Record<string, string>; aggregateFrom?: string } = {},
): KubeObject {
  const role: KubeObject = {
    apiVersion: API_VERSION,
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...extra.labels }, annotations: { ...AUTOUPDATE } },
    rules,
  };
  if (extra.aggregateFrom) {
    role['aggregationRule'] = {
      clusterRoleSelectors: [{ matchLabels: { [`${RBAC_API}/${extra.aggregateFrom}`]: 'true' } }],
    };
  }
  return role;
}

function groupBinding(role: string, groups: string[]): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: { name: role, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    roleRef: { apiGroup: RBAC_API, kind: 'ClusterRole', name: role },
    subjects: groups.map((name) => ({ apiGroup: RBAC_API, kind: 'Group', name })),
  };
}

const aggregateTo = (target: 'admin' | 'edit' | 'view'): Record<string, string> => ({
  [`${RBAC_API}/aggregate-to-${target}`]: 'true',
});

/** Extra powers of `admin` over `edit`: grant roles in the namespace. */
const AGGREGATE_TO_ADMIN: Rule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(READ_WRITE, [RBAC_API], ['rolebindings', 'roles']),
];

/** Writes on user workloads, reads of escalating resources (secrets, exec): `edit` over `view`. */
const AGGREGATE_TO_EDIT: Rule[] = [
  rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(
    WRITE,
    [''],
    [
      'configmaps',
      'events',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'secrets',
      'serviceaccounts',
      'services',
      'services/proxy',
    ],
  ),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(
    WRITE,
    ['apps'],
    [
      'daemonsets',
      'deployments',
      'deployments/rollback',
      'deployments/scale',
      'replicasets',
      'replicasets/scale',
      'statefulsets',
      'statefulsets/scale',
    ],
  ),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(
    WRITE,
    ['extensions'],
    [
      'daemonsets',
      'deployments',
      'deployments/rollback',
      'deployments/scale',
      'ingresses',
      'networkpolicies',
      'replicasets',
      'replicasets/scale',
      'replicationcontrollers/scale',
    ],
  ),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
];

/** Read-only access to non-escalating namespaced resources (no secrets, no exec). */
const AGGREGATE_TO_VIEW: Rule[] = [
  rule(
    READ,
    [''],
    [
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'pods',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/status',
    ],
  ),
  rule(
    READ,
    [''],
    [
      'bindings',
      'events',
      'limitranges',
      'namespaces/status',
      'pods/log',
      'pods/status',
      'replicationcontrollers/status',
      'resourcequotas',
      'resourcequotas/status',
    ],
  ),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(
    READ,
    ['apps'],
    [
      'controllerrevisions',
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
    ],
  ),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(
    READ,
    ['extensions'],
    [
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'ingresses',
      'ingresses/status',
      'networkpolicies',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'replicationcontrollers/scale',
    ],
  ),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
];

/**
 * What a Wharf node agent does, and no more: register and heartbeat its Node and Lease, run the
 * pods bound to it (status, events, confirming deletion) and read what their volumes, env and
 * image pulls reference. The Node restriction (node-authorizer.ts) narrows every name further.
 */
const NODE: Rule[] = [
  rule(['create', 'get', 'patch'], [''], ['nodes']),
  // Callers of the agent's ports are checked as the kubelet's webhook authentication and
  // authorization check them: a TokenReview, then a SubjectAccessReview on nodes/<subresource>.
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  rule(['patch'], [''], ['nodes/status']),
  rule(['create', 'patch'], ['coordination.k8s.io'], ['leases']),
  rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
  rule(['patch'], [''], ['pods/status']),
  rule(['create', 'patch'], [''], ['events']),
  rule(['get'], [''], ['configmaps', 'persistentvolumeclaims', 'persistentvolumes', 'secrets']),
  // Services: the containers' service environment variables (KUBERNETES_SERVICE_HOST, ...).
  rule(['get', 'list', 'watch'], [''], ['services']),
  rule(['create'], [''], ['serviceaccounts/token']),
  // Renewing its own client certificate (selfnodeclient is granted by its own binding).
  rule(['create', 'get', 'list', 'watch'], [CERTIFICATES], ['certificatesigningrequests']),
];

/**
 * What the dataplane reads and writes, and no more (upstream's system:node-proxier, system:coredns,
 * a NetworkPolicy agent's and an ingress controller's roles together): Services, EndpointSlices
 * and Nodes for DNS and the Service rules, pods, namespaces and NetworkPolicies for the policy
 * rules, Ingresses and TLS Secrets for the gateway, its IngressClass, and the Ingress status.
 */
const DATAPLANE: Rule[] = [
  rule(['list', 'watch'], [''], ['services', 'secrets', 'nodes', 'pods', 'namespaces']),
  rule(['list', 'watch'], ['networking.k8s.io'], ['networkpolicies']),
  rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
  rule(['list', 'watch'], ['networking.k8s.io'], ['ingresses']),
  rule(['patch'], ['networking.k8s.io'], ['ingresses/status']),
  rule(['get', 'create'], ['networking.k8s.io'], ['ingressclasses']),
  rule(['create', 'patch'], ['', 'events.k8s.io'], ['events']),
];

function bootstrapClusterRoles(): KubeObject[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    clusterRole('admin', [], { aggregateFrom: 'aggregate-to-admin' }),
    clusterRole('edit', [], { labels: aggregateTo('admin'), aggregateFrom: 'aggregate-to-edit' }),
    clusterRole('view', [], { labels: aggregateTo('edit'), aggregateFrom: 'aggregate-to-view' }),
    clusterRole('system:aggregate-to-admin', AGGREGATE_TO_ADMIN, { labels: aggregateTo('admin') }),
    clusterRole('system:aggregate-to-edit', AGGREGATE_TO_EDIT, { labels: aggregateTo('edit') }),
    clusterRole('system:aggregate-to-view', AGGREGATE_TO_VIEW, { labels: aggregateTo('view') }),
    clusterRole('system:discovery', [
      urls(
        ['get'],
        [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      ),
    ]),
    clusterRole('system:monitoring', [
      urls(
        ['get'],
        ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'],
      ),
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [
      urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/']),
    ]),
    clusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    clusterRole('system:service-account-issuer-discovery', [
      urls(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks']),
    ]),
    clusterRole('system:node', NODE),
    clusterRole('system:wharf:dataplane', DATAPLANE),
    // TLS bootstrapping: a bootstrap token may ask for a node's client certificate, which the
    // CSR approver grants to holders of nodeclient (new nodes) and selfnodeclient (renewals).
    clusterRole('system:node-bootstrapper', [
      rule(['create', 'get', 'list', 'watch'], [CERTIFICATES], ['certificatesigningrequests']),
    ]),
    clusterRole(`${CSR_ROLE}:nodeclient`, [
      rule(['create'], [CERTIFICATES], ['certificatesigningrequests/nodeclient']),
    ]),
    clusterRole(`${CSR_ROLE}:selfnodeclient`, [
      rule(['create'], [CERTIFICATES], ['certificatesigningrequests/selfnodeclient']),
    ]),
    // kubeadm's: a joining node first checks that no Ready node already has its name.
    clusterRole('kubeadm:get-nodes', [rule(['get'], [''], ['nodes'])]),
  ];
}

function bootstrapClusterRoleBindings(): KubeObject[] {
  return [
    groupBinding('cluster-admin', ['system:masters']),
    groupBinding('system:discovery', ['system:authenticated']),
    groupBinding('system:basic-user', ['system:authenticated']),
    groupBinding('system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
    groupBinding('system:monitoring', ['system:monitoring']),
    groupBinding('system:service-account-issuer-discovery', ['system:serviceaccounts']),
    groupBinding('system:node', ['system:nodes']),
    groupBinding('system:wharf:dataplane', [DATAPLANE_GROUP]),
    groupBinding('system:node-bootstrapper', [BOOTSTRAPPERS_GROUP]),
    groupBinding(`${CSR_ROLE}:nodeclient`, [BOOTSTRAPPERS_GROUP]),
    groupBinding('kubeadm:get-nodes', [BOOTSTRAPPERS_GROUP]),
    groupBinding(`${CSR_ROLE}:selfnodeclient`, ['system:nodes']),
  ];
}

function role(name: string, namespace: string, rules: Rule[]): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Role',
    metadata: { name, namespace, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    rules,
  };
}

/**
 * The bootstrap policy's namespaced Roles: who may read the aggregation trust ConfigMap, and
 * kubeadm's `kubeadm:bootstrap-signer-clusterinfo`, which lets anyone (system:anonymous) read
 * kube-public/cluster-info, the CA a joining node discovers and checks against its pin.
 */
function bootstrapRoles(): KubeObject[] {
  return [
    role('extension-apiserver-authentication-reader', 'kube-system', [
      rule(READ, [''], ['configmaps'], ['extension-apiserver-authentication']),
    ]),
    role(CLUSTER_INFO_ROLE, CLUSTER_INFO_NAMESPACE, [rule(['get'], [''], ['configmaps'], [CLUSTER_INFO_NAME])]),
    {
      apiVersion: API_VERSION,
      kind: 'RoleBinding',
      metadata: {
        name: CLUSTER_INFO_ROLE,
        namespace: CLUSTER_INFO_NAMESPACE,
        labels: { ...BOOTSTRAP_LABELS },
        annotations: { ...AUTOUPDATE },
      },
      roleRef: { apiGroup: RBAC_API, kind: 'Role', name: CLUSTER_INFO_ROLE },
      subjects: [{ apiGroup: RBAC_API, kind: 'User', name: 'system:anonymous' }],
    },
  ];
}

/**
 * The default ClusterRoles (with admin / edit / view already aggregated, as a running cluster
 * shows them) followed by the default ClusterRoleBindings. Fresh objects on every call.
 */
export function bootstrapRbacObjects(): KubeObject[] {
  return [...aggregateClusterRoles(bootstrapClusterRoles()), ...bootstrapClusterRoleBindings(), ...bootstrapRoles()];
}
