// `wharf cluster create|get|update|delete`: clusters of this machine as desired state, kept in a
// state store (DIR/<name>/cluster.json: the spec, and the pid of the `wharf up` that runs it).
// Every change prints what it will do and does it only with --yes. A cluster's `wharf up` runs
// detached, logging to DATA_DIR/wharf-up.log; containers outlive it, as with any `wharf up`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { KubeClient, isStatus } from '@wharf/client';
import { isRunning } from '../control.js';
import { CliError } from '../kube/errors.js';
import { nodesOf, parseClusterSpec, specChanges, upArgs, type ClusterSpec } from './spec.js';
import { processHasArgs } from '../process-check.js';
import type { MemberState } from './validate.js';

const CLI = fileURLToPath(new URL('../../bin/wharf.js', import.meta.url));

export interface StateOptions {
  /** The state store. @default ~/.wharf/clusters */
  readonly state?: string;
}

export interface ClusterRecord {
  readonly spec: ClusterSpec;
  /** The `wharf up` running it, while it runs. */
  readonly pid?: number;
}

export const stateDir = (o: StateOptions): string => resolve(o.state ?? join(homedir(), '.wharf', 'clusters'));
const recordPath = (o: StateOptions, name: string): string => join(stateDir(o), name, 'cluster.json');
export const out = (line = ''): void => void process.stdout.write(`${line}\n`);

export function readRecord(o: StateOptions, name: string): ClusterRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(o, name), 'utf8')) as ClusterRecord;
  } catch {
    return undefined;
  }
}

export function writeRecord(o: StateOptions, r: ClusterRecord): void {
  mkdirSync(join(stateDir(o), r.spec.name), { recursive: true });
  writeFileSync(recordPath(o, r.spec.name), `${JSON.stringify(r, null, 2)}\n`);
}

export function mustRead(o: StateOptions, name: string): ClusterRecord {
  const r = readRecord(o, name);
  if (!r) throw new CliError(`no cluster "${name}" in ${stateDir(o)} (wharf cluster get lists them)`);
  return r;
}

function readSpec(o: StateOptions, file: string): ClusterSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseClusterSpec(text, file, (name) => join(stateDir(o), name, 'data'));
}

/** Whether `pid` is a live `wharf up` of this data dir (not a recycled pid). */
export function upAlive(pid: number | undefined, dataDir: string): boolean {
  return processHasArgs(pid, 'up', dataDir);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts the spec's `wharf up` detached and waits until it logs that it is ready; answers its pid. */
export async function startUp(spec: ClusterSpec, timeoutMs: number): Promise<number> {
  if (await isRunning(spec.dataDir)) throw new CliError(`a Wharf is already running in ${spec.dataDir}`);
  mkdirSync(spec.dataDir, { recursive: true });
  const logPath = join(spec.dataDir, 'wharf-up.log');
  // Readiness is looked for only in what this start writes.
  const from = existsSync(logPath) ? readFileSync(logPath, 'utf8').length : 0;
  const log = openSync(logPath, 'a');
  const child = spawn(process.execPath, [CLI, ...upArgs(spec), '--log-format', 'json'], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  const pid = child.pid!;
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    const text = readFileSync(logPath, 'utf8').slice(from);
    if (text.includes('"msg":"wharf is ready"')) return pid;
    if (exited !== undefined || Date.now() > deadline) {
      if (exited === undefined) process.kill(pid, 'SIGTERM');
      const last = text.trim().split('\n').slice(-3).join('\n  ');
      throw new CliError(
        `wharf up ${exited !== undefined ? `exited with ${String(exited)}` : `was not ready within ${Math.round(timeoutMs / 1000)} s`}; last lines of ${logPath}:\n  ${last}`,
      );
    }
    await sleep(250);
  }
}

/** SIGTERM to the cluster's `wharf up`, then SIGKILL after 30 s; containers keep running. */
export async function stopUp(r: ClusterRecord): Promise<void> {
  const pid = r.pid;
  if (!pid || !upAlive(pid, r.spec.dataDir)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 300 && upAlive(pid, r.spec.dataDir); i++) await sleep(100);
  if (upAlive(pid, r.spec.dataDir)) process.kill(pid, 'SIGKILL');
  // An exited process stays in /proc (its command line empty) until init reaps it: wait for that too.
  for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await sleep(100);
}

export function client(spec: ClusterSpec): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(join(spec.dataDir, 'kubeconfig'));
  return new KubeClient(kc, { requestTimeoutMs: 10_000, userAgent: 'wharf-cluster' });
}

function controlPlaneText(spec: ClusterSpec): string {
  const { members, store } = spec.controlPlane;
  return members === 3
    ? `3 members (3 etcd members, 3 API servers behind one address), ${store} store`
    : `1 member, ${store} store`;
}

