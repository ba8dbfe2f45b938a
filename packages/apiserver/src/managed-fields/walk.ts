// Reading field sets out of objects, as structured-merge-diff does: the set of fields a value
// sets (what an applier owns) and the comparison of two values (what an update added, changed or
// removed). List items are addressed by key (list-type map), value (set) or not at all (atomic).
import { isRecord } from '@wharf/api';
import { FieldSet, field, index, keyElement, valueElement, type FieldPath, type PathElement } from './fieldset.js';
import { isLeaf, resolve, type ListShape, type Shape } from './shape.js';

/** Key fields that upstream fills from the schema default when an item omits them. */
const KEY_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: 'TCP' };

/** The path element of a list item, or undefined for items of atomic lists. */
export function itemElement(list: ListShape, item: unknown): PathElement | undefined {
  if (list.listType === 'set') return valueElement(item);
  if (list.listType !== 'map') return undefined;
  const key: Record<string, unknown> = {};
  for (const k of list.keys) {
    const v = isRecord(item) ? (item[k] ?? KEY_DEFAULTS[k]) : undefined;
    if (v !== undefined) key[k] = v;
  }
  return keyElement(key);
}

/** The fields `value` sets (typed.ToFieldSet): leaves, list items, empty or null values, map keys. */
export function toFieldSet(value: unknown, shape: Shape): FieldSet {
  const set = new FieldSet();
  collect(value, shape, [], set);
  return set;
}

function collect(value: unknown, shape: Shape, path: FieldPath, set: FieldSet): void {
  const s = resolve(shape, value);
  if (isLeaf(s) || s.kind === 'scalar') {
    set.insert(path);
    return;
  }
  if (s.kind === 'map') {
    if (!isRecord(value)) {
      set.insert(path);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      const p = [...path, field(k)];
      collect(v, s.child(k), p, set);
      if (v === null || (isRecord(v) && Object.keys(v).length === 0) || !s.declared(k)) set.insert(p);
    }
    return;
  }
  if (!Array.isArray(value)) {
    set.insert(path);
    return;
  }
  for (const item of value) {
    const pe = itemElement(s, item);
    if (pe === undefined) continue;
    const p = [...path, pe];
    collect(item, s.elem, p, set);
    set.insert(p);
  }
}

/** Paths of fields `value` sets that its schema does not declare (an apply must not send them). */
export function undeclaredFields(
  value: unknown,
  shape: Shape,
  path: FieldPath = [],
  out: FieldPath[] = [],
): FieldPath[] {
  const s = resolve(shape, value);
  if (s.kind === 'map' && isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      const p = [...path, field(k)];
      if (s.closed && !s.declared(k)) out.push(p);
      else undeclaredFields(v, s.child(k), p, out);
    }
  } else if (s.kind === 'list' && Array.isArray(value)) {
    value.forEach((item, i) => undeclaredFields(item, s.elem, [...path, itemElement(s, item) ?? index(i)], out));
  }
  return out;
}

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/** What changed from `lhs` to `rhs` (typed.Compare); `undefined` means absent. */
export function compare(lhs: unknown, rhs: unknown, shape: Shape): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, shape, [], c);
  return c;
}

function walkCompare(lhs: unknown, rhs: unknown, shape: Shape, path: FieldPath, c: Comparison): void {
  const s = resolve(shape, rhs === undefined || rhs === null ? lhs : rhs);
  const granularMap = s.kind === 'map' && !s.atomic && isMapOrNull(lhs) && isMapOrNull(rhs);
  const granularList = s.kind === 'list' && s.listType !== 'atomic' && isListOrNull(lhs) && isListOrNull(rhs);
  if (!granularMap && !granularList) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
    return;
  }
  // A null map or list (as in a Go zero value) is an empty one that is present.
  if (s.kind === 'map') {
    const l = (lhs ?? {}) as Record<string, unknown>;
    const r = (rhs ?? {}) as Record<string, unknown>;
    for (const k of new Set([...Object.keys(l), ...Object.keys(r)]))
      walkCompare(l[k], r[k], s.child(k), [...path, field(k)], c);
  } else if (s.kind === 'list') {
    const l = indexItems(s, (lhs ?? []) as unknown[]);
    const r = indexItems(s, (rhs ?? []) as unknown[]);
    for (const pe of new Set([...l.keys(), ...r.keys()])) walkCompare(l.get(pe), r.get(pe), s.elem, [...path, pe], c);
  }
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
}

const isMapOrNull = (v: unknown): boolean => v === undefined || v === null || isRecord(v);
const isListOrNull = (v: unknown): boolean => v === undefined || v === null || Array.isArray(v);

/** A list's items by path element (the first of duplicates wins). */
export function indexItems(list: ListShape, items: readonly unknown[]): Map<PathElement, unknown> {
  const out = new Map<PathElement, unknown>();
  for (const item of items) {
    const pe = itemElement(list, item);
    if (pe !== undefined && !out.has(pe)) out.set(pe, item);
  }
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a)) {
    if (!isRecord(b) || Array.isArray(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
