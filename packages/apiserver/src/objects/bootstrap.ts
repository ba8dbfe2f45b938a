// What a fresh cluster has before anyone writes to it: the system namespaces, the default RBAC
// roles and bindings, and in every namespace the "default" service account and the
// kube-root-ca.crt ConfigMap (the service-account and root-CA publisher controllers' work).
import type { KubeObject } from '@wharf/api';
import { objectKey, type Watcher } from '../storage/index.js';
import { bootstrapRbacObjects } from '../auth/bootstrap.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { SYSTEM_NAMESPACES } from './admission.js';
import { ensureMasterService } from './master-service.js';

async function ensure(
  api: ObjectApi,
  group: string,
  version: string,
  resource: string,
  namespace: string,
  obj: KubeObject,
): Promise<void> {
  const served = api.registry.lookup(group, version, resource);
  const name = obj.metadata?.name ?? '';
  if (!served || api.store.get(objectKey(group, resource, served.info.namespaced ? namespace : undefined, name)))
    return;
  await api.create(served, namespace, obj, internalContext());
}

export async function bootstrapCluster(api: ObjectApi): Promise<void> {
  for (const ns of SYSTEM_NAMESPACES)
    await ensure(api, '', 'v1', 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const obj of bootstrapRbacObjects()) {
    const resource =
      obj.kind === 'ClusterRole'
        ? 'clusterroles'
        : obj.kind === 'ClusterRoleBinding'
          ? 'clusterrolebindings'
          : obj.kind === 'Role'
            ? 'roles'
            : 'rolebindings';
    await ensure(api, 'rbac.authorization.k8s.io', 'v1', resource, obj.metadata?.namespace ?? '', obj);
  }
  await ensureMasterService(api);
}

/** Keeps a default ServiceAccount and the root CA ConfigMap in every active namespace. */
export class NamespaceDefaultsController {
  private watcher: Watcher | undefined;

  constructor(
    private readonly api: ObjectApi,
    private readonly caCert: string,
  ) {}

  start(): void {
    for (const e of this.api.store.list('/registry/core/namespaces/')) void this.sync(e.object.metadata.name);
    this.watcher = this.api.store.watch('/registry/core/', this.api.store.revision, (ev) => {
      if (!ev || ev.type !== 'DELETED') {
        if (ev && ev.key.startsWith('/registry/core/namespaces/'))
          setImmediate(() => void this.sync(ev.object.metadata.name));
        return;
      }
      // Someone deleted the default service account or the CA ConfigMap: put it back.
      if (ev.key.startsWith('/registry/core/serviceaccounts/') || ev.key.startsWith('/registry/core/configmaps/')) {
        setImmediate(() => void this.sync(ev.object.metadata.namespace ?? ''));
      }
    });
  }

  stop(): void {
    this.watcher?.stop();
  }

  private async sync(ns: string): Promise<void> {
    const nsObj = this.api.store.get(objectKey('', 'namespaces', undefined, ns));
    if (!nsObj || nsObj.metadata.deletionTimestamp) return;
    try {
      await ensure(this.api, '', 'v1', 'serviceaccounts', ns, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: ns },
      });
      await ensure(this.api, '', 'v1', 'configmaps', ns, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'kube-root-ca.crt',
          namespace: ns,
          annotations: {
            'kubernetes.io/description':
              'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
          },
        },
        data: { 'ca.crt': this.caCert },
      });
    } catch {
      // The namespace began terminating meanwhile.
    }
  }
}