/** The members of a control plane of three and their health, one line each kind; '-' for one member. */
async function membersActual(spec: ClusterSpec): Promise<string> {
  if (spec.controlPlane.members !== 3) return '-';
  const [{ apiServersHealth }, { etcdMembersHealth }] = await Promise.all([
    import('../control-plane.js'),
    import('../etcd-member.js'),
  ]);
  const [apis, etcd] = await Promise.all([apiServersHealth(spec.dataDir), etcdMembersHealth(spec.dataDir)]);
  const list = (ms: readonly MemberState[]): string =>
    ms.map((m) => `${m.name.replace(/^etcd /, '')} ${m.healthy ? 'healthy' : 'DOWN'}`).join(', ');
  return `API servers: ${list(apis) || 'none'}; etcd: ${list(etcd) || 'none'}`;
}

function describe(spec: ClusterSpec): string[] {
  const nodes = nodesOf(spec);
  return [
    `  control plane: ${controlPlaneText(spec)}, API https://127.0.0.1:${spec.ports.api}`,
    `  nodes: ${nodes.length ? nodes.map((n) => `${n.name} (zone ${n.zone})`).join(', ') : 'none (control plane only)'}`,
    `  add-ons: ${(['platform', 'monitoring'] as const).filter((a) => spec.addons[a]).join(', ') || 'none'}`,
    `  data dir: ${spec.dataDir}`,
    `  runs: wharf ${upArgs(spec).join(' ')}`,
  ];
}

export async function createCommand(o: StateOptions & { file: string; yes?: boolean; timeout: number }): Promise<void> {
  const spec = readSpec(o, o.file);
  if (readRecord(o, spec.name))
    throw new CliError(
      `cluster "${spec.name}" exists: change it with wharf cluster update -f ${o.file}, or delete it first`,
    );
  out(`Will create cluster ${spec.name} (Kubernetes ${spec.version}):`);
  for (const l of describe(spec)) out(l);
  if (!o.yes) return out('Nothing changed. Run again with --yes to create it.');
  writeRecord(o, { spec });
  let pid: number;
  try {
    pid = await startUp(spec, o.timeout * 1000);
  } catch (e) {
    rmSync(join(stateDir(o), spec.name), { recursive: true, force: true });
    throw e;
  }
  writeRecord(o, { spec, pid });
  out(`Cluster ${spec.name} is up: kubectl --kubeconfig ${join(spec.dataDir, 'kubeconfig')} get nodes`);
}

/** Spec beside what runs: one block per cluster (all of them without a name). */
export async function getCommand(o: StateOptions & { name?: string }): Promise<void> {
  const names = o.name
    ? [o.name]
    : existsSync(stateDir(o))
      ? readdirSync(stateDir(o))
          .filter((n) => readRecord(o, n))
          .sort()
      : [];
  if (!names.length) return out(`no clusters in ${stateDir(o)} (wharf cluster create -f FILE)`);
  for (const name of names) {
    const r = mustRead(o, name);
    const running = upAlive(r.pid, r.spec.dataDir);
    let nodes = 'unknown (not running)';
    let version = 'unknown';
    if (running) {
      const c = client(r.spec);
      try {
        const list = await c.get<{ items: V1Node[] }>('/api/v1/nodes');
        const ready = list.items.filter((n) =>
          n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
        );
        nodes = `${ready.length} Ready of ${list.items.length}`;
        version = (await c.get<{ gitVersion: string }>('/version')).gitVersion;
      } catch (e) {
        nodes = `unknown (${(e as Error).message})`;
      } finally {
        c.close();
      }
    }
    out(`cluster ${name}`);
    out(`  ${'FIELD'.padEnd(10)} ${'SPEC'.padEnd(32)} ACTUAL`);
    out(`  ${'running'.padEnd(10)} ${'yes'.padEnd(32)} ${running ? `yes (wharf up pid ${r.pid})` : 'no'}`);
    out(`  ${'version'.padEnd(10)} ${r.spec.version.padEnd(32)} ${version}`);
    out(`  ${'nodes'.padEnd(10)} ${String(r.spec.nodes).padEnd(32)} ${nodes}`);
    out(
      `  ${'members'.padEnd(10)} ${`${r.spec.controlPlane.members} (${r.spec.controlPlane.store})`.padEnd(32)} ${running ? await membersActual(r.spec) : '-'}`,
    );
    out(
      `  ${'add-ons'.padEnd(10)} ${((['platform', 'monitoring'] as const).filter((a) => r.spec.addons[a]).join(',') || 'none').padEnd(32)} -`,
    );
    out(`  ${'data dir'.padEnd(10)} ${r.spec.dataDir}`);
  }
}

