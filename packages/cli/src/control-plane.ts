// `wharf up --control-plane-members 3`: three API servers on the data dir's etcd cluster, behind
// one address. `wharf up` serves member 0 itself and supervises members 1 and 2, each a
// `wharf apiserver` process on the same data dir (so the same PKI, service-account keys, tokens and
// encryption keys) with its own loopback port; each also runs the controller manager and scheduler,
// which their Lease election lets lead in one process at a time. Clients reach all three through
// the balancer on --api-port (api-balancer.ts). DIR/control-plane.json records the ports (chosen
// once) and the members' pids, so a `wharf up` after a crash of its own adopts the members still running.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { readyz, stopBalancer } from './api-balancer.js';
import { etcdMemberCount, resetEtcdMember } from './etcd-member.js';
import { readRecordFile, writeRecordFile } from './json-record.js';
import { restartWhenGone, terminate, waitFor, WHARF_CLI } from './detached.js';
import { processHasArgs } from './process-check.js';
import type { StoreConfig } from './up-options.js';
import type { MemberState } from './cluster/validate.js';

/** DIR/control-plane.json. */
export interface ControlPlaneRecord {
  readonly members: number;
  /** The balancer's port: the one address clients use (--api-port). */
  readonly port: number;
  /** Each API server's own loopback port, member 0 first. */
  readonly apiPorts: readonly number[];
  /** The pids of the `wharf apiserver` members (1 and 2) `wharf up` runs. */
  pids: Record<string, number>;
}

/** What a `wharf apiserver` member runs with, handed over in its environment (the agent token is not for argv). */
export interface MemberSpec {
  readonly port: number;
  readonly publicPort: number;
  readonly etcdServers: readonly string[];
  readonly agentToken: string;
  /** Where pods reach this host: the member serves there on its port too and joins the `kubernetes` Service. */
  readonly podAddress?: string;
  /** The API server's flags of `wharf up` (tuning, OIDC, LDAP, audit), as ApiServerOptions: plain data. */
  readonly apiServer: Record<string, unknown>;
  /** The controller manager's options of `wharf up`, as ControllerManagerOptions minus the client and logger. */
  readonly controllers: Record<string, unknown>;
}

export const MEMBER_SPEC_ENV = 'WHARF_APISERVER_MEMBER';

const recordPath = (dataDir: string): string => join(dataDir, 'control-plane.json');

export const readControlPlane = (dataDir: string): ControlPlaneRecord | undefined =>
  readRecordFile<ControlPlaneRecord>(recordPath(dataDir));

const writeControlPlane = (dataDir: string, r: ControlPlaneRecord): void => writeRecordFile(recordPath(dataDir), r);

/** How many API servers a data dir without a record ran: 3 with three etcd members of its own (a restore), else 1. */
function ranBefore(dataDir: string): number | undefined {
  if (etcdMemberCount(dataDir) === 3) return 3;
  return existsSync(join(dataDir, 'pki')) ? 1 : undefined;
}

/**
 * How many API servers `wharf up` runs: the number asked for (1 or 3), else as the data dir last
 * ran. Three need etcd (SQLite is one process's file); a data dir keeps the count it started with.
 */
export function chooseMembers(asked: number | undefined, store: StoreConfig, dataDir: string): number {
  const ran = readControlPlane(dataDir)?.members ?? ranBefore(dataDir);
  const members = asked ?? ran ?? 1;
  if (members !== 1 && members !== 3) throw new Error(`--control-plane-members must be 1 or 3, got ${members}`);
  if (members === 3 && store.kind !== 'etcd')
    throw new Error('--control-plane-members 3 needs --store etcd: SQLite is a file of one process');
  if (ran !== undefined && members !== ran)
    throw new Error(
      `${dataDir} runs ${ran} API server(s): the count is chosen when a cluster is made (use a new data dir, or \`wharf reset\` and remove this one: reset keeps the data)`,
    );
  return members;
}

/** The data dir's control-plane record, made with `members` free ports the first time. */
export async function planControlPlane(
  dataDir: string,
  port: number,
  freePort: () => Promise<number>,
): Promise<ControlPlaneRecord> {
  const found = readControlPlane(dataDir);
  const apiPorts = found?.apiPorts ?? [await freePort(), await freePort(), await freePort()];
  const record = { members: 3, port: port || (found?.port ?? (await freePort())), apiPorts, pids: found?.pids ?? {} };
  writeControlPlane(dataDir, record);
  return record;
}

/**
 * A secret the three API servers must share, kept in DIR/`name` (made once): members 1 and 2 outlive
 * a restart of `wharf up` with what they started with. The agent token (DIR/agent-token): an agent
 * checks a caller's token with a TokenReview that any member may answer. The console's LDAP proof
 * (DIR/console-ldap-proof): the console signs in through whichever member the balancer picks.
 */
export function sharedSecret(dataDir: string, name: 'agent-token' | 'console-ldap-proof'): string {
  const file = join(dataDir, name);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Whether `pid` is member `i` of this data dir. */
const isMemberProcess = (pid: number | undefined, dataDir: string, i: number): boolean =>
  processHasArgs(pid, 'apiserver', dataDir, `--member=${i}`);

function spawnMember(dataDir: string, i: number, spec: MemberSpec): number {
  const out = openSync(join(dataDir, `apiserver-${i}.log`), 'a');
  // A process group of its own: Ctrl-C on `wharf up` reaches only `wharf up`, which stops the members in order.
  const child = spawn(process.execPath, [WHARF_CLI, 'apiserver', '--data-dir', dataDir, `--member=${i}`], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, [MEMBER_SPEC_ENV]: JSON.stringify(spec) },
  });
  closeSync(out);
  child.unref();
  return child.pid ?? -1;
}

