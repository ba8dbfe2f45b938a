// ResourceQuota admission: a write that would take a namespace past any of its quotas is refused
// with `exceeded quota: <name>, requested: …, used: …, limited: …`, and a pod under a quota on
// cpu or memory must state that request or limit in every container. Usage is counted from the
// store at admission time; the write follows on the same tick, so two requests cannot both pass.
import { isRecord, type StoredObject } from '@wharf/api';
import { namespacePrefix, type Store } from '../storage/index.js';
import { admissionForbidden } from './admission-forbidden.js';
import type { AdmissionPlugin } from './context.js';
import {
  containerResources,
  containersOf,
  prettyPrint,
  resourceList,
  subtractNonNegative,
  type ResourceList,
} from './resources.js';
import {
  computeUsage,
  hardKeys,
  objectUsage,
  POD_REQUIRED_NAMES,
  quotaCovers,
  quotaUsage,
  resourceOfQuotaKey,
} from './quota-usage.js';

export interface ResourceQuotaAdmissionOptions {
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** "limits.cpu for: a,b; requests.memory for: a" — the quota names some container leaves out. */
function missingCompute(required: readonly string[], spec: Record<string, unknown>): string | undefined {
  const wanted = required.filter((k) => POD_REQUIRED_NAMES.has(k));
  if (!wanted.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const { containers, initContainers } = containersOf(spec);
  for (const c of [...containers, ...initContainers]) {
    const has = computeUsage(containerResources(c, 'requests'), containerResources(c, 'limits'));
    for (const k of wanted) {
      if (has.has(k)) continue;
      const names = missing.get(k) ?? new Set<string>();
      names.add(String(c.name));
      missing.set(k, names);
    }
  }
  if (!missing.size) return undefined;
  return [...missing.keys()]
    .sort()
    .map((k) => `${k} for: ${[...(missing.get(k) ?? [])].sort().join(',')}`)
    .join('; ');
}

/** Kinds whose usage can grow on update (a Service's type, a claim's size); others count on create. */
function countsOnUpdate(group: string, resource: string): boolean {
  return group === '' && (resource === 'services' || resource === 'persistentvolumeclaims');
}

const isZero = (l: ResourceList): boolean => [...l.values()].every((a) => a.nanos === 0n);

/** The ResourceQuota plugin, reading quotas and usage from the store. */
export function resourceQuotaAdmission(store: Store, opts: ResourceQuotaAdmissionOptions = {}): AdmissionPlugin {
  const clock = opts.clock ?? (() => new Date());
  return (req) => {
    const { group, resource, namespaced } = req.served.info;
    if (req.subresource || !req.object || !namespaced || req.served.info.virtual) return;
    if (req.operation !== 'CREATE' && !(req.operation === 'UPDATE' && countsOnUpdate(group, resource))) return;
    const quotas = store.list(namespacePrefix('', 'resourcequotas', req.namespace)).map((e) => e.object);
    if (!quotas.length) return;
    const isPod = group === '' && resource === 'pods';
    const relevant: { quota: StoredObject; keys: string[] }[] = [];
    for (const quota of quotas.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
      if (!quotaCovers(quota, group, resource, req.object)) continue;
      const keys = hardKeys(quota).filter((k) => {
        const gr = resourceOfQuotaKey(k);
        return gr.group === group && gr.resource === resource;
      });
      if (!keys.length) continue;
      if (isPod) {
        const missing = missingCompute(keys, isRecord(req.object.spec) ? req.object.spec : {});
        if (missing) throw admissionForbidden(req, `failed quota: ${quota.metadata.name}: must specify ${missing}`);
      }
      relevant.push({ quota, keys });
    }
    if (!relevant.length) return;
    const now = clock();
    let delta = objectUsage(group, resource, req.object, now);
    if (req.old) delta = subtractNonNegative(delta, objectUsage(group, resource, req.old, now));
    if (isZero(delta)) return;
    for (const { quota, keys } of relevant) {
      const requested = keys.filter((k) => delta.has(k));
      if (!requested.length) continue;
      const hard = resourceList(isRecord(quota.spec) ? quota.spec.hard : undefined);
      const used = quotaUsage(store, quota, now, requested);
      const exceeded = requested.filter(
        (k) => (used.get(k)?.nanos ?? 0n) + (delta.get(k)?.nanos ?? 0n) > (hard.get(k)?.nanos ?? 0n),
      );
      if (exceeded.length) {
        throw admissionForbidden(
          req,
          `exceeded quota: ${quota.metadata.name}, requested: ${prettyPrint(delta, exceeded)}, used: ${prettyPrint(used, exceeded)}, limited: ${prettyPrint(hard, exceeded)}`,
        );
      }
    }
  };
}
