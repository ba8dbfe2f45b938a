// Prometheus's identity in the cluster: the ServiceAccount `prometheus` in the monitoring
// namespace with the read access kube-prometheus grants it (discovery of nodes, pods, services,
// endpoints; nodes/metrics and nodes/proxy for the kubelet's metrics; GET /metrics).
import type { KubeClient } from '@wharf/client';
import { isStatus } from '@wharf/client';

export const PROMETHEUS_SA = 'prometheus';

export function prometheusRbac(namespace: string): { path: string; body: Record<string, unknown> }[] {
  const role = `wharf:prometheus`;
  return [
    {
      path: '/api/v1/namespaces',
      body: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace, labels: { 'app.kubernetes.io/part-of': 'wharf' } },
      },
    },
    {
      path: `/api/v1/namespaces/${namespace}/serviceaccounts`,
      body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: PROMETHEUS_SA, namespace } },
    },
    {
      path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: role },
        rules: [
          {
            apiGroups: [''],
            resources: ['nodes', 'nodes/metrics', 'nodes/proxy', 'services', 'endpoints', 'pods'],
            verbs: ['get', 'list', 'watch'],
          },
          { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
          { nonResourceURLs: ['/metrics', '/metrics/cadvisor'], verbs: ['get'] },
        ],
      },
    },
    {
      path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: role },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name: PROMETHEUS_SA, namespace }],
      },
    },
  ];
}

/** Creates what is missing (an existing object is left as the operator may have tuned it). */
export async function ensureObjects(
  client: KubeClient,
  objects: readonly { path: string; body: Record<string, unknown> }[],
): Promise<void> {
  for (const o of objects) {
    try {
      await client.create(o.path, o.body);
    } catch (e) {
      if (!isStatus(e, 409)) throw e;
    }
  }
}

/** A token of the prometheus ServiceAccount (TokenRequest), for a Prometheus run outside a pod. */
export async function prometheusToken(client: KubeClient, namespace: string, seconds = 7 * 86400): Promise<string> {
  const tr = await client.create<{ status: { token: string } }>(
    `/api/v1/namespaces/${namespace}/serviceaccounts/${PROMETHEUS_SA}/token`,
    {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: seconds },
    },
  );
  return tr.status.token;
}

/** Who may query: bind this ClusterRole in a namespace (RoleBinding) to read that namespace's series. */
export const QUERY_CLUSTER_ROLE = {
  path: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  body: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'wharf:prometheus-query' },
    rules: [
      {
        apiGroups: ['monitoring.wharf.dev'],
        resources: ['prometheuses', 'prometheuses/api'],
        verbs: ['get', 'create'],
      },
    ],
  },
};
