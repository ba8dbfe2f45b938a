// The store on etcd, shaped as kube-apiserver's watch cache: on open it lists the /registry/ prefix,
// then one etcd watch from that revision keeps an in-memory copy current. Reads are answered from
// that copy; a write is an etcd transaction that compares the key's mod_revision, acknowledged once
// the watch has delivered it (so a client reads its own writes). resourceVersion is etcd's
// mod_revision: it is not stored in the value (kube-apiserver leaves it out too) but set on decode.
import { Etcd3, type IKeyValue, type IOptions, type IWatchResponse, type Watcher as EtcdWatcher } from 'etcd3';
import type { StoredObject } from '@wharf/api';
import type { StoreEvent, WatchCallback, Watcher } from './events.js';
import { CachedStore } from './cached.js';
import type { Entry, Listed } from './memory.js';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  plainCodec,
  RevisionMismatchError,
  type Store,
  type StoreOperation,
  type TimingCallback,
  type ValueCodec,
} from './types.js';

export interface EtcdStoreOptions {
  /** Client URLs of the etcd members, e.g. http://127.0.0.1:2379. */
  readonly endpoints: readonly string[];
  readonly codec?: ValueCodec;
  /** Events kept in memory for watch resumes and past-revision lists. @default 10000 */
  readonly windowSize?: number;
  /** How long a write waits for the watch to bring it back before it fails. @default 10000 */
  readonly syncTimeoutMs?: number;
  readonly onTiming?: TimingCallback;
  /** Told when etcd cancels the watch the copy follows (the copy stops changing). @default none */
  readonly onError?: (err: Error) => void;
}

const ROOT = '/registry/';
/** How long one etcd request (not the watch stream) may take, with one member. */
const REQUEST_TIMEOUT_MS = 3_000;
/**
 * With several members: a write a follower forwarded to a leader that then died is dropped, and
 * waits out this deadline; a new leader is elected in about 1 s (etcd's election timeout), so
 * waiting longer only lengthens the gap. Retried, it lands on the new leader.
 */
const CLUSTER_REQUEST_TIMEOUT_MS = 1_500;
/** How long closing the store waits for etcd to cancel its watch. */
const CANCEL_TIMEOUT_MS = 1_000;

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;

/**
 * No circuit breaker per member, with several: etcd3's default opens a member's breaker for 5 s
 * after 3 failed calls, and while the members elect a new leader every live member's calls fail,
 * so all breakers opened and writes failed for up to 5 s after the election was over. Without it a
 * call to a dead member fails at once (connection refused) and the client's retry (3 attempts, each
 * on a member drawn again) reaches a live one.
 */
const noBreaker = (): HostPolicy =>
  ({
    execute: async <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> =>
      fn({ signal: new AbortController().signal }),
    onSuccess: () => ({ dispose: () => undefined }),
    onFailure: () => ({ dispose: () => undefined }),
  }) as unknown as HostPolicy; // cockatiel's IPolicy, of which etcd3 calls only execute

/** API groups without a dot (the built-in ones): their keys keep the group segment. */
const DOTLESS_GROUPS = new Set(['apps', 'autoscaling', 'batch', 'policy']);

/**
 * The etcd key of a store key, as kube-apiserver lays keys out: the core group has no segment
 * (/registry/core/pods/ns/p → /registry/pods/ns/p); other groups keep theirs.
 */
export function etcdKeyOf(key: string): string {
  return key.startsWith(`${ROOT}core/`) ? `${ROOT}${key.slice(ROOT.length + 'core/'.length)}` : key;
}

/** The store key of an etcd key: a first segment that names a group is kept, any other is a core resource. */
export function storeKeyOf(etcdKey: string): string {
  const first = etcdKey.slice(ROOT.length).split('/', 1)[0] ?? '';
  return first.includes('.') || DOTLESS_GROUPS.has(first) ? etcdKey : `${ROOT}core/${etcdKey.slice(ROOT.length)}`;
}

/** The bytes etcd keeps for an object: its JSON without resourceVersion, through the codec. */
function encodeValue(codec: ValueCodec, key: string, object: StoredObject): Buffer {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  const value = codec.encode(key, JSON.stringify({ ...object, metadata }));
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/** `object` at `revision`: the resourceVersion clients see. */
function atRevision(object: StoredObject, revision: number): StoredObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } };
}