async function untilReady(dataDir: string, i: number, pid: number, port: number, ca: string): Promise<void> {
  let ready = false;
  const probe = async (): Promise<void> => {
    ready = await readyz(port, ca);
  };
  await waitFor(`API server member ${i} to answer /readyz`, 120_000, () => {
    if (!isMemberProcess(pid, dataDir, i)) {
      const log = join(dataDir, `apiserver-${i}.log`);
      const tail = readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n  ');
      throw new Error(`API server member ${i} exited; the last lines of ${log}:\n  ${tail}`);
    }
    if (ready) return true;
    void probe();
    return undefined;
  });
}

export interface ApiMembers {
  /**
   * Stops member `i` (1 or 2) and starts it again, resolving once it answers /readyz: how an
   * upgrade moves it to the version the data dir is pinned to, while the other two serve.
   */
  restart(i: number): Promise<void>;
  /** Stops supervising and stops members 1 and 2. */
  stop(): Promise<void>;
}

/**
 * Starts (or adopts) members 1 and 2, resolves once both answer /readyz, and starts each again
 * while `wharf up` runs if it exits (a member adopted from an earlier start keeps its spec).
 */
export async function startApiMembers(
  dataDir: string,
  record: ControlPlaneRecord,
  spec: (i: number) => MemberSpec,
  log: Logger,
): Promise<ApiMembers> {
  const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  const members = [1, 2];
  // One start of a member at a time: a restart asked for and the supervisor may both see it gone.
  const starting = new Map<number, Promise<void>>();
  const ensure = (i: number): Promise<void> => {
    const running = starting.get(i);
    if (running) return running;
    if (!isMemberProcess(record.pids[i], dataDir, i)) {
      record.pids[i] = spawnMember(dataDir, i, spec(i));
      writeControlPlane(dataDir, record);
    }
    const ready = untilReady(dataDir, i, record.pids[i] as number, record.apiPorts[i] as number, ca).finally(() =>
      starting.delete(i),
    );
    starting.set(i, ready);
    return ready;
  };
  await Promise.all(members.map(ensure));
  log.info({ pids: record.pids, ports: record.apiPorts }, 'API server members 1 and 2 serving');
  const stops = members.map((i) =>
    restartWhenGone(
      1_000,
      () => !isMemberProcess(record.pids[i], dataDir, i),
      () => {
        log.warn({ member: i }, 'an API server member is gone: starting it again');
        return ensure(i).then(() => log.info({ member: i, pid: record.pids[i] }, 'the API server member serves again'));
      },
      (e) => log.error({ err: e, member: i }, 'starting the API server member again failed'),
    ),
  );
  // SIGTERM drains the member first (the balancer moves its connections to the other two); SIGINT, when
  // the whole control plane stops, does not: there is no other member to move them to.
  const stopMember = (i: number, signal: NodeJS.Signals): Promise<unknown> => {
    const pid = record.pids[i];
    return pid ? terminate(pid, () => isMemberProcess(pid, dataDir, i), undefined, signal) : Promise.resolve();
  };
  return {
    restart: async (i) => {
      if (!members.includes(i)) throw new Error(`API server member ${i} is not one wharf up runs as a process`);
      await stopMember(i, 'SIGTERM');
      await ensure(i);
    },
    stop: async () => {
      for (const s of stops) s();
      await Promise.all(members.map((i) => stopMember(i, 'SIGINT')));
    },
  };
}

/**
 * `wharf reset` and an upgrade's rollback: stops members 1 and 2 if they run (a `wharf up` killed
 * leaves them) and removes the record, as the etcd members' data goes too (a rollback restores it).
 */
export async function resetApiMembers(dataDir: string): Promise<void> {
  const r = readControlPlane(dataDir);
  if (!r) return;
  await Promise.all(
    Object.entries(r.pids).map(([i, pid]) => terminate(pid, () => isMemberProcess(pid, dataDir, Number(i)))),
  );
  rmSync(recordPath(dataDir), { force: true });
}

/**
 * `wharf reset` and `wharf cluster delete`: members 1 and 2, the balancer and the etcd members,
 * which outlive a `wharf up` killed (or handed over) and stay until stopped here.
 */
export async function resetControlPlane(dataDir: string): Promise<void> {
  await resetApiMembers(dataDir);
  await stopBalancer(dataDir);
  await resetEtcdMember(dataDir);
}

/** Each API server of a control plane of three and whether it answers /readyz; none for a data dir with one. */
export async function apiServersHealth(dataDir: string): Promise<MemberState[]> {
  const ports = readControlPlane(dataDir)?.apiPorts ?? [];
  if (!ports.length) return [];
  const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  return Promise.all(
    ports.map(async (p, i) => ({
      name: `apiserver-${i}`,
      url: `https://127.0.0.1:${p}`,
      healthy: await readyz(p, ca),
    })),
  );
}
