// Content hashes of JSON values: the same value always gives the same hash, whatever the key
// order, so a controller restart recomputes the same names and templates (and restarts nothing).
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** sha256 hex of the canonical JSON of `v`, cut to `length` characters. */
export function hashOf(v: unknown, length = 64): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex').slice(0, length);
}
