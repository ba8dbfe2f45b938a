// Makes the log server reachable through the Kubernetes API: a selector-less Service whose
// Endpoints point at the server, an APIService for pipelines.wharf.dev/v1alpha1 trusting its
// CA, and ClusterRoles aggregated into view/edit/admin so whoever may read a namespace's runs
// may read their logs.
import { isStatus, type KubeClient } from '@wharf/client';
import { LOGS_GROUP, LOGS_VERSION } from './server.js';

export const LOGS_NAMESPACE = 'wharf-system';
export const LOGS_SERVICE = 'wharf-pipelines';

async function apply(client: KubeClient, collection: string, name: string, body: Record<string, unknown>): Promise<void> {
  const current = await client.getOptional<{ metadata: { resourceVersion?: string } }>(`${collection}/${name}`);
  if (!current) {
    try {
      await client.create(collection, body);
    } catch (e) {
      if (!isStatus(e, 409)) throw e;
    }
    return;
  }
  await client.replace(`${collection}/${name}`, { ...body, metadata: { ...(body.metadata as object), resourceVersion: current.metadata.resourceVersion } });
}

const rbacLabels = (to: string[]): Record<string, string> => Object.fromEntries(to.map((t) => [`rbac.authorization.k8s.io/aggregate-to-${t}`, 'true']));

export async function registerLogApi(client: KubeClient, port: number, caBundle: string): Promise<void> {
  const ns = LOGS_NAMESPACE;
  await apply(client, '/api/v1/namespaces', ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await apply(client, `/api/v1/namespaces/${ns}/services`, LOGS_SERVICE, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: LOGS_SERVICE, namespace: ns }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] },
  });
  await apply(client, `/api/v1/namespaces/${ns}/endpoints`, LOGS_SERVICE, {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: LOGS_SERVICE, namespace: ns }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port }] }],
  });
  const name = `${LOGS_VERSION}.${LOGS_GROUP}`;
  await apply(client, '/apis/apiregistration.k8s.io/v1/apiservices', name, {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name },
    spec: { group: LOGS_GROUP, version: LOGS_VERSION, service: { namespace: ns, name: LOGS_SERVICE, port: 443 }, caBundle: Buffer.from(caBundle).toString('base64'), groupPriorityMinimum: 1000, versionPriority: 15 },
  });
  const roles = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
  await apply(client, roles, 'wharf-pipelines-view', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'wharf-pipelines-view', labels: rbacLabels(['view', 'edit', 'admin']) },
    rules: [
      { apiGroups: [LOGS_GROUP], resources: ['taskrunlogs', 'taskrunlogs/log', 'pipelinerunlogs', 'pipelinerunlogs/log'], verbs: ['get', 'list'] },
      { apiGroups: ['tekton.dev'], resources: ['tasks', 'taskruns', 'pipelines', 'pipelineruns'], verbs: ['get', 'list', 'watch'] },
    ],
  });
  await apply(client, roles, 'wharf-pipelines-edit', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'wharf-pipelines-edit', labels: rbacLabels(['edit', 'admin']) },
    rules: [{ apiGroups: ['tekton.dev'], resources: ['tasks', 'taskruns', 'pipelines', 'pipelineruns'], verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] }],
  });
}
