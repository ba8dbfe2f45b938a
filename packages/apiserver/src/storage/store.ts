// Kine-style storage on SQLite: one append-only log whose row id is the revision (= resourceVersion).
// The latest value of every key is also held in memory for reads; watches fan out from an in-memory
// window of recent events and fall back to the log itself for older revisions until compaction.
import Database from 'better-sqlite3';
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
  type TimingCallback,
  type ValueCodec,
} from './types.js';

export interface StoreOptions {
  /** SQLite file path, or ':memory:'. */
  readonly path: string;
  readonly codec?: ValueCodec;
  /** Events kept in memory for watch resumes. @default 10000 */
  readonly windowSize?: number;
  /** Told how long each SQLite statement took (the API server's etcd_request_duration_seconds). @default none */
  readonly onTiming?: TimingCallback;
}

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer | string;
}

/** The store on SQLite. Writes commit synchronously; their promises resolve already settled. */
export class SqliteStore extends CachedStore implements Store {
  private readonly db: Database.Database;
  private readonly codec: ValueCodec;
  private readonly onTiming: StoreOptions['onTiming'];
  private readonly insert: Database.Statement;
  private readonly lastRow: Database.Statement;

  constructor(opts: StoreOptions) {
    super(opts.windowSize ?? 10_000);
    this.codec = opts.codec ?? plainCodec;
    this.onTiming = opts.onTiming;
    this.db = new Database(opts.path);
    this.db.pragma('journal_mode = WAL');
    // WAL with synchronous=NORMAL: a committed write is in the WAL file before the call returns,
    // so it survives the process being killed; only an OS crash can lose the last transactions.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS log (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, created INTEGER NOT NULL, deleted INTEGER NOT NULL,
        create_revision INTEGER NOT NULL, prev_revision INTEGER NOT NULL, value BLOB);
      CREATE UNIQUE INDEX IF NOT EXISTS log_name_prev ON log (name, prev_revision);
      CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);`);
    this.insert = this.db.prepare(
      'INSERT INTO log (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.lastRow = this.db.prepare('SELECT MAX(id) AS id FROM log WHERE name = ?');
    this.load();
  }

  private load(): void {
    const max = this.db.prepare('SELECT MAX(id) AS m FROM log').get() as { m: number | null };
    const meta = this.db.prepare("SELECT value FROM meta WHERE key = 'revision'").get() as
      { value: number } | undefined;
    const compact = this.db.prepare("SELECT value FROM meta WHERE key = 'compact'").get() as
      { value: number } | undefined;
    this.rev = Math.max(max.m ?? 0, meta?.value ?? 0);
    this.compactRev = compact?.value ?? 0;
    const rows = this.db
      .prepare(
        'SELECT l.* FROM log l JOIN (SELECT name, MAX(id) AS id FROM log GROUP BY name) m ON l.id = m.id WHERE l.deleted = 0',
      )
      .all() as Row[];
    for (const row of rows) this.entries.set(row.name, this.entryOf(row));
    this.window.reset(this.rev);
  }

  private entryOf(row: Row): Entry {
    const json = this.codec.decode(row.name, row.value);
    return { object: JSON.parse(json) as StoredObject, json, revision: row.id, createRevision: row.create_revision };
  }

  /** Loaded by the constructor already. */
  open(): Promise<void> {
    return Promise.resolve();
  }

  /** Keys under `prefix` as they were at `revision`, read from the log. */
  listAt(prefix: string, revision: number, after = ''): Listed[] {
    if (revision < this.compactRev) throw new CompactedError(revision, this.compactRev);
    if (revision >= this.rev) return this.list(prefix);
    const started = performance.now();
    const rows = this.db
      .prepare(
        'SELECT l.* FROM log l JOIN (SELECT name, MAX(id) AS id FROM log WHERE name >= ? AND name < ? AND name > ? AND id <= ? GROUP BY name) m ON l.id = m.id WHERE l.deleted = 0 ORDER BY l.name',
      )
      .all(prefix, `${prefix}\uffff`, after, revision) as Row[];
    this.timed('listWithCount', prefix, started);
    return rows.map((row) => {
      const e = this.entryOf(row);
      return { key: row.name, object: e.object, json: e.json };
    });
  }

  private timed(operation: Parameters<TimingCallback>[0], key: string, started: number): void {
    this.onTiming?.(operation, key, (performance.now() - started) / 1000);
  }

  create(key: string, build: (revision: number) => StoredObject): Promise<StoredObject> {
    return settled(() => {
      if (this.entries.get(key)) throw new KeyExistsError(key);
      return this.write(key, build, { created: true, expect: undefined });
    });
  }

  update(
    key: string,
    expectedRevision: number | undefined,
    build: (revision: number) => StoredObject,
  ): Promise<StoredObject> {
    return settled(() => this.updateNow(key, expectedRevision, build));
  }

  private updateNow(
    key: string,
    expectedRevision: number | undefined,
    build: (revision: number) => StoredObject,
  ): StoredObject {
    const cur = this.entries.get(key);
    if (!cur) throw new KeyNotFoundError(key);
    if (expectedRevision !== undefined && expectedRevision !== cur.revision) throw new RevisionMismatchError(key);
    return this.write(key, build, { created: false, expect: cur });
  }

  /** Deletes a key, appending a tombstone that carries the object's final state. */
  delete(key: string, expectedRevision?: number): Promise<StoredObject> {
    return settled(() => this.deleteNow(key, expectedRevision));
  }

  private deleteNow(key: string, expectedRevision?: number): StoredObject {
    const cur = this.entries.get(key);
    if (!cur) throw new KeyNotFoundError(key);
    if (expectedRevision !== undefined && expectedRevision !== cur.revision) throw new RevisionMismatchError(key);
    const revision = this.rev + 1;
    const object = { ...cur.object, metadata: { ...cur.object.metadata, resourceVersion: String(revision) } };
    const json = JSON.stringify(object);
    const started = performance.now();
    this.insert.run(revision, key, 0, 1, cur.createRevision, cur.revision, this.codec.encode(key, json));
    this.timed('delete', key, started);
    this.rev = revision;
    this.entries.set(key, undefined);
    this.window.publish({ type: 'DELETED', key, revision, object, json, prevObject: cur.object });
    return object;
  }

  private write(
    key: string,
    build: (revision: number) => StoredObject,
    how: { created: boolean; expect: Entry | undefined },
  ): StoredObject {
    const revision = this.rev + 1;
    const object = build(revision);
    const json = JSON.stringify(object);
    const createRevision = how.expect ? how.expect.createRevision : revision;
    // A key created again after a delete follows its tombstone, as kine chains revisions.
    const prev = how.expect?.revision ?? (this.lastRow.get(key) as { id: number | null } | undefined)?.id ?? 0;
    const started = performance.now();
    this.insert.run(revision, key, how.created ? 1 : 0, 0, createRevision, prev, this.codec.encode(key, json));
    this.timed(how.created ? 'create' : 'update', key, started);
    this.rev = revision;
    this.entries.set(key, { object, json, revision, createRevision });
    const ev: StoreEvent = how.expect
      ? { type: 'MODIFIED', key, revision, object, json, prevObject: how.expect.object }
      : { type: 'ADDED', key, revision, object, json };
    this.window.publish(ev);
    return object;
  }

  /** Replays events since `fromRevision` from memory, else from the log, then follows live ones. */
  watch(prefix: string, fromRevision: number, cb: WatchCallback): Watcher {
    if (fromRevision < this.compactRev) throw new CompactedError(fromRevision, this.compactRev);
    if (fromRevision < this.window.oldestReplayable) {
      for (const ev of this.history(prefix, fromRevision, this.window.oldestReplayable)) cb(ev);
      fromRevision = this.window.oldestReplayable;
    }
    return this.window.subscribe(prefix, fromRevision, cb);
  }

  /** Events after `after` up to and including `upTo`, read from the log. */
  private history(prefix: string, after: number, upTo: number): StoreEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM log WHERE id > ? AND id <= ? AND name >= ? AND name < ? ORDER BY id')
      .all(after, upTo, prefix, `${prefix}\uffff`) as Row[];
    const prevStmt = this.db.prepare('SELECT * FROM log WHERE id = ?');
    return rows.map((row) => {
      const e = this.entryOf(row);
      const type = row.deleted ? 'DELETED' : row.created ? 'ADDED' : 'MODIFIED';
      const prevRow = row.prev_revision ? (prevStmt.get(row.prev_revision) as Row | undefined) : undefined;
      const ev: StoreEvent = { type, key: row.name, revision: row.id, object: e.object, json: e.json };
      if (prevRow) ev.prevObject = this.entryOf(prevRow).object;
      return ev;
    });
  }

  rewriteStale(prefix: string, stale: (raw: Buffer | string) => boolean): Promise<number> {
    return settled(() => this.rewriteStaleNow(prefix, stale));
  }

  private rewriteStaleNow(prefix: string, stale: (raw: Buffer | string) => boolean): number {
    const rows = this.db
      .prepare(
        'SELECT l.* FROM log l JOIN (SELECT name, MAX(id) AS id FROM log WHERE name >= ? AND name < ? GROUP BY name) m ON l.id = m.id WHERE l.deleted = 0',
      )
      .all(prefix, `${prefix}\uffff`) as Row[];
    let n = 0;
    for (const row of rows) {
      if (!stale(row.value)) continue;
      const cur = this.entries.get(row.name);
      if (!cur) continue;
      this.updateNow(row.name, cur.revision, (rev) => ({
        ...cur.object,
        metadata: { ...cur.object.metadata, resourceVersion: String(rev) },
      }));
      n++;
    }
    return n;
  }

  /** Removes history at or below `target` that no longer describes a live value (superseded rows and tombstones). */
  compact(target: number): Promise<number> {
    return settled(() => this.compactNow(target));
  }

  private compactNow(target: number): number {
    const t = Math.min(target, this.rev - 1);
    if (t <= this.compactRev) return 0;
    const run = this.db.transaction(() => {
      const res = this.db
        .prepare(
          `DELETE FROM log WHERE id <= ? AND (deleted = 1 OR id < (SELECT MAX(l2.id) FROM log l2 WHERE l2.name = log.name AND l2.id <= ?))`,
        )
        .run(t, t);
      this.db
        .prepare(
          "INSERT INTO meta (key, value) VALUES ('compact', ?), ('revision', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .run(t, this.rev);
      return res.changes;
    });
    const started = performance.now();
    const removed = run();
    this.timed('compact', '/registry/compact/', started);
    this.compactRev = t;
    this.window.compacted(t);
    return removed;
  }

  close(): Promise<void> {
    this.window.closeAll();
    this.db.close();
    return Promise.resolve();
  }
}

/** The outcome of a synchronous write as a promise: its value, or its error as a rejection. */
function settled<T>(write: () => T): Promise<T> {
  try {
    return Promise.resolve(write());
  } catch (e) {
    return Promise.reject(e as Error);
  }
}
