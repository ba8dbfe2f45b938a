// Makes the log server reachable through the Kubernetes API: a selector-less Service whose
// Endpoints point at the server, an APIService for pipelines.wharf.dev/v1alpha1 trusting its
// CA, and ClusterRoles aggregated into view/edit/admin so whoever may read a namespace's runs
// may read their logs.
import { applyObject, registerAggregatedApi, type KubeClient } from '@wharf/client';
import { LOGS_GROUP, LOGS_VERSION } from './server.js';

export const LOGS_NAMESPACE = 'wharf-system';
export const LOGS_SERVICE = 'wharf-pipelines';

const rbacLabels = (to: string[]): Record<string, string> =>
  Object.fromEntries(to.map((t) => [`rbac.authorization.k8s.io/aggregate-to-${t}`, 'true']));

export async function registerLogApi(client: KubeClient, port: number, caBundle: string): Promise<void> {
  await registerAggregatedApi(client, {
    group: LOGS_GROUP,
    version: LOGS_VERSION,
    namespace: LOGS_NAMESPACE,
    service: LOGS_SERVICE,
    port,
    caBundle,
  });
  const roles = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
  await applyObject(client, roles, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'wharf-pipelines-view', labels: rbacLabels(['view', 'edit', 'admin']) },
    rules: [
      {
        apiGroups: [LOGS_GROUP],
        resources: ['taskrunlogs', 'taskrunlogs/log', 'pipelinerunlogs', 'pipelinerunlogs/log'],
        verbs: ['get', 'list'],
      },
      {
        apiGroups: ['tekton.dev'],
        resources: ['tasks', 'taskruns', 'pipelines', 'pipelineruns'],
        verbs: ['get', 'list', 'watch'],
      },
    ],
  });
  await applyObject(client, roles, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'wharf-pipelines-edit', labels: rbacLabels(['edit', 'admin']) },
    rules: [
      {
        apiGroups: ['tekton.dev'],
        resources: ['tasks', 'taskruns', 'pipelines', 'pipelineruns'],
        verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
      },
    ],
  });
}
