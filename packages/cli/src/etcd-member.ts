// The etcd member `wharf up --store etcd` runs itself when no --etcd-servers are given: Debian's
// etcd, one member on loopback, its data under DIR/etcd. Its ports are chosen once and recorded
// (DIR/etcd/member.json), so a restart finds the same member. It runs as a child of `wharf up`,
// started again if it exits; one left running by a `wharf up` that was killed is adopted.
// `wharf reset` stops it and removes DIR/etcd.
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { restartWhenGone, terminate, waitFor } from './detached.js';
import { processHasArgs } from './process-check.js';
import type { StoreConfig } from './up-options.js';

const ETCD = '/usr/bin/etcd';
const ETCDCTL = '/usr/bin/etcdctl';
const run = promisify(execFile);

/** The member's record, relative to the data dir: a backup carries it, so a restore knows the member's ports. */
export const MEMBER_RECORD = join('etcd', 'member.json');

interface MemberRecord {
  readonly clientPort: number;
  readonly peerPort: number;
  pid?: number;
}

export interface EtcdMember {
  /** The member's client URL, for the API server's --etcd-servers. */
  readonly clientUrl: string;
  /** Stops supervising and stops the member. */
  stop(): Promise<void>;
}

const dirOf = (dataDir: string): string => join(dataDir, 'etcd');
const recordPath = (dataDir: string): string => join(dataDir, MEMBER_RECORD);
const urls = (r: MemberRecord) => ({
  client: `http://127.0.0.1:${r.clientPort}`,
  peer: `http://127.0.0.1:${r.peerPort}`,
});

/**
 * The store `wharf up` runs with: the one asked for, else the one the data dir holds. Switching a
 * data dir between its own etcd member and SQLite is refused: the cluster would start empty.
 */
export function chooseStore(asked: StoreConfig | undefined, dataDir: string): StoreConfig {
  const member = existsSync(recordPath(dataDir));
  if (!asked) return member ? { kind: 'etcd', servers: [] } : { kind: 'sqlite' };
  if (asked.kind === 'sqlite' && member)
    throw new Error(`${dataDir} keeps its objects in its etcd member (${dirOf(dataDir)}): start it with --store etcd`);
  if (asked.kind === 'etcd' && !asked.servers.length && !member && existsSync(join(dataDir, 'wharf.db')))
    throw new Error(`${dataDir} keeps its objects in SQLite (wharf.db): --store etcd would start an empty cluster`);
  return asked;
}

function readRecord(dataDir: string): MemberRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(dataDir), 'utf8')) as MemberRecord;
  } catch {
    return undefined;
  }
}

function writeRecord(dataDir: string, r: MemberRecord): void {
  writeFileSync(recordPath(dataDir), `${JSON.stringify(r)}\n`, { mode: 0o600 });
}

/** Whether `pid` is this data dir's etcd (its command line names the member's data dir). */
function isMember(pid: number | undefined, dataDir: string): boolean {
  return processHasArgs(pid, `--data-dir=${join(dirOf(dataDir), 'data')}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function spawnMember(dataDir: string, r: MemberRecord): number {
  const dir = dirOf(dataDir);
  const { client, peer } = urls(r);
  const out = openSync(join(dir, 'etcd.log'), 'a');
  const child = spawn(
    ETCD,
    [
      '--name=wharf',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=wharf=${peer}`,
    ],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  return child.pid ?? -1;
}

