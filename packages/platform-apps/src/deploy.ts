// The manifests that run the platform controllers inside a cluster (deploy/platform/, generated
// by scripts/gen-platform.mjs): a namespace, a ServiceAccount, a least-privilege ClusterRole and
// its binding, and a Deployment running `wharf platform` with the in-cluster credentials. The
// CRDs are applied from crds.yaml beside them, so the controllers need no right on CRDs.
import { PLATFORM_NAMESPACE } from './types.js';

const NAME = 'wharf-platform';
const labels = {
  'app.kubernetes.io/name': NAME,
  'app.kubernetes.io/part-of': 'wharf',
  'app.kubernetes.io/component': 'platform',
};
const CRUD = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** Exactly what the controllers call: nothing on other groups, no pod creation, no CRD writes. */
export const PLATFORM_RULES = [
  { apiGroups: ['platform.wharf.dev'], resources: ['applications', 'configsets', 'applicationrevisions'], verbs: CRUD },
  {
    apiGroups: ['platform.wharf.dev'],
    resources: ['applications/status', 'configsets/status', 'applicationrevisions/status'],
    verbs: ['get', 'update', 'patch'],
  },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: CRUD },
  { apiGroups: [''], resources: ['services', 'configmaps'], verbs: CRUD },
  // Snapshots of the Secrets applications reference (values are copied, never logged).
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
  // Pods are only read, and relabelled to leave their Service before they are deleted.
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
  // Exec reloads run a command in the application's pods (a WebSocket GET, authorized as get and create).
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  // Shared ConfigSets of the platform namespace are copied to namespaces by their labels.
  // Projects: their namespaces, member bindings, quota and defaults, and the roles members get.
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
  { apiGroups: ['platform.wharf.dev'], resources: ['projects'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['platform.wharf.dev'], resources: ['projects/status'], verbs: ['get', 'update', 'patch'] },
  // Federation: member clusters are read and their health written; their kubeconfigs are Secrets (above).
  { apiGroups: ['platform.wharf.dev'], resources: ['memberclusters'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['platform.wharf.dev'], resources: ['memberclusters/status'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: CRUD },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['get', 'create', 'update', 'bind'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterrolebindings'], verbs: ['get', 'create', 'update'] },
  { apiGroups: [''], resources: ['resourcequotas', 'limitranges'], verbs: CRUD },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: CRUD },
  // The ConfigSet author webhook registers itself (with --webhook-* flags only).
  {
    apiGroups: ['admissionregistration.k8s.io'],
    resources: ['mutatingwebhookconfigurations'],
    verbs: ['get', 'create', 'update', 'delete'],
  },
];

export const PLATFORM_MANIFESTS: readonly Record<string, unknown>[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: PLATFORM_NAMESPACE, labels } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: NAME, namespace: PLATFORM_NAMESPACE, labels } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: NAME, labels },
    rules: PLATFORM_RULES,
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: NAME, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
    subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: PLATFORM_NAMESPACE }],
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME, namespace: PLATFORM_NAMESPACE, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: NAME,
          containers: [
            {
              name: 'platform',
              image: 'wharf:0.1.0',
              args: ['platform', '--no-install-crds'],
              resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65534,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
              },
            },
          ],
        },
      },
    },
  },
];
