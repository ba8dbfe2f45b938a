// The etcd members `wharf up --store etcd` runs itself when no --etcd-servers are given: Debian's
// etcd on loopback, one member under DIR/etcd, or with --control-plane-members 3 a cluster of three
// under DIR/etcd-0..2. Each member's ports are chosen once and recorded (its member.json), so a
// restart finds the same member. They run as children of `wharf up`, each started again if it
// exits; one left running by a `wharf up` that was killed is adopted. `wharf reset` stops them and
// removes their directories.
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { restartWhenGone, terminate, waitFor } from './detached.js';
import { processHasArgs } from './process-check.js';
import type { StoreConfig } from './up-options.js';
import type { MemberState } from './cluster/validate.js';
import { readRecordFile, writeRecordFile } from './json-record.js';

const ETCD = '/usr/bin/etcd';
const ETCDCTL = '/usr/bin/etcdctl';
const run = promisify(execFile);
/**
 * How long a member of three may take to stop before SIGKILL: stopped together, the leader tries to
 * hand its leadership to a member that is stopping too and waits 7 s for it. etcd's WAL makes a kill
 * safe (the member-loss e2e and benchmark kill leaders all the time).
 */
const CLUSTER_STOP_GRACE_MS = 2_000;

/** The single member's record, relative to the data dir. */
const MEMBER_RECORD = join('etcd', 'member.json');

/** Where one member lives and the name it has in its cluster. */
interface MemberSlot {
  readonly dir: string;
  readonly name: string;
}

/** The members of a data dir's etcd: one (DIR/etcd, as before there were three) or three (DIR/etcd-0..2). */
function slotsOf(dataDir: string, count: number): MemberSlot[] {
  if (count === 1) return [{ dir: join(dataDir, 'etcd'), name: 'wharf' }];
  return Array.from({ length: count }, (_, i) => ({ dir: join(dataDir, `etcd-${i}`), name: `wharf-${i}` }));
}

/** How many members the data dir's own etcd has: 0 (none), 1 or 3. */
export function etcdMemberCount(dataDir: string): number {
  if (existsSync(join(dataDir, 'etcd-0', 'member.json'))) return 3;
  return existsSync(join(dataDir, MEMBER_RECORD)) ? 1 : 0;
}

interface MemberRecord {
  readonly clientPort: number;
  readonly peerPort: number;
  pid?: number;
}

export interface EtcdMember {
  /** The first member's client URL. */
  readonly clientUrl: string;
  /** Every member's client URL, for the API servers' --etcd-servers. */
  readonly clientUrls: readonly string[];
  /** Stops supervising and stops the members. */
  stop(): Promise<void>;
}

const SINGLE = (dataDir: string): MemberSlot => slotsOf(dataDir, 1)[0] as MemberSlot;
const dirOf = (dataDir: string): string => SINGLE(dataDir).dir;
const recordPath = (dataDir: string): string => join(dataDir, MEMBER_RECORD);
const slotRecordPath = (slot: MemberSlot): string => join(slot.dir, 'member.json');
const urls = (r: MemberRecord) => ({
  client: `http://127.0.0.1:${r.clientPort}`,
  peer: `http://127.0.0.1:${r.peerPort}`,
});

/**
 * The store `wharf up` runs with: the one asked for, else the one the data dir holds. Switching a
 * data dir between its own etcd member and SQLite is refused: the cluster would start empty.
 */
export function chooseStore(asked: StoreConfig | undefined, dataDir: string): StoreConfig {
  const member = etcdMemberCount(dataDir) > 0;
  if (!asked) return member ? { kind: 'etcd', servers: [] } : { kind: 'sqlite' };
  if (asked.kind === 'sqlite' && member)
    throw new Error(`${dataDir} keeps its objects in its etcd member (${dirOf(dataDir)}): start it with --store etcd`);
  if (asked.kind === 'etcd' && !asked.servers.length && !member && existsSync(join(dataDir, 'wharf.db')))
    throw new Error(`${dataDir} keeps its objects in SQLite (wharf.db): --store etcd would start an empty cluster`);
  return asked;
}