async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    return res.ok && ((await res.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/** Starts (or adopts) the data dir's member and resolves once it answers healthy. */
export async function startEtcdMember(dataDir: string, log: Logger): Promise<EtcdMember> {
  if (!existsSync(ETCD))
    throw new Error(`--store etcd without --etcd-servers needs ${ETCD} (apt-get install etcd-server)`);
  mkdirSync(dirOf(dataDir), { recursive: true, mode: 0o700 });
  const record = readRecord(dataDir) ?? { clientPort: await freePort(), peerPort: await freePort() };
  const clientUrl = `http://127.0.0.1:${record.clientPort}`;
  const ensure = async (): Promise<void> => {
    if (!isMember(record.pid, dataDir)) {
      record.pid = spawnMember(dataDir, record);
      writeRecord(dataDir, record);
    }
    let ready = false;
    const probe = async (): Promise<void> => {
      ready = await healthy(clientUrl);
    };
    await waitFor('the etcd member to answer healthy', 30_000, () => {
      if (!isMember(record.pid, dataDir)) {
        const tail = readFileSync(join(dirOf(dataDir), 'etcd.log'), 'utf8')
          .trim()
          .split('\n')
          .slice(-3)
          .join('\n  ');
        throw new Error(`etcd exited; the last lines of its log:\n  ${tail}`);
      }
      if (ready) return true;
      void probe();
      return undefined;
    });
  };
  await ensure();
  log.info({ clientUrl, pid: record.pid }, 'etcd member serving');
  const stopWatching = restartWhenGone(
    2_000,
    () => !isMember(record.pid, dataDir),
    () => {
      log.warn('the etcd member is gone: starting it again');
      return ensure();
    },
    (e) => log.error({ err: e }, 'starting the etcd member again failed'),
  );
  return {
    clientUrl,
    stop: async () => {
      stopWatching();
      const pid = record.pid;
      if (pid) await terminate(pid, () => isMember(pid, dataDir));
    },
  };
}

/** `wharf reset`: stops the data dir's member if it runs and removes its data. Answers whether there was one. */
export async function resetEtcdMember(dataDir: string): Promise<boolean> {
  const r = readRecord(dataDir);
  if (!r) return false;
  const pid = r.pid;
  if (pid) await terminate(pid, () => isMember(pid, dataDir));
  rmSync(dirOf(dataDir), { recursive: true, force: true });
  return true;
}

/** Whether the data dir keeps its objects in an etcd member of its own (`wharf up --store etcd`). */
export function hasEtcdMember(dataDir: string): boolean {
  return existsSync(recordPath(dataDir));
}

/** The client URL of the data dir's member, when it has one. */
export function etcdMemberClientUrl(dataDir: string): string | undefined {
  const r = readRecord(dataDir);
  return r ? urls(r).client : undefined;
}

/** `wharf cluster backup`: a consistent snapshot of the running member (etcd's own), written to `file`. */
export async function snapshotEtcdMember(dataDir: string, file: string): Promise<void> {
  const r = readRecord(dataDir);
  if (!r || !isMember(r.pid, dataDir))
    throw new Error(`the etcd member of ${dataDir} is not running: start the cluster, then back it up`);
  await run(ETCDCTL, ['--endpoints', urls(r).client, 'snapshot', 'save', file], {
    env: { ...process.env, ETCDCTL_API: '3' },
    timeout: 300_000,
  });
}

/** Stops the data dir's member if it runs (one adopted from a killed `wharf up` outlives it), keeping its data. */
export async function stopEtcdMember(dataDir: string): Promise<void> {
  const pid = readRecord(dataDir)?.pid;
  if (pid) await terminate(pid, () => isMember(pid, dataDir));
}

/**
 * `wharf cluster restore`: the member's data made again from `snapshot` (`etcdctl snapshot restore`, as one
 * member named and reached as before, per the record the backup carried). The member must be stopped
 * (stopEtcdMember), as `wharf up` must.
 */
export async function restoreEtcdMember(dataDir: string, snapshot: string): Promise<void> {
  const r = readRecord(dataDir);
  if (!r) throw new Error(`${dataDir} has no etcd member record (${recordPath(dataDir)})`);
  const data = join(dirOf(dataDir), 'data');
  const restored = `${data}.restored`;
  rmSync(restored, { recursive: true, force: true });
  const { peer } = urls(r);
  await run(
    ETCDCTL,
    [
      'snapshot',
      'restore',
      snapshot,
      `--data-dir=${restored}`,
      '--name=wharf',
      `--initial-cluster=wharf=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
    ],
    { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 300_000 },
  );
  rmSync(data, { recursive: true, force: true });
  renameSync(restored, data);
}
