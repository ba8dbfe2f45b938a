// Resource lists as quota and limit admission see them: quantities parsed exactly (nano units,
// as bigints) with their format kept, sums that print back the way Kubernetes prints them, and a
// pod's effective requests and limits (containers summed, init containers as a peak, overhead).
import { isRecord } from '@wharf/api';
import { canonicalQuantity, formatQuantity, parseQuantity } from '../defaults/index.js';

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** One quantity: its value in nano units and the format it prints in. */
export interface Amount {
  readonly nanos: bigint;
  readonly format: Format;
}

export type ResourceList = Map<string, Amount>;

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const recs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);

export const ONE: Amount = { nanos: 1_000_000_000n, format: 'DecimalSI' };
export const ZERO: Amount = { nanos: 0n, format: 'DecimalSI' };

/** Parses a quantity given as a string or number; undefined when it is not one. */
export function amount(v: unknown): Amount | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  return parseQuantity(String(v));
}

/** A count as a quantity ("3"). */
export const count = (n: number): Amount => ({ nanos: BigInt(n) * ONE.nanos, format: 'DecimalSI' });

/** The canonical text of an amount ("1Gi", "500m", "0"). */
export function show(a: Amount | undefined): string {
  return a ? formatQuantity({ nanos: a.nanos, format: a.format }) : '0';
}

/** The canonical text of a quantity as a user wrote it. */
export function showRaw(v: unknown): string {
  return String(canonicalQuantity(v));
}

export function add(a: Amount | undefined, b: Amount): Amount {
  return a ? { nanos: a.nanos + b.nanos, format: a.format } : b;
}

/** A resource list from a JSON map of quantities; unparseable values are skipped. */
export function resourceList(raw: unknown): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of Object.entries(rec(raw))) {
    const a = amount(v);
    if (a) out.set(k, a);
  }
  return out;
}

/** a + b per key (the format of the first operand that has the key wins). */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, v] of b) out.set(k, add(out.get(k), v));
  return out;
}

/** a − b per key of a, floored at zero (quota.SubtractWithNonNegativeResult). */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, v] of a) {
    const d = v.nanos - (b.get(k)?.nanos ?? 0n);
    out.set(k, { nanos: d > 0n ? d : 0n, format: v.format });
  }
  return out;
}

/** "k1=v1,k2=v2" in key order, as the quota admission prints lists. */
export function prettyPrint(list: ResourceList, keys: readonly string[]): string {
  return [...keys]
    .sort()
    .map((k) => `${k}=${show(list.get(k) ?? ZERO)}`)
    .join(',');
}

/** The containers and init containers of a pod spec. */
export function containersOf(spec: Obj): { containers: Obj[]; initContainers: Obj[] } {
  return { containers: recs(spec.containers), initContainers: recs(spec.initContainers) };
}

/** A container's requests or limits. */
export function containerResources(c: Obj, which: 'requests' | 'limits'): ResourceList {
  return resourceList(rec(c.resources)[which]);
}

function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k);
    if (!cur || v.nanos > cur.nanos) out.set(k, v);
  }
  return out;
}

/**
 * The pod's effective requests or limits (resourcehelper.PodRequests / PodLimits): the sum over
 * app containers and restartable (sidecar) init containers, raised to the peak of any other init
 * container plus the sidecars started before it, plus the pod overhead.
 */
export function podResources(spec: Obj, which: 'requests' | 'limits'): ResourceList {
  const { containers, initContainers } = containersOf(spec);
  let sum: ResourceList = new Map();
  for (const c of containers) sum = addLists(sum, containerResources(c, which));
  let sidecars: ResourceList = new Map();
  let initPeak: ResourceList = new Map();
  for (const c of initContainers) {
    const own = containerResources(c, which);
    if (c.restartPolicy === 'Always') {
      sidecars = addLists(sidecars, own);
      sum = addLists(sum, own);
      initPeak = maxLists(initPeak, sidecars);
    } else {
      initPeak = maxLists(initPeak, addLists(sidecars, own));
    }
  }
  return addLists(maxLists(sum, initPeak), resourceList(spec.overhead));
}

/** QoS BestEffort: no container asks for or caps cpu or memory (zero counts as unset). */
export function isBestEffort(spec: Obj): boolean {
  const { containers, initContainers } = containersOf(spec);
  for (const c of [...containers, ...initContainers]) {
    const res = rec(c.resources);
    for (const list of [rec(res.requests), rec(res.limits)]) {
      for (const r of ['cpu', 'memory']) if ((amount(list[r])?.nanos ?? 0n) > 0n) return false;
    }
  }
  return true;
}
