// Work on a store file from outside the API server that owns it, as etcdctl does on etcd: a
// consistent snapshot while the server runs, and the apiVersion each stored object was written
// in (what the API cannot show: every read converts to the version asked for), on SQLite or etcd.
import Database from 'better-sqlite3';
import { Etcd3 } from 'etcd3';
import { etcdKeyOf } from './etcd-store.js';
import { resourcePrefix } from './keys.js';

/**
 * Writes a consistent copy of the store at `dbPath` to `outPath` (SQLite's VACUUM INTO: one read
 * transaction, so the copy is one revision of the store even while the server writes).
 */
export function snapshotStore(dbPath: string, outPath: string): void {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.prepare('VACUUM INTO ?').run(outPath);
  } finally {
    db.close();
  }
}

/** A live object as stored: its key and the apiVersion it was written in. */
export interface StoredVersion {
  readonly key: string;
  readonly apiVersion: string;
}

/** The live objects of group/resource with the apiVersion each is stored in (plain-text resources only). */
export function storedVersions(dbPath: string, group: string, resource: string): StoredVersion[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const prefix = resourcePrefix(group, resource);
    const rows = db
      .prepare(
        `SELECT l.name AS name, l.value AS value FROM log l JOIN (SELECT name, MAX(id) AS id FROM log WHERE name >= ? AND name < ? GROUP BY name) m
       ON l.id = m.id WHERE l.deleted = 0`,
      )
      .all(prefix, `${prefix}\uffff`) as { name: string; value: Buffer | string }[];
    return rows.map((r) => ({ key: r.name, apiVersion: apiVersionOf(r.value) }));
  } finally {
    db.close();
  }
}

/** storedVersions on etcd (`wharf up --store etcd`): the keys as the etcd store lays them out. */
export async function storedVersionsOnEtcd(
  endpoints: readonly string[],
  group: string,
  resource: string,
): Promise<StoredVersion[]> {
  const client = new Etcd3({ hosts: [...endpoints], dialTimeout: 5_000 });
  try {
    const kvs = await client
      .getAll()
      .prefix(etcdKeyOf(resourcePrefix(group, resource)))
      .buffers();
    return Object.entries(kvs).map(([key, value]) => ({ key, apiVersion: apiVersionOf(value) }));
  } finally {
    client.close();
  }
}

function apiVersionOf(value: Buffer | string): string {
  try {
    const text = typeof value === 'string' ? value : value.toString('utf8');
    return String((JSON.parse(text) as { apiVersion?: unknown }).apiVersion ?? '');
  } catch {
    // An encrypted value is not JSON: its version cannot be told here.
    return '';
  }
}
