// The latest value of every key, held in memory for synchronous reads: what both stores serve
// get and list from (the SQLite store beside its log, the etcd store as its watch cache).
import type { StoredObject } from '@wharf/api';

export interface Entry {
  readonly object: StoredObject;
  readonly json: string;
  readonly revision: number;
  readonly createRevision: number;
}

/** One listed key with its object and stored JSON. */
export interface Listed {
  key: string;
  object: StoredObject;
  json: string;
}

/** A bucket's keys in order, plus the keys added and removed since `keys` was last brought up to date. */
interface SortedKeys {
  keys: string[];
  added: string[];
  removed: string[];
}

/** The index of the first element of sorted `keys` that is not less than `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bucketOf(key: string): string {
  // "/registry/<group>/<resource>/..." → "/registry/<group>/<resource>/"
  const parts = key.split('/', 4);
  return `${parts.slice(0, 4).join('/')}/`;
}

/** Live keys with their latest entries, listable by prefix in key order. */
export class KeyIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly sortedKeys = new Map<string, SortedKeys>();
  private readonly bucketKeys = new Map<string, Set<string>>();

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  /** Sets a key's entry, or removes the key when `entry` is undefined. */
  set(key: string, entry: Entry | undefined): void {
    const bucket = bucketOf(key);
    const had = this.entries.has(key);
    if (entry) this.entries.set(key, entry);
    else this.entries.delete(key);
    const sorted = this.sortedKeys.get(bucket);
    if (sorted && had !== (entry !== undefined)) {
      // Writes stay O(1): new keys are merged into the sorted keys, and removed ones dropped, by the next list.
      (entry ? sorted.added : sorted.removed).push(key);
    }
    if (!this.bucketKeys.has(bucket)) this.bucketKeys.set(bucket, new Set());
    const set = this.bucketKeys.get(bucket) as Set<string>;
    if (entry) set.add(key);
    else set.delete(key);
  }

  /** Keys under a prefix in key order, with their objects. */
  list(prefix: string): Listed[] {
    // A prefix shorter than one resource ("/registry/") spans several buckets, in key order.
    const buckets =
      prefix.split('/').length < 5
        ? [...this.bucketKeys.keys()].filter((b) => b.startsWith(prefix)).sort()
        : [bucketOf(prefix.endsWith('/') ? prefix : `${prefix}/`)];
    const out: Listed[] = [];
    for (const bucket of buckets) {
      const keys = this.sortedKeysOf(bucket);
      // Keys under a prefix are contiguous in sorted order: start at the first and stop after the last.
      for (let i = lowerBound(keys, prefix); i < keys.length; i++) {
        const key = keys[i] as string;
        if (!key.startsWith(prefix)) break;
        const e = this.entries.get(key);
        if (e) out.push({ key, object: e.object, json: e.json });
      }
    }
    return out;
  }

  /** Live keys per resource bucket ("/registry/<group>/<resource>/"): apiserver_storage_objects. */
  counts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [bucket, keys] of this.bucketKeys) out.set(bucket, keys.size);
    return out;
  }

  private sortedKeysOf(bucket: string): string[] {
    const s = this.sortedKeys.get(bucket);
    if (!s) {
      const keys = [...(this.bucketKeys.get(bucket) ?? [])].sort();
      this.sortedKeys.set(bucket, { keys, added: [], removed: [] });
      return keys;
    }
    const changes = s.added.length + s.removed.length;
    if (changes === 0) return s.keys;
    // Whether a key belongs is decided by `entries` (its state now), whatever order the writes came in.
    if (changes <= 64) {
      for (const k of s.removed) {
        const i = lowerBound(s.keys, k);
        if (s.keys[i] === k && !this.entries.has(k)) s.keys.splice(i, 1);
      }
      for (const k of s.added) {
        const i = lowerBound(s.keys, k);
        if (s.keys[i] !== k && this.entries.has(k)) s.keys.splice(i, 0, k);
      }
    } else {
      // Many changes: one linear merge with the sorted new keys, keeping live keys once each.
      const add = s.added.sort();
      const out: string[] = [];
      let i = 0;
      let j = 0;
      while (i < s.keys.length || j < add.length) {
        const a = s.keys[i];
        const b = add[j];
        let k: string;
        if (b === undefined || (a !== undefined && a <= b)) {
          k = a as string;
          i++;
        } else {
          k = b;
          j++;
        }
        if (k !== out[out.length - 1] && this.entries.has(k)) out.push(k);
      }
      s.keys = out;
    }
    s.added = [];
    s.removed = [];
    return s.keys;
  }
}
