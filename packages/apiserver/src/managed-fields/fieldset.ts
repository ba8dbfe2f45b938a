// Sets of field paths in the FieldsV1 format of managedFields (structured-merge-diff's
// fieldpath.Set): a tree keyed by path elements `f:<field>`, `k:<json key>`, `v:<json value>` and
// `i:<index>`, where a node may itself be a member (written `".": {}` when it has children).
import { isRecord } from '@wharf/api';

/** One serialized path element, e.g. 'f:spec', 'k:{"name":"nginx"}', 'v:"x"', 'i:0'. */
export type PathElement = string;
export type FieldPath = readonly PathElement[];

export const field = (name: string): PathElement => `f:${name}`;
export const index = (i: number): PathElement => `i:${i}`;
export const valueElement = (v: unknown): PathElement => `v:${canonicalJson(v)}`;
/** A list-map key: the key fields' values, serialized with sorted field names as upstream does. */
export const keyElement = (key: Readonly<Record<string, unknown>>): PathElement =>
  `k:${canonicalJson(
    Object.fromEntries(
      Object.keys(key)
        .sort()
        .map((k) => [k, key[k]]),
    ),
  )}`;

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

const KIND_ORDER: Readonly<Record<string, number>> = { f: 0, k: 1, v: 2, i: 3 };

/** Upstream's PathElement order: field names, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ka = KIND_ORDER[a[0] ?? ''] ?? 4;
  const kb = KIND_ORDER[b[0] ?? ''] ?? 4;
  if (ka !== kb) return ka - kb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A path element as upstream prints it in conflict messages: `.spec`, `[name="nginx"]`, `[="x"]`, `[0]`. */
export function elementString(pe: PathElement): string {
  const body = pe.slice(2);
  switch (pe[0]) {
    case 'f':
      return `.${body}`;
    case 'k': {
      const key = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${valueString(v)}`)
        .join(',')}]`;
    }
    case 'v':
      return `[=${valueString(JSON.parse(body))}]`;
    default:
      return `[${body}]`;
  }
}

function valueString(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v);
}

export function pathString(path: FieldPath): string {
  return path.map(elementString).join('');
}

/** A mutable set of field paths. */
export class FieldSet {
  /** Whether the path leading here is itself in the set (always false at the root). */
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: FieldPath): void {
    if (path.length === 0) return;
    const [first, ...rest] = path as [PathElement, ...PathElement[]];
    let child = this.children.get(first);
    if (!child) {
      child = new FieldSet();
      this.children.set(first, child);
    }
    if (rest.length) child.insert(rest);
    else child.member = true;
  }

  has(path: FieldPath): boolean {
    const node = this.node(path);
    return node !== undefined && node.member && path.length > 0;
  }

  /** The subtree below `path`, if any member lies at or under it. */
  node(path: FieldPath): FieldSet | undefined {
    if (path.length === 0) return this;
    const [first, ...rest] = path as [PathElement, ...PathElement[]];
    return this.children.get(first)?.node(rest);
  }

  isEmpty(): boolean {
    return !this.member && this.children.size === 0;
  }

  /** Every member path, parents before children, siblings in upstream order. */
  paths(prefix: FieldPath = []): FieldPath[] {
    const out: FieldPath[] = [];
    if (this.member && prefix.length) out.push(prefix);
    for (const pe of [...this.children.keys()].sort(comparePathElements)) {
      out.push(...(this.children.get(pe) as FieldSet).paths([...prefix, pe]));
    }
    return out;
  }

  size(): number {
    let n = this.member ? 1 : 0;
    for (const c of this.children.values()) n += c.size();
    return n;
  }

  clone(): FieldSet {
    const s = new FieldSet();
    s.member = this.member;
    for (const [pe, c] of this.children) s.children.set(pe, c.clone());
    return s;
  }

  union(other: FieldSet): FieldSet {
    const s = this.clone();
    s.addAll(other);
    return s;
  }

  private addAll(other: FieldSet): void {
    this.member ||= other.member;
    for (const [pe, oc] of other.children) {
      let c = this.children.get(pe);
      if (!c) {
        c = new FieldSet();
        this.children.set(pe, c);
      }
      c.addAll(oc);
    }
  }

  /** Members of this set that are not members of `other` (membership only, not subtrees). */
  difference(other: FieldSet): FieldSet {
    return combine(this, other, (a, b) => a && !b);
  }

  intersection(other: FieldSet): FieldSet {
    return combine(this, other, (a, b) => a && b);
  }

  /** Members of this set that are neither in `other` nor below one of its members. */
  recursiveDifference(other: FieldSet): FieldSet {
    const s = new FieldSet();
    s.member = this.member && !other.member;
    if (other.member) return new FieldSet();
    for (const [pe, c] of this.children) {
      const oc = other.children.get(pe);
      const d = oc ? c.recursiveDifference(oc) : c.clone();
      if (!d.isEmpty()) s.children.set(pe, d);
    }
    return s;
  }

  /** The FieldsV1 JSON object of this set. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pe of [...this.children.keys()].sort(comparePathElements)) {
      const c = this.children.get(pe) as FieldSet;
      const inner = c.toFieldsV1();
      out[pe] = c.member && c.children.size > 0 ? { '.': {}, ...inner } : inner;
    }
    return out;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (!isRecord(v)) return s;
    for (const [pe, inner] of Object.entries(v)) {
      if (pe === '.') continue;
      const c = FieldSet.fromFieldsV1(inner);
      // A leaf `{}` and a node holding `".": {}` are both members.
      c.member = !isRecord(inner) || Object.keys(inner).length === 0 || '.' in inner;
      s.children.set(pe, c);
    }
    return s;
  }
}

function combine(a: FieldSet, b: FieldSet | undefined, keep: (inA: boolean, inB: boolean) => boolean): FieldSet {
  const s = new FieldSet();
  s.member = keep(a.member, b?.member ?? false);
  for (const [pe, c] of a.children) {
    const r = combine(c, b?.children.get(pe), keep);
    if (!r.isEmpty()) s.children.set(pe, r);
  }
  return s;
}
