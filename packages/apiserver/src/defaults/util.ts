// Small helpers for defaulting plain JSON objects in place: set a field only when it is absent,
// and walk into nested records and lists without trusting their shape (validation runs elsewhere;
// defaulting must never throw on a malformed object).
import { isRecord } from '@wharf/api';

export type Obj = Record<string, unknown>;

/** The record at obj[key], or undefined when absent or not a record. */
export function rec(obj: Obj, key: string): Obj | undefined {
  const v = obj[key];
  return isRecord(v) ? v : undefined;
}

/** The record at obj[key], created as {} when absent (or null). A non-record value is left alone. */
export function ensureRec(obj: Obj, key: string): Obj | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    const fresh: Obj = {};
    obj[key] = fresh;
    return fresh;
  }
  return isRecord(v) ? v : undefined;
}

/** The records in the list at obj[key]; non-record elements are skipped. */
export function recs(obj: Obj | undefined, key: string): Obj[] {
  if (!obj) return [];
  const v = obj[key];
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

/** Sets obj[key] = value when the field is absent or null (Go's nil pointer). */
export function setDefault(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/**
 * Sets obj[key] = value when the field is absent, null or "" — Go's zero value for a plain
 * (non-pointer) string or number field, which defaulting treats as unset.
 */
export function setDefaultIfZero(obj: Obj, key: string, value: unknown): void {
  const v = obj[key];
  if (v === undefined || v === null || v === '' || v === 0) obj[key] = value;
}

/** True when obj[key] is a non-empty list. */
export function hasItems(obj: Obj, key: string): boolean {
  const v = obj[key];
  return Array.isArray(v) && v.length > 0;
}

/** True when obj[key] is a record with at least one key. */
export function hasKeys(obj: Obj, key: string): boolean {
  const v = obj[key];
  return isRecord(v) && Object.keys(v).length > 0;
}
