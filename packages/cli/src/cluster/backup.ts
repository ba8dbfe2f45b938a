// `wharf cluster backup|restore`: one .tar.gz holding a consistent snapshot of the store (taken
// while the cluster runs: SQLite's online backup, or etcd's own snapshot of the member `wharf up
// --store etcd` runs), what decrypts and trusts it (encryption keys, PKI, tokens, the version
// the data dir runs), the registry's blobs and the nodes' local volumes. A restore puts them back
// into the data dir while the cluster's wharf up is stopped. Every backup is listed in the state
// store (DIR/<name>/backups.json), where the upgrade preflight looks for a recent one.
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { snapshotStore } from '@wharf/apiserver';
import {
  hasEtcdMember,
  memberRecordFiles,
  restoreEtcdMember,
  snapshotEtcdMember,
  stopEtcdMember,
} from '../etcd-member.js';
import { CliError } from '../kube/errors.js';
import type { ClusterSpec } from './spec.js';
import { stateDir, type StateOptions } from './lifecycle.js';

const run = promisify(execFile);

/** What a backup holds besides the store snapshot, relative to the data dir. */
const DATA_FILES = [
  'encryption-keys.json',
  'tokens.csv',
  'kubernetes-version',
  'pki',
  'registry',
  // A control plane of three: its API servers' ports.
  'control-plane.json',
];
const STORE = 'wharf.db';
/** The etcd member's snapshot (`etcdctl snapshot save`), in place of STORE. */
const ETCD_SNAPSHOT = 'etcd.snapshot';
const MANIFEST = 'backup.json';

export interface BackupEntry {
  readonly file: string;
  /** ms since the epoch. */
  readonly at: number;
  /** The Kubernetes version the cluster ran. */
  readonly version: string;
}

const listPath = (o: StateOptions, name: string): string => join(stateDir(o), name, 'backups.json');

/** The cluster's backups, newest last (only those whose file still exists). */
export function listBackups(o: StateOptions, name: string): BackupEntry[] {
  try {
    return (JSON.parse(readFileSync(listPath(o, name), 'utf8')) as BackupEntry[]).filter((b) => existsSync(b.file));
  } catch {
    return [];
  }
}

/** The nodes' local volume dirs that exist (DATA_DIR/nodes/<node>/volumes). */
function volumeDirs(dataDir: string): string[] {
  const nodes = join(dataDir, 'nodes');
  if (!existsSync(nodes)) return [];
  return readdirSync(nodes)
    .map((n) => join('nodes', n, 'volumes'))
    .filter((d) => existsSync(join(dataDir, d)));
}

/**
 * Writes a backup of `spec`'s data dir to `out` (default: the state store's backups dir) and lists
 * it; the cluster may be running. Answers the entry.
 */
export async function backupCluster(
  o: StateOptions,
  spec: ClusterSpec,
  version: string,
  out?: string,
): Promise<BackupEntry> {
  const etcd = hasEtcdMember(spec.dataDir);
  const db = join(spec.dataDir, STORE);
  if (!etcd && spec.controlPlane.store === 'etcd')
    throw new CliError(
      `${spec.dataDir} has no etcd member of its own: back up external etcd servers with \`etcdctl snapshot save\``,
    );
  if (!etcd && !existsSync(db)) throw new CliError(`no store in ${spec.dataDir} (has the cluster ever started?)`);
  const at = Date.now();
  const file = resolve(
    out ??
      join(
        stateDir(o),
        spec.name,
        'backups',
        `${spec.name}-${new Date(at).toISOString().replace(/[:.]/g, '-')}.tar.gz`,
      ),
  );
  mkdirSync(dirname(file), { recursive: true });
  const stage = mkdtempSync(join(dirname(file), '.backup-'));
  try {
    const snapshot = etcd ? ETCD_SNAPSHOT : STORE;
    if (etcd) await snapshotEtcdMember(spec.dataDir, join(stage, ETCD_SNAPSHOT));
    else snapshotStore(db, join(stage, STORE));
    const data = [
      ...DATA_FILES.filter((f) => existsSync(join(spec.dataDir, f))),
      ...memberRecordFiles(spec.dataDir),
      ...volumeDirs(spec.dataDir),
    ];
    const store = etcd ? 'etcd' : 'sqlite';
    writeFileSync(
      join(stage, MANIFEST),
      `${JSON.stringify({ cluster: spec.name, version, at: new Date(at).toISOString(), store, data }, null, 2)}\n`,
    );
    // Written beside, then renamed: a backup file that exists is a whole one.
    await run('tar', ['-czf', `${file}.part`, '-C', stage, snapshot, MANIFEST, '-C', spec.dataDir, ...data]);
    renameSync(`${file}.part`, file);
  } catch (e) {
    rmSync(`${file}.part`, { force: true });
    throw e instanceof CliError
      ? e
      : new CliError(`backup of ${spec.name} failed: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  const entry = { file, at, version };
  writeFileSync(listPath(o, spec.name), `${JSON.stringify([...listBackups(o, spec.name), entry], null, 2)}\n`);
  return entry;
}

/** What a backup file says about itself. */
export interface BackupManifest {
  readonly cluster: string;
  readonly version: string;
  readonly at: string;
  /** Where the objects were kept; absent in backups of older Wharfs, which had SQLite only. */
  readonly store?: 'sqlite' | 'etcd';
  readonly data: string[];
}

export async function readManifest(file: string): Promise<BackupManifest> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`no backup file ${file}`);
  try {
    const { stdout } = await run('tar', ['-xzOf', file, MANIFEST], { maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as BackupManifest;
  } catch {
    throw new CliError(`${file} is not a wharf cluster backup (no ${MANIFEST} inside)`);
  }
}

/**
 * Puts a backup back into `dataDir`, whose wharf up must be stopped: the store (SQLite's file with
 * its WAL files removed, so the snapshot is what opens; or the etcd member's data made again from
 * its snapshot), keys, PKI, version, registry and volumes as they were.
 */
export async function restoreInto(dataDir: string, file: string): Promise<void> {
  const manifest = await readManifest(file);
  mkdirSync(dataDir, { recursive: true });
  const stage = mkdtempSync(join(dataDir, '.restore-'));
  try {
    await run('tar', ['-xzf', file, '-C', stage]);
    if (manifest.store === 'etcd') await stopEtcdMember(dataDir);
    else {
      for (const f of [STORE, `${STORE}-wal`, `${STORE}-shm`]) rmSync(join(dataDir, f), { force: true });
      renameSync(join(stage, STORE), join(dataDir, STORE));
    }
    // Volumes of nodes the backup has replace those dirs; the rest of the data dir is kept.
    for (const d of manifest.data) {
      rmSync(join(dataDir, d), { recursive: true, force: true });
      mkdirSync(dirname(join(dataDir, d)), { recursive: true });
      renameSync(join(stage, d), join(dataDir, d));
    }
    // After the member's record is back: it names the member's ports.
    if (manifest.store === 'etcd') await restoreEtcdMember(dataDir, join(stage, ETCD_SNAPSHOT));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
