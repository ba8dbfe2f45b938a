// Kubernetes resource quantities ("128Mi", "0.5", "250m", "1e3") as numbers, for turning
// container limits into cgroup values.

/** A quantity string that is not in Kubernetes' quantity format; names the field. */
export class InvalidQuantityError extends Error {
  constructor(field: string, value: string) {
    super(`'${field}' is not a valid quantity: "${value}"`);
    this.name = 'InvalidQuantityError';
  }
}

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The quantity's value in base units (bytes, cores). */
export function parseQuantity(value: string | number, field = 'quantity'): number {
  if (typeof value === 'number') return value;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(value.trim());
  if (!m) throw new InvalidQuantityError(field, value);
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  return n * (SUFFIX[m[3] ?? ''] ?? 1);
}

/** CPU in milli-cores, rounded up as the kubelet does (at least 1 for any positive value). */
export function milliCpu(value: string | number, field = 'cpu'): number {
  return Math.ceil(parseQuantity(value, field) * 1000 - 1e-9);
}

/** Bytes, rounded up. */
export function bytes(value: string | number, field = 'memory'): number {
  return Math.ceil(parseQuantity(value, field) - 1e-9);
}
