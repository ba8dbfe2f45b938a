// LimitRanger admission: the LimitRanges of a namespace give new pods' containers their default
// requests and limits (noted in the kubernetes.io/limit-ranger annotation), and refuse pods and
// PersistentVolumeClaims outside their min / max / maxLimitRequestRatio, with the real messages.
import { isRecord, type KubeObject, type StoredObject } from '@wharf/api';
import { invalid } from '../errors.js';
import { namespacePrefix, type Store } from '../storage/index.js';
import { admissionForbidden } from './admission-forbidden.js';
import type { AdmissionPlugin } from './context.js';
import {
  amount,
  containerResources,
  containersOf,
  podResources,
  resourceList,
  show,
  type Amount,
  type ResourceList,
} from './resources.js';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

function limitItems(lr: StoredObject, type: string): Obj[] {
  const limits = rec(lr.spec).limits;
  return Array.isArray(limits) ? limits.filter((l): l is Obj => isRecord(l) && l.type === type) : [];
}

/** The container defaults of one LimitRange: `default` → limits, `defaultRequest` → requests. */
function containerDefaults(lr: StoredObject): { requests: Obj; limits: Obj } {
  const out = { requests: {} as Obj, limits: {} as Obj };
  for (const item of limitItems(lr, 'Container')) {
    Object.assign(out.limits, rec(item.default));
    Object.assign(out.requests, rec(item.defaultRequest));
  }
  return out;
}

/** Fills missing requests and limits; returns the annotation phrases ("cpu, memory request for container web"). */
function mergeDefaults(c: Obj, defaults: { requests: Obj; limits: Obj }, prefix: string): string[] {
  const resources = isRecord(c.resources) ? c.resources : (c.resources = {});
  const phrases: string[] = [];
  for (const which of ['requests', 'limits'] as const) {
    const defs = defaults[which];
    if (Object.keys(defs).length === 0) continue;
    const list = isRecord(resources[which]) ? resources[which] : (resources[which] = {});
    const set: string[] = [];
    for (const [k, v] of Object.entries(defs)) {
      if (!(k in list)) {
        list[k] = v;
        set.push(k);
      }
    }
    if (set.length)
      phrases.push(
        `${set.sort().join(', ')} ${which === 'limits' ? 'limit' : 'request'} for ${prefix} ${String(c.name)}`,
      );
  }
  return phrases;
}

