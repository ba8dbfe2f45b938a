// resource.Quantity values ("500m", "1Gi", "1e3", or a bare JSON number) as numbers of base units
// (cores, bytes). The one parser of the project: the API server validates with quantityValue, the
// scheduler counts with milliCpu, the node agent turns limits into cgroup values with bytes.

/** A quantity string that is not in Kubernetes' quantity format; names the field. */
export class InvalidQuantityError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_INVALID_QUANTITY';
  constructor(field: string, value: string) {
    super(`'${field}' is not a valid quantity: "${value}"`);
    this.name = 'InvalidQuantityError';
  }
}

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity (approximate for huge or tiny values), or undefined if malformed. */
export function quantityValue(q: unknown): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(q);
  if (!m) return undefined;
  const num = Number(m[1]);
  const suffix = m[2] ?? '';
  const unit = SUFFIX[suffix];
  if (unit !== undefined) return num * unit;
  const exp = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
  return exp ? num * 10 ** Number(exp[1]) : undefined;
}

/** The quantity's value in base units; absent is 0; throws naming `field` when malformed. */
export function parseQuantity(value: string | number | undefined, field = 'quantity'): number {
  if (value === undefined) return 0;
  const n = quantityValue(typeof value === 'string' ? value.trim() : value);
  if (n === undefined) throw new InvalidQuantityError(field, String(value));
  return n;
}

/** CPU in milli-cores, rounded up as the scheduler and the kubelet count it. */
export function milliCpu(value: string | number | undefined, field = 'cpu'): number {
  return Math.ceil(parseQuantity(value, field) * 1000 - 1e-9);
}

/** Bytes, rounded up. */
export function bytes(value: string | number | undefined, field = 'memory'): number {
  return Math.ceil(parseQuantity(value, field) - 1e-9);
}
