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

/** A resource as the store keys it. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/** The live objects of each resource with the apiVersion each is stored in (plain-text resources only). */
export function storedVersions(dbPath: string, resources: readonly GroupResource[]): StoredVersion[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const latest = db.prepare(
      `SELECT l.name AS name, l.value AS value FROM log l JOIN (SELECT name, MAX(id) AS id FROM log WHERE name >= ? AND name < ? GROUP BY name) m
       ON l.id = m.id WHERE l.deleted = 0`,
    );
    return resources.flatMap((r) => {
      const prefix = resourcePrefix(r.group, r.resource);
      const rows = latest.all(prefix, `${prefix}\uffff`) as { name: string; value: Buffer | string }[];
      return rows.map((row) => ({ key: row.name, apiVersion: apiVersionOf(row.value) }));
    });
  } finally {
    db.close();
  }
}

/** storedVersions on etcd (`wharf up --store etcd`): the keys as the etcd store lays them out; one client for all. */
export async function storedVersionsOnEtcd(
  endpoints: readonly string[],
  resources: readonly GroupResource[],
): Promise<StoredVersion[]> {
  const client = new Etcd3({ hosts: [...endpoints], dialTimeout: 5_000 });
  try {
    const each = await Promise.all(
      resources.map((r) =>
        client
          .getAll()
          .prefix(etcdKeyOf(resourcePrefix(r.group, r.resource)))
          .buffers(),
      ),
    );
    return each.flatMap((kvs) => Object.entries(kvs).map(([key, value]) => ({ key, apiVersion: apiVersionOf(value) })));
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