function mutatePod(lr: StoredObject, pod: KubeObject): void {
  const defaults = containerDefaults(lr);
  if (!Object.keys(defaults.limits).length && !Object.keys(defaults.requests).length) return;
  const { containers, initContainers } = containersOf(rec(pod.spec));
  const phrases = [
    ...containers.flatMap((c) => mergeDefaults(c, defaults, 'container')),
    ...initContainers.flatMap((c) => mergeDefaults(c, defaults, 'init container')),
  ];
  if (!phrases.length) return;
  const meta = (pod.metadata ??= {});
  meta.annotations = {
    ...(meta.annotations ?? {}),
    [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${phrases.join('; ')}`,
  };
}

/** The quantities of a LimitRange item's list, in key order (Go ranges over maps randomly). */
const sortedEntries = (raw: unknown): [string, Amount][] =>
  Object.entries(rec(raw))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([k, v]) => {
      const a = amount(v);
      return a ? [[k, a] as [string, Amount]] : [];
    });

function minConstraint(
  type: string,
  name: string,
  enforced: Amount,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  if (!req) return `minimum ${name} usage per ${type} is ${show(enforced)}.  No request is specified`;
  if (req.nanos < enforced.nanos)
    return `minimum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(req)}`;
  if (lim && lim.nanos < enforced.nanos)
    return `minimum ${name} usage per ${type} is ${show(enforced)}, but limit is ${show(lim)}`;
  return undefined;
}

function maxConstraint(
  type: string,
  name: string,
  enforced: Amount,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests.get(name);
  const lim = limits.get(name);
  if (!lim) return `maximum ${name} usage per ${type} is ${show(enforced)}.  No limit is specified`;
  if (lim.nanos > enforced.nanos)
    return `maximum ${name} usage per ${type} is ${show(enforced)}, but limit is ${show(lim)}`;
  if (req && req.nanos > enforced.nanos)
    return `maximum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(req)}`;
  return undefined;
}

function maxRequestConstraint(
  type: string,
  name: string,
  enforced: Amount,
  requests: ResourceList,
): string | undefined {
  const req = requests.get(name);
  if (!req) return `maximum ${name} usage per ${type} is ${show(enforced)}.  No request is specified`;
  if (req.nanos > enforced.nanos)
    return `maximum ${name} usage per ${type} is ${show(enforced)}, but request is ${show(req)}`;
  return undefined;
}

function ratioConstraint(
  type: string,
  name: string,
  enforced: Amount,
  requests: ResourceList,
  limits: ResourceList,
): string | undefined {
  const req = requests.get(name)?.nanos ?? 0n;
  const lim = limits.get(name)?.nanos ?? 0n;
  if (req === 0n)
    return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but no request is specified or request is 0`;
  if (lim === 0n)
    return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but no limit is specified or limit is 0`;
  // lim / req > enforced, in exact integer arithmetic (all three are in nano units).
  if (lim * 1_000_000_000n > enforced.nanos * req) {
    return `${name} max limit to request ratio per ${type} is ${show(enforced)}, but provided ratio is ${(Number(lim) / Number(req)).toFixed(6)}`;
  }
  return undefined;
}

/** min, max and ratio checks of one LimitRange item against one requests/limits pair. */
function checkItem(item: Obj, type: string, requests: ResourceList, limits: ResourceList): string[] {
  const errs: (string | undefined)[] = [];
  for (const [k, v] of sortedEntries(item.min)) errs.push(minConstraint(type, k, v, requests, limits));
  for (const [k, v] of sortedEntries(item.max)) errs.push(maxConstraint(type, k, v, requests, limits));
  for (const [k, v] of sortedEntries(item.maxLimitRequestRatio))
    errs.push(ratioConstraint(type, k, v, requests, limits));
  return errs.filter((e): e is string => e !== undefined);
}

function validatePod(lr: StoredObject, spec: Obj): string[] {
  const errs: string[] = [];
  const { containers, initContainers } = containersOf(spec);
  for (const item of limitItems(lr, 'Container')) {
    for (const c of [...containers, ...initContainers])
      errs.push(...checkItem(item, 'Container', containerResources(c, 'requests'), containerResources(c, 'limits')));
  }
  for (const item of limitItems(lr, 'Pod'))
    errs.push(...checkItem(item, 'Pod', podResources(spec, 'requests'), podResources(spec, 'limits')));
  return errs;
}

function validateClaim(lr: StoredObject, spec: Obj): string[] {
  const requests = resourceList(rec(spec.resources).requests);
  const errs: (string | undefined)[] = [];
  for (const item of limitItems(lr, 'PersistentVolumeClaim')) {
    // A claim's limits are not user input here: min checks the request only, max the request.
    for (const [k, v] of sortedEntries(item.min))
      errs.push(minConstraint('PersistentVolumeClaim', k, v, requests, new Map()));
    for (const [k, v] of sortedEntries(item.max))
      errs.push(maxRequestConstraint('PersistentVolumeClaim', k, v, requests));
  }
  return errs.filter((e): e is string => e !== undefined);
}

/** Defaults may have put a request above a limit the user set: refuse as validation would. */
function checkRequestsWithinLimits(pod: KubeObject): void {
  const spec = rec(pod.spec);
  const causes: { reason: string; message: string; field: string }[] = [];
  for (const field of ['initContainers', 'containers'] as const) {
    const list = Array.isArray(spec[field]) ? spec[field] : [];
    list.forEach((c: unknown, i: number) => {
      const res = rec(rec(c).resources);
      const limits = rec(res.limits);
      for (const [k, v] of Object.entries(rec(res.requests))) {
        const req = amount(v);
        const lim = amount(limits[k]);
        if (req && lim && req.nanos > lim.nanos) {
          causes.push({
            reason: 'FieldValueInvalid',
            field: `spec.${field}[${i}].resources.requests`,
            message: `Invalid value: "${String(v)}": must be less than or equal to ${k} limit of ${String(limits[k])}`,
          });
        }
      }
    });
  }
  if (causes.length) throw invalid('Pod', '', pod.metadata?.name ?? '', causes);
}

/** The LimitRanger plugin, reading the namespace's LimitRanges from the store. */
export function limitRanger(store: Store): AdmissionPlugin {
  return (req) => {
    const { group, kind } = req.served.info;
    if (req.subresource || !req.object || group !== '' || req.operation === 'DELETE') return;
    const isPod = kind === 'Pod';
    if (!isPod && kind !== 'PersistentVolumeClaim') return;
    // Containers cannot change on a pod update, so only new pods are defaulted and checked.
    if (isPod && req.operation !== 'CREATE') return;
    if (req.old?.metadata.deletionTimestamp) return;
    const ranges = store.list(namespacePrefix('', 'limitranges', req.namespace)).map((e) => e.object);
    if (!ranges.length) return;
    const spec = rec(req.object.spec);
    const errs: string[] = [];
    if (isPod) {
      for (const lr of ranges) mutatePod(lr, req.object);
      checkRequestsWithinLimits(req.object);
      for (const lr of ranges) errs.push(...validatePod(lr, spec));
    } else {
      for (const lr of ranges) errs.push(...validateClaim(lr, spec));
    }
    if (errs.length) throw admissionForbidden(req, errs);
  };
}
