// resource.Quantity on the wire: a string like "500m", "1Gi", "1e3", or a bare JSON number. The
// generated models call these fields plain strings, so the fields holding quantities are listed
// here by hand.

/** Maps of resource name → quantity, as "Type.field". */
export const QUANTITY_MAP_FIELDS: ReadonlySet<string> = new Set([
  'V1ResourceRequirements.limits',
  'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits',
  'V1VolumeResourceRequirements.requests',
  'V1ResourceQuotaSpec.hard',
  'V1ResourceQuotaStatus.hard',
  'V1ResourceQuotaStatus.used',
  'V1LimitRangeItem.default',
  'V1LimitRangeItem.defaultRequest',
  'V1LimitRangeItem.max',
  'V1LimitRangeItem.min',
  'V1LimitRangeItem.maxLimitRequestRatio',
  'V1NodeStatus.capacity',
  'V1NodeStatus.allocatable',
  'V1PersistentVolumeSpec.capacity',
  'V1PersistentVolumeClaimStatus.capacity',
  'V1PersistentVolumeClaimStatus.allocatedResources',
  'V1ContainerStatus.allocatedResources',
  'V1PodSpec.overhead',
]);

/** Single quantity fields, as "Type.field". */
export const QUANTITY_FIELDS: ReadonlySet<string> = new Set([
  'V1EmptyDirVolumeSource.sizeLimit',
  'V1ResourceFieldSelector.divisor',
  'V2MetricTarget.value',
  'V2MetricTarget.averageValue',
  'V2MetricValueStatus.value',
  'V2MetricValueStatus.averageValue',
]);

export const QUANTITY_REGEX_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The numeric value of a quantity (approximate for huge or tiny values), or undefined if malformed. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(q);
  if (!m) return undefined;
  const num = Number(m[1]);
  const suffix = m[2] ?? '';
  const bin = BINARY[suffix];
  if (bin !== undefined) return num * bin;
  const dec = DECIMAL[suffix];
  if (dec !== undefined) return num * dec;
  const exp = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
  if (exp) return num * 10 ** Number(exp[1]);
  return undefined;
}

/** True when the JSON value decodes as a resource.Quantity. */
export function isQuantity(v: unknown): boolean {
  return parseQuantity(v) !== undefined;
}
