// What an object costs a ResourceQuota (the quota evaluators of kube-apiserver): pods count their
// compute requests and limits while not terminal, services their node ports, claims their
// storage, and every kind its `count/<resource>.<group>`; plus which quotas an object falls under
// (scopes) and a namespace's current usage, computed from the store.
import { isRecord, type KubeObject, type StoredObject } from '@wharf/api';
import { namespacePrefix, type Store } from '../storage/index.js';
import {
  add,
  addLists,
  count,
  podResources,
  resourceList,
  isBestEffort,
  ZERO,
  ONE,
  type ResourceList,
} from './resources.js';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});

/** A resource as quota keys name it: group '' is core. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/** Core kinds whose object count has a name of its own besides count/<resource>. */
const LEGACY_COUNTS = new Set([
  'configmaps',
  'secrets',
  'replicationcontrollers',
  'resourcequotas',
  'persistentvolumeclaims',
  'services',
  'pods',
]);
/** Compute resources a pod reports under both `<name>` and `requests.<name>`. */
const STANDARD_COMPUTE = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
/** Quota names a pod must state for every container when a quota lists them. */
export const POD_REQUIRED_NAMES = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

export function countName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** Which resource a quota key is counted from. */
export function resourceOfQuotaKey(key: string): GroupResource {
  if (key.startsWith('count/')) {
    const rest = key.slice('count/'.length);
    const dot = rest.indexOf('.');
    return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
  }
  if (key === 'services' || key.startsWith('services.')) return { group: '', resource: 'services' };
  if (key === 'persistentvolumeclaims' || key === 'requests.storage' || key.includes(STORAGE_CLASS_SUFFIX))
    return { group: '', resource: 'persistentvolumeclaims' };
  if (LEGACY_COUNTS.has(key)) return { group: '', resource: key };
  // pods, cpu, memory, requests.*, limits.*, hugepages-*, extended resources.
  return { group: '', resource: 'pods' };
}

/** Whether a pod counts toward compute quota (not terminal, not past its deletion grace period). */
export function podCountsTowardQuota(pod: KubeObject, now: Date): boolean {
  const phase = rec(pod.status).phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata ?? {};
  if (deletionTimestamp && deletionGracePeriodSeconds !== undefined) {
    return now.getTime() <= Date.parse(deletionTimestamp) + deletionGracePeriodSeconds * 1000;
  }
  return true;
}

/** podComputeUsageHelper: what one set of requests and limits adds to pods, cpu, requests.cpu, ... */
export function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([['pods', ONE]]);
  for (const [k, v] of requests) {
    if (STANDARD_COMPUTE.has(k) || k.startsWith('hugepages-')) {
      out.set(k, v);
      out.set(`requests.${k}`, v);
    } else if (k.includes('/') && !k.startsWith('kubernetes.io/')) {
      out.set(`requests.${k}`, v);
    }
  }
  for (const [k, v] of limits) if (STANDARD_COMPUTE.has(k)) out.set(`limits.${k}`, v);
  return out;
}

function podUsage(pod: KubeObject, now: Date): ResourceList {
  const usage: ResourceList = new Map([['count/pods', ONE]]);
  if (!podCountsTowardQuota(pod, now)) return usage;
  const spec = rec(pod.spec);
  return addLists(usage, computeUsage(podResources(spec, 'requests'), podResources(spec, 'limits')));
}

function serviceUsage(svc: KubeObject): ResourceList {
  const spec = rec(svc.spec);
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isRecord) : [];
  const usage: ResourceList = new Map([
    ['services', ONE],
    ['count/services', ONE],
    ['services.nodeports', ZERO],
    ['services.loadbalancers', ZERO],
  ]);
  if (spec.type === 'NodePort') usage.set('services.nodeports', count(ports.length));
  if (spec.type === 'LoadBalancer') {
    // Without node port allocation only explicitly given node ports count.
    const counted =
      spec.allocateLoadBalancerNodePorts === false
        ? ports.filter((p) => typeof p.nodePort === 'number' && p.nodePort > 0).length
        : ports.length;
    usage.set('services.nodeports', count(counted));
    usage.set('services.loadbalancers', ONE);
  }
  return usage;
}

function claimUsage(pvc: KubeObject): ResourceList {
  const spec = rec(pvc.spec);
  const usage: ResourceList = new Map([
    ['persistentvolumeclaims', ONE],
    ['count/persistentvolumeclaims', ONE],
  ]);
  const storage = resourceList(rec(spec.resources).requests).get('storage');
  if (storage) usage.set('requests.storage', storage);
  const sc = typeof spec.storageClassName === 'string' ? spec.storageClassName : '';
  if (sc) {
    usage.set(`${sc}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, ONE);
    if (storage) usage.set(`${sc}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
  }
  return usage;
}

/** The usage one object contributes, under every quota name it may be counted by. */
export function objectUsage(group: string, resource: string, obj: KubeObject, now: Date): ResourceList {
  if (group === '' && resource === 'pods') return podUsage(obj, now);
  if (group === '' && resource === 'services') return serviceUsage(obj);
  if (group === '' && resource === 'persistentvolumeclaims') return claimUsage(obj);
  const usage: ResourceList = new Map([[countName(group, resource), ONE]]);
  if (group === '' && LEGACY_COUNTS.has(resource)) usage.set(resource, ONE);
  return usage;
}

interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values: string[];
}

