// What the API server needs from a store, whichever back-end keeps the objects (SQLite or etcd):
// reads answered synchronously from memory, writes acknowledged once durable and visible to reads.
import type { StoredObject } from '@wharf/api';
import type { WatchCallback, Watcher } from './events.js';
import type { Listed } from './memory.js';

/** Turns stored JSON into bytes on disk and back (encryption at rest plugs in here). */
export interface ValueCodec {
  encode(key: string, json: string): Buffer | string;
  decode(key: string, value: Buffer | string): string;
}

export const plainCodec: ValueCodec = {
  encode: (_k, json) => json,
  decode: (_k, v) => (typeof v === 'string' ? v : v.toString('utf8')),
};

/** The storage operations timed, named as kube-apiserver names its etcd requests. */
export type StoreOperation = 'create' | 'update' | 'delete' | 'listWithCount' | 'compact';

/** Told how long each storage request took (the API server's etcd_request_duration_seconds). */
export type TimingCallback = (operation: StoreOperation, key: string, seconds: number) => void;

/** A key already exists on create. */
export class KeyExistsError extends Error {}
/** The key does not exist. */
export class KeyNotFoundError extends Error {}
/** The caller's expected revision is not the key's current revision. */
export class RevisionMismatchError extends Error {}
/** The requested revision is older than the compacted revision. */
export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`too old resource version: ${requested} (${compacted})`);
  }
}

/**
 * The storage engine. Objects returned are shared: callers must clone before changing them.
 * A write resolves once later reads (get, list, watch) see it.
 */
export interface Store {
  /** Loads what the store holds; until it resolves, reads see nothing. */
  open(): Promise<void>;
  /** The newest revision reads reflect. */
  readonly revision: number;
  /** Revisions at or below this are gone from history. */
  readonly compactedRevision: number;
  get(key: string): StoredObject | undefined;
  /** The stored JSON text of a key (what the API returns), without re-serialising. */
  getJson(key: string): string | undefined;
  /** Keys under a prefix in key order, with their objects. */
  list(prefix: string): Listed[];
  /**
   * Keys under `prefix` (and after `after`) as they were at `revision`: the snapshot a paged list
   * continues through, and what resourceVersionMatch=Exact answers. Too old a revision throws CompactedError.
   */
  listAt(prefix: string, revision: number, after?: string): Listed[];
  /** Resolves true once the store reaches `revision`, or false after `ms`. */
  waitForRevision(revision: number, ms: number): Promise<boolean>;
  /** Live keys per resource bucket ("/registry/<group>/<resource>/"): apiserver_storage_objects. */
  counts(): Map<string, number>;
  /** Creates a key; `build` receives the revision the object will carry. */
  create(key: string, build: (revision: number) => StoredObject): Promise<StoredObject>;
  /** Replaces a key's value. With `expectedRevision`, fails unless it is the current revision. */
  update(
    key: string,
    expectedRevision: number | undefined,
    build: (revision: number) => StoredObject,
  ): Promise<StoredObject>;
  /** Deletes a key; the object returned is its final state at the deletion's revision. */
  delete(key: string, expectedRevision?: number): Promise<StoredObject>;
  /**
   * Watches keys under `prefix` for changes after `fromRevision`: events since then are replayed
   * first, then live events follow. Too old a revision throws CompactedError.
   */
  watch(prefix: string, fromRevision: number, cb: WatchCallback): Watcher;
  /**
   * Rewrites, as new revisions, the live values under `prefix` whose stored bytes `stale` flags
   * (e.g. encrypted with a key that is no longer the primary one). Resolves to how many were rewritten.
   */
  rewriteStale(prefix: string, stale: (raw: Buffer | string) => boolean): Promise<number>;
  /** Drops history at or below `target`; watches and lists from older revisions then get 410 Gone. */
  compact(target: number): Promise<number>;
  close(): Promise<void>;
}
