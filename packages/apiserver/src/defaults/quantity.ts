// Resource quantities ("500m", "1Gi", "1e3") in the canonical form the real API server writes
// back: it parses every Quantity, rounds it up to nano precision, and serialises it again, so
// `cpu: 0.5` reads back as "500m" and `memory: 1024Mi` as "1Gi". Resource lists are first rounded
// up to milli precision (SetDefaults_ResourceList). Unparseable strings are left alone.
import { isRecord } from '@wharf/api';

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface Parsed {
  /** The value times 10^9, rounded away from zero. */
  nanos: bigint;
  format: Format;
}

const decimalSuffixes: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffixes: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** n / d rounded away from zero (both positive here). */
function divUp(n: bigint, d: bigint): bigint {
  return n % d === 0n ? n / d : n / d + 1n;
}

/** Parses a quantity string; undefined when it is not one. */
export function parseQuantity(input: string): Parsed | undefined {
  const m = NUMBER.exec(input.trim());
  if (!m) return undefined;
  const [, sign = '', whole = '', frac = '', suffix = ''] = m;
  if (whole === '' && frac === '') return undefined;
  const digits = BigInt(`${whole}${frac}` || '0');
  let format: Format;
  let magnitude: bigint;
  const binary = binarySuffixes[suffix];
  if (binary !== undefined) {
    format = 'BinarySI';
    magnitude = scaleDecimal(digits * 1024n ** BigInt(binary), 9 - frac.length);
  } else {
    let exponent = decimalSuffixes[suffix];
    format = 'DecimalSI';
    if (exponent === undefined) {
      const e = /^[eE]([+-]?\d+)$/.exec(suffix);
      if (!e?.[1]) return undefined;
      exponent = Number(e[1]);
      // Guards against "1e999999" costing a huge BigInt; no real resource needs this range.
      if (Math.abs(exponent) > 100) return undefined;
      format = 'DecimalExponent';
    }
    magnitude = scaleDecimal(digits, exponent + 9 - frac.length);
  }
  return { nanos: sign === '-' ? -magnitude : magnitude, format };
}

/** digits × 10^shift, rounding a fractional result up. */
function scaleDecimal(digits: bigint, shift: number): bigint {
  return shift >= 0 ? digits * pow10(shift) : divUp(digits, pow10(-shift));
}

/** The canonical text of a parsed quantity (Quantity.CanonicalizeBytes). */
export function formatQuantity(q: Parsed): string {
  if (q.nanos === 0n) return '0';
  const negative = q.nanos < 0n;
  const magnitude = negative ? -q.nanos : q.nanos;
  let format = q.format;
  if (format === 'BinarySI' && (magnitude < 1024n * pow10(9) || magnitude % pow10(9) !== 0n)) format = 'DecimalSI';
  let text: string;
  if (format === 'BinarySI') {
    let mantissa = magnitude / pow10(9);
    let power = 0;
    while (power < 6 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      power++;
    }
    text = `${mantissa}${binaryByPower[power] ?? ''}`;
  } else {
    let mantissa = magnitude;
    let exponent = -9;
    while (mantissa % 1000n === 0n) {
      mantissa /= 1000n;
      exponent += 3;
    }
    const si = format === 'DecimalSI' ? decimalByExponent.get(exponent) : undefined;
    text = `${mantissa}${si ?? (exponent === 0 ? '' : `e${exponent}`)}`;
  }
  return negative ? `-${text}` : text;
}

/** The canonical form of a quantity given as a string or JSON number; other values unchanged. */
export function canonicalQuantity<T>(value: T, roundToMilli = false): T | string {
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  const parsed = parseQuantity(String(value));
  if (!parsed) return value;
  if (roundToMilli) {
    const unit = pow10(6);
    const magnitude = parsed.nanos < 0n ? -parsed.nanos : parsed.nanos;
    const rounded = divUp(magnitude, unit) * unit;
    parsed.nanos = parsed.nanos < 0n ? -rounded : rounded;
  }
  return formatQuantity(parsed);
}

/** Canonicalises every value of the resource list at obj[key] (rounded up to milli precision). */
export function defaultResourceList(obj: Record<string, unknown> | undefined, key: string): void {
  const list = obj?.[key];
  if (!isRecord(list)) return;
  for (const [name, v] of Object.entries(list)) list[name] = canonicalQuantity(v, true);
}

/** Canonicalises the single quantity at obj[key] (no milli rounding). */
export function defaultQuantity(obj: Record<string, unknown> | undefined, key: string): void {
  if (obj && obj[key] !== undefined) obj[key] = canonicalQuantity(obj[key]);
}