/** spec.scopes and spec.scopeSelector.matchExpressions as one list of requirements. */
function scopesOf(quota: KubeObject): ScopeRequirement[] {
  const spec = rec(quota.spec);
  const out: ScopeRequirement[] = [];
  if (Array.isArray(spec.scopes))
    for (const s of spec.scopes) if (typeof s === 'string') out.push({ scopeName: s, operator: 'Exists', values: [] });
  const exprs = rec(spec.scopeSelector).matchExpressions;
  if (Array.isArray(exprs)) {
    for (const e of exprs.filter(isRecord)) {
      out.push({
        scopeName: String(e.scopeName),
        operator: String(e.operator),
        values: Array.isArray(e.values) ? e.values.map(String) : [],
      });
    }
  }
  return out;
}

function hasCrossNamespaceAffinity(spec: Obj): boolean {
  const affinity = rec(spec.affinity);
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = rec(affinity[kind]);
    const required = Array.isArray(a.requiredDuringSchedulingIgnoredDuringExecution)
      ? a.requiredDuringSchedulingIgnoredDuringExecution
      : [];
    const preferred = Array.isArray(a.preferredDuringSchedulingIgnoredDuringExecution)
      ? a.preferredDuringSchedulingIgnoredDuringExecution.map((p) => rec(p).podAffinityTerm)
      : [];
    for (const t of [...required, ...preferred].map(rec)) {
      if ((Array.isArray(t.namespaces) && t.namespaces.length > 0) || isRecord(t.namespaceSelector)) return true;
    }
  }
  return false;
}

function podMatchesScope(pod: KubeObject, s: ScopeRequirement): boolean {
  const spec = rec(pod.spec);
  switch (s.scopeName) {
    case 'Terminating':
      return typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds >= 0;
    case 'NotTerminating':
      return typeof spec.activeDeadlineSeconds !== 'number';
    case 'BestEffort':
      return isBestEffort(spec);
    case 'NotBestEffort':
      return !isBestEffort(spec);
    case 'CrossNamespacePodAffinity':
      return hasCrossNamespaceAffinity(spec);
    case 'PriorityClass': {
      const pc = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
      if (s.operator === 'In') return s.values.includes(pc);
      if (s.operator === 'NotIn') return !s.values.includes(pc);
      if (s.operator === 'Exists') return pc !== '';
      return pc === '';
    }
    default:
      return false;
  }
}

/** Whether a quota covers the object: unscoped quotas cover everything, scoped ones only pods in scope. */
export function quotaCovers(quota: KubeObject, group: string, resource: string, obj: KubeObject): boolean {
  const scopes = scopesOf(quota);
  if (scopes.length === 0) return true;
  if (group !== '' || resource !== 'pods') return false;
  return scopes.every((s) => podMatchesScope(obj, s));
}

export function hardKeys(quota: KubeObject): string[] {
  return Object.keys(rec(rec(quota.spec).hard)).sort();
}

/** The resources a quota counts objects of, as store groups (core for ''). */
export function trackedResources(quota: KubeObject): GroupResource[] {
  const seen = new Map<string, GroupResource>();
  for (const k of hardKeys(quota)) {
    const gr = resourceOfQuotaKey(k);
    seen.set(`${gr.group}/${gr.resource}`, gr);
  }
  return [...seen.values()];
}

/** The quota's current usage of each of `keys` (all its hard keys by default), from the store. */
export function quotaUsage(
  store: Store,
  quota: StoredObject,
  now: Date,
  keys: readonly string[] = hardKeys(quota),
): ResourceList {
  const ns = quota.metadata.namespace ?? '';
  const byResource = new Map<string, { gr: GroupResource; keys: string[] }>();
  for (const k of keys) {
    const gr = resourceOfQuotaKey(k);
    const id = `${gr.group}/${gr.resource}`;
    const entry = byResource.get(id) ?? { gr, keys: [] };
    entry.keys.push(k);
    byResource.set(id, entry);
  }
  const used: ResourceList = new Map(keys.map((k) => [k, ZERO]));
  for (const { gr, keys: wanted } of byResource.values()) {
    for (const e of store.list(namespacePrefix(gr.group, gr.resource, ns))) {
      if (!quotaCovers(quota, gr.group, gr.resource, e.object)) continue;
      const u = objectUsage(gr.group, gr.resource, e.object, now);
      for (const k of wanted) {
        const v = u.get(k);
        if (v) used.set(k, used.get(k)?.nanos === 0n ? v : add(used.get(k), v));
      }
    }
  }
  return used;
}