/**
 * Cordons a node and evicts its pods (PodDisruptionBudgets honoured: a refused eviction is retried until `timeoutMs`).
 */
export async function drain(c: KubeClient, node: string, timeoutMs: number): Promise<void> {
  await c.patch(`/api/v1/nodes/${node}`, { spec: { unschedulable: true } }).catch((e: unknown) => {
    if (!isStatus(e, 404)) throw e;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = (await c.get<{ items: V1Pod[] }>(`/api/v1/pods?fieldSelector=spec.nodeName%3D${node}`)).items.filter(
      (p) => !p.metadata?.ownerReferences?.some((r) => r.kind === 'DaemonSet') && !p.metadata?.deletionTimestamp,
    );
    if (!pods.length) return;
    const blocked: string[] = [];
    for (const p of pods) {
      const ns = p.metadata?.namespace ?? '';
      const name = p.metadata?.name ?? '';
      await c
        .create(`/api/v1/namespaces/${ns}/pods/${name}/eviction`, {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace: ns },
        })
        .catch((e: unknown) => {
          if (isStatus(e, 429)) blocked.push(`${ns}/${name}`);
          else if (!isStatus(e, 404)) throw e;
        });
    }
    if (Date.now() > deadline)
      throw new CliError(
        `draining ${node} did not finish within ${Math.round(timeoutMs / 1000)} s${blocked.length ? `: a PodDisruptionBudget keeps ${blocked.join(', ')}` : ''}`,
      );
    await sleep(1000);
  }
}

export async function updateCommand(
  o: StateOptions & { file: string; yes?: boolean; timeout: number; drainTimeout: number },
): Promise<void> {
  const to = readSpec(o, o.file);
  const r = mustRead(o, to.name);
  const changes = specChanges(r.spec, to);
  if (!changes.length) return out(`cluster ${to.name} already matches ${o.file}: nothing to do`);
  out(`Will update cluster ${to.name}:`);
  for (const l of changes) out(`  ${l}`);
  if (r.spec.dataDir !== to.dataDir) throw new CliError(`spec.dataDir cannot change (${r.spec.dataDir})`);
  const [was, next] = [r.spec.controlPlane, to.controlPlane];
  if (was.members !== next.members || was.store !== next.store)
    throw new CliError(`spec.controlPlane cannot change (${was.members} member(s), ${was.store} store)`);
  if (r.spec.version !== to.version)
    throw new CliError(`spec.version changes are upgrades: use wharf cluster upgrade ${to.name} --to ${to.version}`);
  if (!o.yes) return out('Nothing changed. Run again with --yes to apply it.');
  // Nodes that go are drained first, while the cluster still runs them.
  const removed = nodesOf(r.spec).filter((n) => !nodesOf(to).some((m) => m.name === n.name));
  if (removed.length && upAlive(r.pid, r.spec.dataDir)) {
    const c = client(r.spec);
    try {
      for (const n of removed) {
        out(`draining ${n.name}`);
        await drain(c, n.name, o.drainTimeout * 1000);
      }
    } finally {
      c.close();
    }
  }
  out('restarting wharf up with the new spec (containers keep running)');
  await stopUp(r);
  writeRecord(o, { spec: to });
  const pid = await startUp(to, o.timeout * 1000);
  writeRecord(o, { spec: to, pid });
  if (removed.length) {
    const c = client(to);
    try {
      for (const n of removed) {
        await c.delete(`/api/v1/nodes/${n.name}`).catch((e: unknown) => {
          if (!isStatus(e, 404)) throw e;
        });
      }
    } finally {
      c.close();
    }
  }
  out(`Cluster ${to.name} updated.`);
}

export async function deleteCommand(o: StateOptions & { name: string; yes?: boolean }): Promise<void> {
  const r = mustRead(o, o.name);
  out(`Will delete cluster ${o.name}:`);
  out(`  stop wharf up${upAlive(r.pid, r.spec.dataDir) ? ` (pid ${r.pid})` : ' (not running)'}`);
  out(`  remove its containers, network namespaces, bridges and rules (wharf reset --data-dir ${r.spec.dataDir})`);
  out(`  delete the data dir ${r.spec.dataDir} and the cluster's state in ${join(stateDir(o), o.name)}`);
  if (!o.yes) return out('Nothing changed. Run again with --yes to delete it.');
  await stopUp(r);
  const { resetNodes } = await import('../nodes.js');
  await resetNodes(r.spec.dataDir);
  // A control plane of three outlives a killed wharf up: its members, balancer and etcd stop here.
  await (await import('../control-plane.js')).resetControlPlane(r.spec.dataDir);
  rmSync(r.spec.dataDir, { recursive: true, force: true });
  rmSync(join(stateDir(o), o.name), { recursive: true, force: true });
  out(`Cluster ${o.name} deleted.`);
}