const readSlotRecord = (slot: MemberSlot): MemberRecord | undefined =>
  readRecordFile<MemberRecord>(slotRecordPath(slot));

const writeRecord = (slot: MemberSlot, r: MemberRecord): void => writeRecordFile(slotRecordPath(slot), r);

/** Whether `pid` is the slot's etcd (its command line names the member's data dir). */
function isSlotMember(pid: number | undefined, slot: MemberSlot): boolean {
  return processHasArgs(pid, `--data-dir=${join(slot.dir, 'data')}`);
}

/** A loopback port free now, for a port chosen once and recorded. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** etcd's --initial-cluster for the slots: read only when a member's data dir is still empty. */
const initialCluster = (slots: readonly MemberSlot[], records: readonly MemberRecord[]): string =>
  slots.map((s, i) => `${s.name}=${urls(records[i] as MemberRecord).peer}`).join(',');

function spawnMember(slot: MemberSlot, r: MemberRecord, cluster: string, joining = false): number {
  const { client, peer } = urls(r);
  mkdirSync(slot.dir, { recursive: true, mode: 0o700 });
  const out = openSync(join(slot.dir, 'etcd.log'), 'a');
  const child = spawn(
    ETCD,
    [
      `--name=${slot.name}`,
      `--data-dir=${join(slot.dir, 'data')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${cluster}`,
      // A member that lost its data joins the running cluster as the new member `replaceMember` added.
      ...(joining ? ['--initial-cluster-state=existing'] : []),
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

const hasData = (slot: MemberSlot): boolean => existsSync(join(slot.dir, 'data'));

/**
 * A member whose data dir is lost cannot start again as itself: the others know it by an ID its
 * empty dir no longer holds. As `etcdctl member remove` + `member add` by hand: asked of the other
 * members, the old member goes and one of the same name and peer URL is added, which the caller
 * then starts to join the running cluster (and fetch a snapshot from its leader).
 */
async function replaceMember(slot: MemberSlot, record: MemberRecord, others: readonly string[]): Promise<void> {
  const ctl = (...args: string[]) =>
    run(ETCDCTL, [`--endpoints=${others.join(',')}`, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      timeout: 30_000,
    });
  // `-w simple` lines: ID (hex), status, name, peer URLs, client URLs, is learner.
  const { stdout } = await ctl('member', 'list');
  const peer = urls(record).peer;
  const old = stdout
    .split('\n')
    .map((l) => l.split(', '))
    .find((f) => f[2] === slot.name || f[3] === peer);
  if (old?.[0]) await ctl('member', 'remove', old[0]);
  await ctl('member', 'add', slot.name, `--peer-urls=${peer}`);
}

/** The last lines of a member's log, for the error that it exited. */
function logTail(slot: MemberSlot): string {
  return readFileSync(join(slot.dir, 'etcd.log'), 'utf8').trim().split('\n').slice(-3).join('\n  ');
}

/** Resolves once the slot's member answers healthy (with three, once a quorum has formed); throws if it exits. */
async function untilHealthy(slot: MemberSlot, record: MemberRecord): Promise<void> {
  let ready = false;
  const probe = async (): Promise<void> => {
    ready = await healthy(urls(record).client);
  };
  await waitFor(`etcd member ${slot.name} to answer healthy`, 30_000, () => {
    if (!isSlotMember(record.pid, slot)) throw new Error(`etcd exited; the last lines of its log:\n  ${logTail(slot)}`);
    if (ready) return true;
    void probe();
    return undefined;
  });
}

/** Starts (or adopts) the data dir's single member and resolves once it answers healthy. */
export function startEtcdMember(dataDir: string, log: Logger): Promise<EtcdMember> {
  return startEtcdMembers(dataDir, 1, log);
}

/**
 * Starts (or adopts) the data dir's `count` members (1 or 3) and resolves once each answers
 * healthy; each is started again while `wharf up` runs if it exits.
 */
export async function startEtcdMembers(dataDir: string, count: number, log: Logger): Promise<EtcdMember> {
  if (!existsSync(ETCD))
    throw new Error(`--store etcd without --etcd-servers needs ${ETCD} (apt-get install etcd-server)`);
  const slots = slotsOf(dataDir, count);
  const records: MemberRecord[] = [];
  for (const slot of slots) {
    mkdirSync(slot.dir, { recursive: true, mode: 0o700 });
    records.push(readSlotRecord(slot) ?? { clientPort: await freePort(), peerPort: await freePort() });
  }
  const cluster = initialCluster(slots, records);
  // Whether the cluster was ever formed: then a member without data has lost it (else it is being made).
  let formed = slots.some(hasData);
  const spawnIfGone = async (i: number): Promise<void> => {
    const [slot, record] = [slots[i] as MemberSlot, records[i] as MemberRecord];
    if (isSlotMember(record.pid, slot)) return;
    const lost = count > 1 && formed && !hasData(slot);
    if (lost) {
      // Removing and adding a member needs the others' quorum.
      await Promise.all(slots.map((s, j) => (j === i ? undefined : untilHealthy(s, records[j] as MemberRecord))));
      log.warn({ member: slot.name }, 'the etcd member lost its data: replacing it (member remove, member add)');
      await replaceMember(
        slot,
        record,
        records.filter((r) => r !== record).map((r) => urls(r).client),
      );
    }
    record.pid = spawnMember(slot, record, cluster, lost);
    writeRecord(slot, record);
  };
  // Every member first (those with data before one that lost it): a member of three answers
  // healthy only once a quorum has formed.
  const order = slots
    .map((_, i) => i)
    .sort((a, b) => Number(hasData(slots[b] as MemberSlot)) - Number(hasData(slots[a] as MemberSlot)));
  for (const i of order) await spawnIfGone(i);
  await Promise.all(slots.map((slot, i) => untilHealthy(slot, records[i] as MemberRecord)));
  formed = true;
  const clientUrls = records.map((r) => urls(r).client);
  log.info({ clientUrls, pids: records.map((r) => r.pid) }, `etcd serving (${count} member(s))`);
  const stops = slots.map((slot, i) =>
    restartWhenGone(
      2_000,
      () => !isSlotMember(records[i]?.pid, slot),
      () => {
        log.warn({ member: slot.name }, 'an etcd member is gone: starting it again');
        return spawnIfGone(i)
          .then(() => untilHealthy(slot, records[i] as MemberRecord))
          .then(() => log.info({ member: slot.name }, 'the etcd member is healthy again'));
      },
      (e) => log.error({ err: e, member: slot.name }, 'starting the etcd member again failed'),
    ),
  );
  return {
    clientUrl: clientUrls[0] as string,
    clientUrls,
    stop: async () => {
      for (const s of stops) s();
      await Promise.all(
        slots.map((slot, i) => {
          const pid = records[i]?.pid;
          return pid
            ? terminate(pid, () => isSlotMember(pid, slot), count > 1 ? CLUSTER_STOP_GRACE_MS : undefined)
            : undefined;
        }),
      );
    },
  };
}

/** The data dir's own members and whether each answers healthy (none when it runs no etcd of its own). */
export async function etcdMembersHealth(dataDir: string): Promise<MemberState[]> {
  const slots = slotsOf(dataDir, etcdMemberCount(dataDir) || 1);
  const found = slots.flatMap((slot) => {
    const r = readSlotRecord(slot);
    return r ? [{ name: `etcd ${slot.name}`, url: urls(r).client }] : [];
  });
  return Promise.all(found.map(async (m) => ({ ...m, healthy: await healthy(m.url) })));
}

/** `wharf reset`: stops the data dir's member if it runs and removes its data. Answers whether there was one. */
export async function resetEtcdMember(dataDir: string): Promise<boolean> {
  const count = etcdMemberCount(dataDir);
  if (!count) return false;
  await Promise.all(
    slotsOf(dataDir, count).map(async (slot) => {
      const pid = readSlotRecord(slot)?.pid;
      if (pid) await terminate(pid, () => isSlotMember(pid, slot));
      rmSync(slot.dir, { recursive: true, force: true });
    }),
  );
  return true;
}

/** Whether the data dir keeps its objects in etcd members of its own (`wharf up --store etcd`). */
export function hasEtcdMember(dataDir: string): boolean {
  return etcdMemberCount(dataDir) > 0;
}

/** The slots of the data dir's own members with their records (none without members). */
function recordedSlots(dataDir: string): { slot: MemberSlot; record: MemberRecord }[] {
  const count = etcdMemberCount(dataDir);
  return count
    ? slotsOf(dataDir, count).flatMap((slot) => {
        const record = readSlotRecord(slot);
        return record ? [{ slot, record }] : [];
      })
    : [];
}

/** The member records of the data dir, relative to it (a backup carries them: they name the members' ports). */
export function memberRecordFiles(dataDir: string): string[] {
  const count = etcdMemberCount(dataDir);
  return count ? slotsOf(dataDir, count).map((s) => join(s.dir.slice(dataDir.length + 1), 'member.json')) : [];
}

/** The client URL of the data dir's first member, when it has any. */
export function etcdMemberClientUrl(dataDir: string): string | undefined {
  const first = recordedSlots(dataDir)[0];
  return first ? urls(first.record).client : undefined;
}

/** `wharf cluster backup`: a consistent snapshot of a running member (etcd's own), written to `file`. */
export async function snapshotEtcdMember(dataDir: string, file: string): Promise<void> {
  const running = recordedSlots(dataDir).find(({ slot, record }) => isSlotMember(record.pid, slot));
  if (!running) throw new Error(`the etcd member of ${dataDir} is not running: start the cluster, then back it up`);
  await run(ETCDCTL, ['--endpoints', urls(running.record).client, 'snapshot', 'save', file], {
    env: { ...process.env, ETCDCTL_API: '3' },
    timeout: 300_000,
  });
}

/** Stops the data dir's members if they run (ones adopted from a killed `wharf up` outlive it), keeping their data. */
export async function stopEtcdMember(dataDir: string): Promise<void> {
  await Promise.all(
    recordedSlots(dataDir).map(({ slot, record }) => {
      const pid = record.pid;
      return pid ? terminate(pid, () => isSlotMember(pid, slot)) : undefined;
    }),
  );
}

/**
 * `wharf cluster restore`: each member's data made again from `snapshot` (`etcdctl snapshot restore`, as
 * the same members named and reached as before, per the records the backup carried). The members must be
 * stopped (stopEtcdMember), as `wharf up` must.
 */
export async function restoreEtcdMember(dataDir: string, snapshot: string): Promise<void> {
  const members = recordedSlots(dataDir);
  if (!members.length) throw new Error(`${dataDir} has no etcd member record (${recordPath(dataDir)})`);
  const cluster = initialCluster(
    members.map((m) => m.slot),
    members.map((m) => m.record),
  );
  for (const { slot, record } of members) {
    const data = join(slot.dir, 'data');
    const restored = `${data}.restored`;
    rmSync(restored, { recursive: true, force: true });
    const { peer } = urls(record);
    await run(
      ETCDCTL,
      [
        'snapshot',
        'restore',
        snapshot,
        `--data-dir=${restored}`,
        `--name=${slot.name}`,
        `--initial-cluster=${cluster}`,
        `--initial-advertise-peer-urls=${peer}`,
      ],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 300_000 },
    );
    rmSync(data, { recursive: true, force: true });
    renameSync(restored, data);
  }
}
