// The Node restriction: a node agent (user system:node:<name>, group system:nodes) reads a
// Secret, ConfigMap, PVC or PV only when a pod bound to it references it, requests tokens only for
// its pods' service accounts, and writes only its own Node, Lease and pods. It runs before RBAC
// and only ever denies; what it lets through, the system:node ClusterRole must still allow.
import { isRecord, type KubeObject } from '@wharf/api';
import type { Attributes, Decision, UserInfo } from './rbac.js';
import { NODE_USER_PREFIX, NODES_GROUP } from './tokens.js';

/** Reads of the stored objects the restriction needs (the API server backs it with its store). */
export interface NodeGraphSource {
  /** Pods of a namespace; every namespace for "". */
  pods(namespace: string): KubeObject[];
  pod(namespace: string, name: string): KubeObject | undefined;
  persistentVolumeClaim(namespace: string, name: string): KubeObject | undefined;
}

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** The node a user is, when it is in system:nodes with a name system:node:<name>. */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  return user.name.slice(NODE_USER_PREFIX.length) || undefined;
}

type Spec = Record<string, unknown>;

const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function containersOf(spec: Spec): Record<string, unknown>[] {
  return [...list(spec['initContainers']), ...list(spec['containers']), ...list(spec['ephemeralContainers'])];
}

/** Names of the objects of `kind` a pod references (volumes, projections, env, pull secrets). */
export function podReferences(pod: KubeObject, kind: 'secrets' | 'configmaps' | 'persistentvolumeclaims'): Set<string> {
  const spec = rec(pod['spec']);
  const out = new Set<string>();
  const add = (v: unknown): void => {
    if (str(v)) out.add(str(v));
  };
  for (const v of list(spec['volumes'])) {
    if (kind === 'secrets') {
      add(rec(v['secret'])['secretName']);
      add(rec(v['azureFile'])['secretName']);
      add(rec(rec(v['csi'])['nodePublishSecretRef'])['name']);
      // flexVolume, iscsi, rbd, cephfs, cinder, scaleIO, storageos: a secretRef in the source.
      for (const source of Object.values(v)) add(rec(rec(source)['secretRef'])['name']);
      for (const p of list(rec(v['projected'])['sources'])) add(rec(p['secret'])['name']);
    } else if (kind === 'configmaps') {
      add(rec(v['configMap'])['name']);
      for (const p of list(rec(v['projected'])['sources'])) add(rec(p['configMap'])['name']);
    } else {
      add(rec(v['persistentVolumeClaim'])['claimName']);
      if (isRecord(v['ephemeral'])) add(`${str(rec(pod.metadata)['name'])}-${str(v['name'])}`);
    }
  }
  if (kind === 'secrets') for (const s of list(spec['imagePullSecrets'])) add(s['name']);
  if (kind !== 'persistentvolumeclaims') {
    const keyRef = kind === 'secrets' ? 'secretKeyRef' : 'configMapKeyRef';
    const fromRef = kind === 'secrets' ? 'secretRef' : 'configMapRef';
    for (const c of containersOf(spec)) {
      for (const e of list(c['env'])) add(rec(rec(e['valueFrom'])[keyRef])['name']);
      for (const e of list(c['envFrom'])) add(rec(e[fromRef])['name']);
    }
  }
  return out;
}

function boundTo(pod: KubeObject, node: string): boolean {
  return rec(pod['spec'])['nodeName'] === node;
}

const allow = undefined;

export class NodeRestriction {
  constructor(private readonly source: NodeGraphSource) {}

  /** A denial when a node asks for something outside its own pods' needs; undefined leaves the decision to RBAC. */
  check(user: UserInfo, attrs: Attributes): Decision | undefined {
    if (!user.groups.includes(NODES_GROUP)) return allow;
    const node = nodeNameOf(user);
    if (!node) return deny(`unknown node for user "${user.name}"`);
    if (!attrs.resourceRequest) return allow;
    const { apiGroup, resource, subresource, verb, name, namespace } = attrs;
    if (apiGroup === 'coordination.k8s.io' && resource === 'leases') {
      if (namespace !== NODE_LEASE_NAMESPACE)
        return deny(`node '${node}' may only use leases in the ${NODE_LEASE_NAMESPACE} namespace`);
      return name && name !== node ? deny(`node '${node}' may only use its own lease`) : allow;
    }
    if (apiGroup !== '') return allow;
    switch (resource) {
      case 'secrets':
      case 'configmaps':
      case 'persistentvolumeclaims':
        if (verb !== 'get' || !name || subresource) return deny('can only get individual resources of this type');
        return this.referenced(node, namespace, resource, name) ? allow : noRelationship(node);
      case 'persistentvolumes':
        if (verb !== 'get' || !name || subresource) return deny('can only get individual resources of this type');
        return this.volumeReferenced(node, name) ? allow : noRelationship(node);
      case 'serviceaccounts':
        if (subresource !== 'token') return allow;
        return this.source
          .pods(namespace)
          .some((p) => boundTo(p, node) && str(rec(p['spec'])['serviceAccountName']) === name)
          ? allow
          : noRelationship(node);
      case 'nodes':
        if (['get', 'list', 'watch', 'create'].includes(verb) && !subresource) return allow;
        return name === node ? allow : deny(`node '${node}' may only modify its own Node object`);
      case 'pods': {
        if (['get', 'list', 'watch'].includes(verb) && !subresource) return allow;
        if (!name || (subresource && subresource !== 'status')) return allow;
        const pod = this.source.pod(namespace, name);
        return !pod || boundTo(pod, node) ? allow : deny(`node '${node}' may only modify pods bound to it`);
      }
      default:
        return allow;
    }
  }

  private referenced(
    node: string,
    namespace: string,
    kind: 'secrets' | 'configmaps' | 'persistentvolumeclaims',
    name: string,
  ): boolean {
    return this.source.pods(namespace).some((p) => boundTo(p, node) && podReferences(p, kind).has(name));
  }

  private volumeReferenced(node: string, pv: string): boolean {
    for (const p of this.source.pods('')) {
      if (!boundTo(p, node)) continue;
      const ns = str(rec(p.metadata)['namespace']);
      for (const claim of podReferences(p, 'persistentvolumeclaims')) {
        if (rec(this.source.persistentVolumeClaim(ns, claim)?.['spec'])['volumeName'] === pv) return true;
      }
    }
    return false;
  }
}

function deny(reason: string): Decision {
  return { allowed: false, reason };
}

function noRelationship(node: string): Decision {
  return deny(`no relationship found between node '${node}' and this object`);
}