export class EtcdStore extends CachedStore implements Store {
  private readonly client: Etcd3;
  private readonly codec: ValueCodec;
  private readonly syncTimeoutMs: number;
  private readonly onTiming: TimingCallback | undefined;
  private readonly onError: ((err: Error) => void) | undefined;
  private watcher: EtcdWatcher | undefined;

  constructor(opts: EtcdStoreOptions) {
    super(opts.windowSize ?? 10_000);
    const cluster = opts.endpoints.length > 1;
    const deadlineMs = cluster ? CLUSTER_REQUEST_TIMEOUT_MS : REQUEST_TIMEOUT_MS;
    this.client = new Etcd3({
      hosts: [...opts.endpoints],
      ...(cluster ? { faultHandling: { host: noBreaker } } : {}),
      dialTimeout: 5_000,
      // A request caught by a leader election would wait for etcd's own timeout (7 s by default):
      // ended sooner, it fails while the members elect, and a retry by the API's client finds the new leader.
      defaultCallOptions: (call) => (call.isStream ? {} : { deadline: Date.now() + deadlineMs }),
    });
    this.codec = opts.codec ?? plainCodec;
    this.syncTimeoutMs = opts.syncTimeoutMs ?? 10_000;
    this.onTiming = opts.onTiming;
    this.onError = opts.onError;
  }

  /** Lists the prefix, then follows it with one watch from the revision listed. */
  async open(): Promise<void> {
    const listed = await this.client.getAll().prefix(ROOT).exec();
    for (const kv of listed.kvs) {
      const key = storeKeyOf(kv.key.toString());
      this.entries.set(key, this.entryOf(key, kv));
    }
    this.rev = Number(listed.header.revision);
    this.window.reset(this.rev);
    this.watcher = await this.client
      .watch()
      .prefix(ROOT)
      .withPreviousKV()
      .startRevision(String(this.rev + 1))
      .create();
    this.watcher.on('data', (res) => this.apply(res));
    // Without a listener an 'error' event would end the process; the client reconnects by itself.
    this.watcher.on('error', (err) => this.onError?.(err));
  }

  private entryOf(key: string, kv: IKeyValue): Entry {
    const revision = Number(kv.mod_revision);
    const object = atRevision(JSON.parse(this.codec.decode(key, kv.value)) as StoredObject, revision);
    return { object, json: JSON.stringify(object), revision, createRevision: Number(kv.create_revision) };
  }

  /** Brings the copy up to date with one watch response, publishing each event to the store's watchers. */
  private apply(res: IWatchResponse): void {
    for (const e of res.events) {
      const key = storeKeyOf(e.kv.key.toString());
      const revision = Number(e.kv.mod_revision);
      const prev = e.prev_kv ? this.entryOf(key, e.prev_kv) : this.entries.get(key);
      this.rev = revision;
      let ev: StoreEvent;
      if (e.type === 'Delete') {
        if (!prev) continue; // a key deleted before we ever saw it
        this.entries.set(key, undefined);
        const object = atRevision(prev.object, revision);
        ev = { type: 'DELETED', key, revision, object, json: JSON.stringify(object), prevObject: prev.object };
      } else {
        const entry = this.entryOf(key, e.kv);
        this.entries.set(key, entry);
        ev = prev
          ? { type: 'MODIFIED', key, revision, object: entry.object, json: entry.json, prevObject: prev.object }
          : { type: 'ADDED', key, revision, object: entry.object, json: entry.json };
      }
      this.window.publish(ev);
    }
  }

