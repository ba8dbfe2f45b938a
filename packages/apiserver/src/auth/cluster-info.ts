// kube-public/cluster-info, as kubeadm's bootstrap phase writes it: a kubeconfig naming this API
// server and its CA, readable without credentials. A joining node (`wharf agent`, `kubeadm join`)
// fetches it before it trusts anything, and accepts the CA only when the hash of its public key
// matches the pin it was given (--ca-cert-hash sha256:...).
import { stringify } from 'yaml';
import type { KubeObject } from '@wharf/api';
import { upsert } from '../objects/master-service.js';
import type { ObjectApi } from '../objects/api.js';

export const CLUSTER_INFO_NAMESPACE = 'kube-public';
export const CLUSTER_INFO_NAME = 'cluster-info';
/** kubeadm's name for the Role that lets system:anonymous read it. */
export const CLUSTER_INFO_ROLE = 'kubeadm:bootstrap-signer-clusterinfo';
/** The one path anonymous clients may GET besides health and /version. */
export const CLUSTER_INFO_PATH = `/api/v1/namespaces/${CLUSTER_INFO_NAMESPACE}/configmaps/${CLUSTER_INFO_NAME}`;

export function clusterInfoConfigMap(server: string, caPem: string): KubeObject {
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    users: null,
    contexts: null,
    'current-context': '',
    clusters: [{ name: '', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
  });
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CLUSTER_INFO_NAME, namespace: CLUSTER_INFO_NAMESPACE },
    data: { kubeconfig },
  };
}

/** Writes the ConfigMap, or puts back its data when the server or the CA changed. */
export function publishClusterInfo(api: ObjectApi, server: string, caPem: string): Promise<void> {
  return upsert(api, '', 'configmaps', clusterInfoConfigMap(server, caPem), ['data']);
}
