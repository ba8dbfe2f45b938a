// Defaults of the core/v1 kinds other than Pod: Service (plus the single-stack IP family fields
// its registry fills), Secret, Namespace (label, phase, finalizer), Node, PersistentVolume(Claim),
// Endpoints, ReplicationController, PodTemplate, LimitRange and ResourceQuota.
import { isRecord } from '@wharf/api';
import { defaultPodTemplateSpec } from '../kinds/pod/defaults.js';
import { defaultResourceList } from './quantity.js';
import { ensureRec, hasItems, hasKeys, rec, recs, setDefault, setDefaultIfZero, type Obj } from './util.js';
import { defaultClaimSpec, defaultLegacySources } from '../kinds/pod/volume-defaults.js';

/** Whether a write creates the object or replaces it; some defaults apply on create only. */
export type Operation = 'create' | 'update';

/** ClientIP session affinity timeout the server fills in: 3 hours. */
const DEFAULT_CLIENT_IP_TIMEOUT = 10800;

export function defaultService(svc: Obj): void {
  const spec = ensureRec(svc, 'spec');
  if (!spec) return;
  setDefaultIfZero(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const config = rec(spec, 'sessionAffinityConfig');
    const clientIP = config ? rec(config, 'clientIP') : undefined;
    if (typeof clientIP?.timeoutSeconds !== 'number')
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT } };
  }
  setDefaultIfZero(spec, 'type', 'ClusterIP');
  for (const port of recs(spec, 'ports')) {
    setDefaultIfZero(port, 'protocol', 'TCP');
    setDefaultIfZero(port, 'targetPort', port.port);
  }
  const type = spec.type;
  const externallyAccessible =
    type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && hasItems(spec, 'externalIPs'));
  if (externallyAccessible) setDefaultIfZero(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer')
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') defaultIpFamilies(spec);
  // status.loadBalancer is a struct in the Go types, so it always reads back, as {} at least.
  const status = ensureRec(svc, 'status');
  const lb = status ? ensureRec(status, 'loadBalancer') : undefined;
  if (type === 'LoadBalancer') for (const ing of recs(lb, 'ingress')) if (ing.ip) setDefault(ing, 'ipMode', 'VIP');
}

/**
 * What the Service registry fills on a single-stack IPv4 cluster: a headless Service without a
 * selector gets RequireDualStack (it may hold endpoints of any family), others SingleStack.
 */
function defaultIpFamilies(spec: Obj): void {
  const headless = spec.clusterIP === 'None';
  const selectorless = !hasKeys(spec, 'selector');
  const families = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  if (spec.ipFamilyPolicy === undefined || spec.ipFamilyPolicy === null) {
    spec.ipFamilyPolicy =
      headless && selectorless ? 'RequireDualStack' : families.length > 1 ? 'PreferDualStack' : 'SingleStack';
  }
  if (families.length === 0) spec.ipFamilies = ['IPv4'];
}

export function defaultSecret(secret: Obj): void {
  setDefaultIfZero(secret, 'type', 'Opaque');
  // As the v1 → internal conversion: stringData is merged into data (and wins), never stored.
  if (isRecord(secret.stringData)) {
    const entries = Object.entries(secret.stringData);
    const data = entries.length ? ensureRec(secret, 'data') : undefined;
    for (const [k, v] of entries)
      if (data && typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  delete secret.stringData;
}

export function defaultNamespace(ns: Obj, operation: Operation): void {
  const meta = ensureRec(ns, 'metadata');
  if (meta && typeof meta.name === 'string' && meta.name !== '') {
    const labels = ensureRec(meta, 'labels');
    if (labels) labels['kubernetes.io/metadata.name'] = meta.name;
  }
  const status = ensureRec(ns, 'status');
  if (status) {
    // On create the registry always starts a namespace Active; later the phase is the server's.
    if (operation === 'create') status.phase = 'Active';
    else setDefaultIfZero(status, 'phase', 'Active');
  }
  // Only on create: the namespace controller removes the finalizer while deleting, and an update
  // (the finalize subresource) must not put it back.
  if (operation !== 'create') return;
  const spec = ensureRec(ns, 'spec');
  if (!spec) return;
  const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
  spec.finalizers = finalizers;
}

export function defaultNode(node: Obj): void {
  const status = rec(node, 'status');
  if (!status) return;
  defaultResourceList(status, 'capacity');
  if ((status.allocatable === undefined || status.allocatable === null) && isRecord(status.capacity)) {
    status.allocatable = { ...status.capacity };
  }
  defaultResourceList(status, 'allocatable');
}

export function defaultPersistentVolume(pv: Obj): void {
  const status = ensureRec(pv, 'status');
  if (status) setDefaultIfZero(status, 'phase', 'Pending');
  const spec = ensureRec(pv, 'spec');
  if (!spec) return;
  setDefaultIfZero(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
  defaultResourceList(spec, 'capacity');
  const hostPath = rec(spec, 'hostPath');
  if (hostPath) setDefault(hostPath, 'type', '');
  defaultLegacySources(spec);
}

/** PVC defaults; also used for StatefulSet volumeClaimTemplates. */
export function defaultPersistentVolumeClaim(pvc: Obj): void {
  const status = ensureRec(pvc, 'status');
  if (status) {
    setDefaultIfZero(status, 'phase', 'Pending');
    defaultResourceList(status, 'capacity');
    defaultResourceList(status, 'allocatedResources');
  }
  defaultClaimSpec(ensureRec(pvc, 'spec'));
}

export function defaultEndpoints(ep: Obj): void {
  for (const subset of recs(ep, 'subsets'))
    for (const port of recs(subset, 'ports')) setDefaultIfZero(port, 'protocol', 'TCP');
}

export function defaultReplicationController(rc: Obj): void {
  const spec = ensureRec(rc, 'spec');
  if (!spec) return;
  const template = rec(spec, 'template');
  const templateMeta = template ? rec(template, 'metadata') : undefined;
  const labels = templateMeta ? rec(templateMeta, 'labels') : undefined;
  if (labels) {
    if (!hasKeys(spec, 'selector')) spec.selector = { ...labels };
    const meta = ensureRec(rc, 'metadata');
    if (meta && !hasKeys(meta, 'labels')) meta.labels = { ...labels };
  }
  setDefault(spec, 'replicas', 1);
  defaultPodTemplateSpec(template);
}

export function defaultPodTemplate(pt: Obj): void {
  defaultPodTemplateSpec(rec(pt, 'template'));
}

/** For Container limits: default ← max, defaultRequest ← default, defaultRequest ← min. */
export function defaultLimitRange(lr: Obj): void {
  for (const item of recs(rec(lr, 'spec'), 'limits')) {
    if (item.type === 'Container') {
      const def: Obj = { ...(rec(item, 'default') ?? {}) };
      const defReq: Obj = { ...(rec(item, 'defaultRequest') ?? {}) };
      for (const [k, v] of Object.entries(rec(item, 'max') ?? {})) if (!(k in def)) def[k] = v;
      for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
      for (const [k, v] of Object.entries(rec(item, 'min') ?? {})) if (!(k in defReq)) defReq[k] = v;
      if (Object.keys(def).length > 0) item.default = def;
      if (Object.keys(defReq).length > 0) item.defaultRequest = defReq;
    }
    for (const key of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'])
      defaultResourceList(item, key);
  }
}

export function defaultResourceQuota(rq: Obj): void {
  defaultResourceList(rec(rq, 'spec'), 'hard');
  const status = rec(rq, 'status');
  defaultResourceList(status, 'hard');
  defaultResourceList(status, 'used');
}