  /** The state at `revision`, rebuilt from the copy by undoing the newer events still in memory. */
  listAt(prefix: string, revision: number, after = ''): Listed[] {
    if (revision >= this.rev) return this.list(prefix);
    const oldest = Math.max(this.compactRev, this.window.oldestReplayable);
    if (revision < oldest) throw new CompactedError(revision, oldest);
    const state = new Map(this.list(prefix).map((e) => [e.key, e]));
    for (const ev of this.window.eventsAfter(revision).reverse()) {
      if (!ev.key.startsWith(prefix)) continue;
      if (ev.type === 'ADDED' || !ev.prevObject) state.delete(ev.key);
      else state.set(ev.key, { key: ev.key, object: ev.prevObject, json: JSON.stringify(ev.prevObject) });
    }
    return [...state.values()].filter((e) => e.key > after).sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async create(key: string, build: (revision: number) => StoredObject): Promise<StoredObject> {
    if (this.entries.get(key)) throw new KeyExistsError(key);
    const object = build(0);
    const target = etcdKeyOf(key);
    const res = await this.timed('create', key, () =>
      this.client
        .if(target, 'Create', '==', 0)
        .then(this.client.put(target).value(encodeValue(this.codec, key, object)))
        .commit(),
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    return this.settled(atRevision(object, Number(res.header.revision)));
  }

  async update(
    key: string,
    expectedRevision: number | undefined,
    build: (revision: number) => StoredObject,
  ): Promise<StoredObject> {
    const cur = this.entries.get(key);
    if (!cur) throw new KeyNotFoundError(key);
    const object = build(0);
    const res = await this.timed('update', key, () =>
      this.guarded(key, expectedRevision ?? cur.revision, (target) =>
        this.client.put(target).value(encodeValue(this.codec, key, object)),
      ),
    );
    return this.settled(atRevision(object, res));
  }

  async delete(key: string, expectedRevision?: number): Promise<StoredObject> {
    const cur = this.entries.get(key);
    if (!cur) throw new KeyNotFoundError(key);
    const res = await this.timed('delete', key, () =>
      this.guarded(key, expectedRevision ?? cur.revision, (target) => this.client.delete().key(target)),
    );
    return this.settled(atRevision(cur.object, res));
  }

  /**
   * Runs `op` on the key if its mod_revision is still `expected`; resolves with the write's
   * revision. A key gone throws KeyNotFoundError, one changed since RevisionMismatchError.
   */
  private async guarded(
    key: string,
    expected: number,
    op: (target: string) => Parameters<ReturnType<Etcd3['if']>['then']>[0],
  ): Promise<number> {
    const target = etcdKeyOf(key);
    const res = await this.client
      .if(target, 'Mod', '==', expected)
      .then(op(target))
      .else(this.client.get(target))
      .commit();
    if (res.succeeded) return Number(res.header.revision);
    const found = res.responses[0]?.response_range.kvs.length ?? 0;
    throw found ? new RevisionMismatchError(key) : new KeyNotFoundError(key);
  }

  /** Resolves with `object` once the copy has caught up with its revision (read-your-writes). */
  private async settled(object: StoredObject): Promise<StoredObject> {
    const revision = Number(object.metadata.resourceVersion);
    if (!(await this.waitForRevision(revision, this.syncTimeoutMs)))
      throw new Error(`etcd write at revision ${revision} not seen by the watch within ${this.syncTimeoutMs} ms`);
    return object;
  }

  private async timed<T>(operation: StoreOperation, key: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.onTiming?.(operation, key, (performance.now() - started) / 1000);
    }
  }

  /** Replays the events since `fromRevision` held in memory; older ones are 410 Gone, as from the watch cache. */
  watch(prefix: string, fromRevision: number, cb: WatchCallback): Watcher {
    const oldest = Math.max(this.compactRev, this.window.oldestReplayable);
    if (fromRevision < oldest) throw new CompactedError(fromRevision, oldest);
    return this.window.subscribe(prefix, fromRevision, cb);
  }

  async rewriteStale(prefix: string, stale: (raw: Buffer | string) => boolean): Promise<number> {
    const res = await this.client.getAll().prefix(etcdKeyOf(prefix)).exec();
    let n = 0;
    for (const kv of res.kvs) {
      if (!stale(kv.value)) continue;
      const key = storeKeyOf(kv.key.toString());
      const cur = this.entries.get(key);
      if (!cur) continue;
      await this.update(key, cur.revision, (rev) => atRevision(cur.object, rev));
      n++;
    }
    return n;
  }

  /** Compacts etcd's history at `target`; etcd does not say how much it removed, so this resolves 0. */
  async compact(target: number): Promise<number> {
    const t = Math.min(target, this.rev - 1);
    if (t <= this.compactRev) return 0;
    await this.timed('compact', `${ROOT}compact/`, () => this.client.kv.compact({ revision: String(t) }));
    this.compactRev = t;
    this.window.compacted(t);
    return 0;
  }

  async close(): Promise<void> {
    this.window.closeAll();
    // Cancelling asks etcd; a watch stream left reconnecting by members that went and came back
    // never answers, so the cancel gets a second and closing the client ends the stream anyway.
    const late = new Promise<void>((r) => setTimeout(r, CANCEL_TIMEOUT_MS).unref());
    await Promise.race([this.watcher?.cancel(), late]);
    this.client.close();
  }
}
