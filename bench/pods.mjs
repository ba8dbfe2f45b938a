// Pod start latency and node memory on a real 3-node cluster (`wharf up --nodes 3`: runc
// containers under conmon, CNI networking, image already on every node): create → Running and →
// Ready seen through a watch, one pod at a time and 100 at once; `runc run` of the same image alone
// as the floor beside it; CPU per pod start over every process below `wharf up` (API server, agents,
// dataplane, helpers) and the conmons, and the rest of the machine's split into the containers' own
// processes, the benchmark client, kernel threads, interrupts and the rest (each mode starts on a
// quiet machine); RSS/PSS of the `wharf up` process, of each agent process and
// of the per-container monitors (conmon), with conmon + runc started by hand as the reference.
// Writes docs/benchmarks/pods.md, with the numbers of the Node-shim runtime it replaced beside.
// Run as root after a build: `node bench/pods.mjs` (BENCH_PODS pods per mode, default 100;
// BENCH_PODS_PER_NODE for the memory run, default 30; BENCH_BURSTS bursts of BENCH_PODS at once, default 3,
// pooled; BENCH_PORTS=FIRST-LAST to listen only there).
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanup, onCleanup, startWharfCleanly, wasInterrupted } from './lib/cleanup.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { Client, HttpError } from './lib/http.mjs';
import {
  allProcessCpu,
  cpuTimes,
  descendants,
  machineCpu,
  memory,
  netnsObjects,
  processTable,
  sampleMedian,
  sumMemory,
} from './lib/mem.mjs';
import { cpuCgroup } from './lib/cgroup.mjs';
import { REPO_ROOT, WHARF_BIN, freePort, tempDir } from './lib/procs.mjs';
import { fmtMs, fmtNum, fmtRatio, quantile, runLoad } from './lib/stats.mjs';

const run = promisify(execFile);
const PODS = Number(process.env.BENCH_PODS ?? 100);
const PER_NODE = Number(process.env.BENCH_PODS_PER_NODE ?? 30);
const BURSTS = Number(process.env.BENCH_BURSTS ?? 3);
/** The cgroup `wharf up` runs in (cpuCgroup), once started; undefined without one. */
let wharfCgroup;
const NODES = 3;
const RUNC_STARTS = 20;
const CONMON_BY_HAND = 10;
/**
 * The last run with the Node shim and a foreground `runc run` per container (docs/benchmarks/pods.md
 * of 2026-12-05T11:48:58Z, same machine), shown beside this run's numbers.
 */
const BEFORE = {
  date: '2026-12-05T11:48:58Z',
  seqReadyP99: 869,
  burstReadyP99: 38814,
  burstRunningP50: 30253,
  cpuPerStartSeq: { wharf: 380, helpers: 149, monitor: 163 },
  cpuPerStartBurst: { wharf: 264, helpers: 146, monitor: 185 },
  monitorRssPerPod: 44.1 + 10.8,
  monitorPssPerPod: 7.8 + 2.7,
  idleWharfPct: 28.0,
};
/**
 * The first conmon run (docs/benchmarks/pods.md of 2026-12-05T14:52:44Z, same machine, quiet), when
 * every pod worker still re-synced every second and `runc start` was forked per start.
 */
const CONMON_FIRST = {
  date: '2026-12-05T14:52:44Z',
  seqReadyP99: 314,
  burstReadyP99: 18031,
  cpuPerStartBurst: { wharf: 58.7, helpers: 164, monitor: 52.7 },
  cpuPerStartSeq: 274,
  monitorRssPerPod: 2.0,
  monitorPssPerPod: 0.3,
  idlePct: 26.7,
};
/**
 * The last runs before the CPU cuts of 2026-12-06 (runtime records in memory, synchronous small
 * files, /dev/shm mounted by the namespaces' process, image resolution cached, one TLS context per
 * client): medians of 3 runs on this machine, alternated with runs of the code after them.
 */
const BEFORE_CPU_CUTS = {
  date: '2026-12-06',
  seqReadyP99: 1754,
  burstReadyP99: 22115,
  cpuPerStartBurst: { wharf: 51.9, helpers: 31.8, monitor: 38.4 },
  cpuPerStartSeq: 164.4,
  monitorRssPerPod: 2,
  monitorPssPerPod: 0.3,
  idlePct: 2.1,
};
/**
 * The run before a node's start slots went to the pod the agent took on first (docs/benchmarks/pods.md
 * of 2026-12-06T11:15:43Z, same machine, load average 15): each step waited in order of asking.
 */
const BEFORE_START_ORDER = {
  date: '2026-12-06T11:15:43Z',
  seqReadyP99: 1049,
  burstReadyP50: 17476,
  burstReadyP99: 27392,
  cpuPerStartBurst: { wharf: 27.9, helpers: 32.8, monitor: 39.1 },
  cpuPerStartSeq: 133,
  monitorRssPerPod: 2,
  monitorPssPerPod: 0.3,
  idlePct: 0.8,
};
/**
 * The run before the 100-at-once cuts (docs/benchmarks/pods.md of 2026-12-06T16:43:48Z, same machine,
 * quiet): node agents were already processes of their own, but this benchmark still counted only
 * the `wharf up` process, its own helpers and the conmons, so the agents and their spawners' commands
 * landed in "other processes" (89.4 ms per pod at once, with the benchmark client).
 */
const BEFORE_TREE = {
  date: '2026-12-06T16:43:48Z',
  seqReadyP99: 135,
  burstReadyP50: 3769,
  burstReadyP99: 6139,
  cpuPerStartBurst: { wharf: 19.8, helpers: 1.3, monitor: 10.3 },
  cpuPerStartSeq: 33.3,
  monitorRssPerPod: 2,
  monitorPssPerPod: 0.3,
  idlePct: 1.2,
};
const NS = 'bench';
/** Ingress, console and git server on free ports: a fixed 8080 taken by another Wharf on a shared machine stops this one. */
async function ownPorts() {
  const flags = ['--ingress-port', '--ingress-https-port', '--console-port', '--git-port'];
  const args = [];
  for (const f of flags) args.push(f, String(await freePort()));
  return args;
}
const OUT = join(REPO_ROOT, 'docs/benchmarks/pods.md');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pod(name, nodeName) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'bench' } },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'busybox:1', command: ['sleep', '3600'] }],
    },
  };
}

const isReady = (p) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * What one watch on the namespace saw of each pod: when (bench clock, ms) the first event showing
 * it bound to a node, Running, Ready, and deleted arrived, its node, and the API's own
 * startedAt − creationTimestamp.
 */
class PodWatch {
  pods = new Map();
  waiters = new Set();
  error;

  onLine = (line, at) => {
    const ev = JSON.parse(line);
    if (ev.type === 'ERROR') {
      this.error = new Error(`watch ended: ${ev.object?.message ?? line}`);
    } else if (ev.object?.metadata?.name) {
      const p = ev.object;
      const s = this.pods.get(p.metadata.name) ?? {};
      this.pods.set(p.metadata.name, s);
      s.node = p.spec?.nodeName ?? s.node;
      if (s.node) s.boundAt ??= at;
      if (ev.type === 'DELETED') s.deletedAt ??= at;
      if (p.status?.phase === 'Running') s.runningAt ??= at;
      if (isReady(p)) s.readyAt ??= at;
      if (p.status?.phase === 'Failed') s.failed ??= p.status?.reason ?? 'Failed';
      const started = p.status?.containerStatuses?.[0]?.state?.running?.startedAt;
      if (started && s.apiStartMs === undefined)
        s.apiStartMs = Date.parse(started) - Date.parse(p.metadata.creationTimestamp);
    }
    for (const w of this.waiters) w();
  };

  get(name) {
    return this.pods.get(name) ?? {};
  }

  /** Resolves once `done()` holds, checked after every event; rejects after `ms`. */
  until(done, ms, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.error) finish(this.error);
        else if (done()) finish();
      };
      const timer = setTimeout(() => finish(new Error(`${what}: not done after ${ms / 1000} s`)), ms);
      const finish = (err) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (err) reject(err);
        else resolve();
      };
      this.waiters.add(check);
      check();
    });
  }
}

function stats(values) {
  const s = Float64Array.from(values).sort();
  return { n: s.length, p50: quantile(s, 0.5), p90: quantile(s, 0.9), p99: quantile(s, 0.99), max: s[s.length - 1] };
}

async function createPods(api, names, concurrency, nodeOf = () => undefined, sentAt = new Map()) {
  let next = 0;
  const r = await runLoad({
    concurrency,
    count: names.length,
    op: async () => {
      const name = names[next++];
      sentAt.set(name, performance.now());
      await api.request('POST', `/api/v1/namespaces/${NS}/pods`, pod(name, nodeOf(name)));
    },
  });
  if (r.errors) throw new Error(`${r.errors} pod creates failed, first: ${r.firstError?.message}`);
  return sentAt;
}

async function deleteAll(api, watch, names) {
  await api.request('DELETE', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dbench`);
  await watch.until(
    () => names.every((n) => watch.get(n).deletedAt !== undefined),
    180_000,
    `deleting ${names.length} pods`,
  );
}

/** Latencies of one mode from the watch: create sent → bound / Running / Ready, and the API timestamps. */
function modeResult(mode, names, sentAt, watch, cpu) {
  const s = names.map((n) => ({ ...watch.get(n), sent: sentAt.get(n) }));
  const perNode = {};
  for (const p of s) perNode[p.node] = (perNode[p.node] ?? 0) + 1;
  return {
    mode,
    n: names.length,
    wallMs: cpu.wallMs,
    podsPerSec: (names.length / cpu.wallMs) * 1000,
    cpu,
    bound: stats(s.map((p) => p.boundAt - p.sent)),
    running: stats(s.map((p) => p.runningAt - p.sent)),
    ready: stats(s.map((p) => p.readyAt - p.sent)),
    api: stats(s.map((p) => p.apiStartMs)),
    perNode: Object.values(perNode).sort((a, b) => b - a),
  };
}

/** Which of Wharf's processes `p` (below `wharf up`) is: a node agent, the dataplane, or a helper. */
function kindOf(p) {
  if (p.argv.some((a) => a.endsWith('/helpers/spawner.mjs'))) return 'helpers';
  const bin = p.argv.findIndex((a) => a.endsWith('/bin/wharf.js'));
  const sub = bin >= 0 ? p.argv[bin + 1] : undefined;
  return sub === 'agent' ? 'agents' : sub === 'dataplane' ? 'dataplane' : 'helpers';
}

/** Wharf's processes by kind: `wharf up` itself (`api`), and every process below it (see kindOf). */
function wharfProcesses(pid) {
  const procs = { api: [pid], agents: [], dataplane: [], helpers: [] };
  for (const p of descendants(processTable(), pid)) procs[kindOf(p)].push(p);
  return procs;
}

/**
 * CPU time (ms) Wharf has used so far, by kind: the `wharf up` process (API server, controllers,
 * scheduler), the node agents (`wharf agent` processes, children of `wharf up`), the dataplane,
 * the helpers (each of those processes' command spawner, and every command a Wharf process ran and
 * reaped: CNI plugins, `unshare`, `mount`, conmon's first process), and the conmons below
 * `dataDir` with the `runc create` each ran and reaped. A live process counts its own time, an
 * exited one is in its parent's reaped time, so two readings subtract to what was spent between
 * them (no Wharf process exits meanwhile; a conmon only when its pod is deleted).
 */
function wharfCpu(pid, dataDir) {
  const ms = { api: 0, agents: 0, dataplane: 0, helpers: 0, monitors: 0 };
  const add = (p, kind) => {
    const c = cpuTimes(p);
    if (!c) return;
    ms[kind] += c.selfMs;
    ms[kind === 'monitors' ? 'monitors' : 'helpers'] += c.childrenMs;
  };
  const procs = wharfProcesses(pid);
  add(pid, 'api');
  for (const kind of ['agents', 'dataplane', 'helpers']) for (const p of procs[kind]) add(p.pid, kind);
  for (const p of containerProcesses(dataDir).monitors) add(p, 'monitors');
  return ms;
}

const CPU_KINDS = ['api', 'agents', 'dataplane', 'helpers', 'monitors'];
const wharfTotal = (ms) => CPU_KINDS.reduce((n, k) => n + ms[k], 0);
/** The machine's CPU outside Wharf's processes, by kind (otherCpu). */
const OTHER_KINDS = ['containersMs', 'clientMs', 'kernelMs', 'irqMs', 'restMs'];

/** A kernel thread's name without its number and current work item: `kworker/u8:2-flush-254:0` → `kworker (flush)`. */
function kernelThreadName(comm) {
  const kworker = /^kworker\/[^-]+(?:-(\w+))?/.exec(comm);
  if (kworker) return kworker[1] ? `kworker (${kworker[1]})` : 'kworker';
  return comm.replace(/\/\d+$/, '').replace(/:\d+$/, '');
}

/** The biggest `[name, ms]` of a map (none that used no CPU), for the console and the doc. */
const top = (byName, n = 6) =>
  [...byName]
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);

/** Adds `ms` to `name`'s total in `byName` (nothing when none was used). */
const addMs = (byName, name, ms) => ms > 0 && byName.set(name, (byName.get(name) ?? 0) + ms);

/**
 * Where the machine's CPU went between two readings of every process (allProcessCpu) outside
 * Wharf's (`own.wharf`, pids; `wharfMs` their time): the containers' own processes (`own.containers`:
 * runc's init in the container until it executes the pod's command, then that command), this
 * benchmark's own process, kernel threads (by name), interrupts (softirq and irq time, which the
 * kernel charges to no process), and the rest (other work on a shared machine, and processes that
 * came and went unseen).
 */
function otherCpu(a0, a1, m, wharfMs, own) {
  const kernel = new Map();
  const rest = new Map();
  const ms = { containersMs: 0, clientMs: 0, kernelMs: 0 };
  for (const [key, p] of a1) {
    const before = a0.get(key);
    const self = p.selfMs - (before?.selfMs ?? 0);
    // What exited meanwhile is in its reaper's children's time: named after the reaper (init reaps orphans).
    const reaped = p.childrenMs - (before?.childrenMs ?? 0);
    if (p.pid === process.pid) ms.clientMs = self + reaped;
    else if (own.containers.has(p.pid)) ms.containersMs += self;
    else if (p.kernel) {
      ms.kernelMs += self;
      addMs(kernel, kernelThreadName(p.comm), self);
      addMs(rest, `exited, reaped by ${kernelThreadName(p.comm)}`, reaped);
    } else if (!own.wharf.has(p.pid)) {
      addMs(rest, p.comm, self);
      addMs(rest, `exited, reaped by ${p.comm}`, reaped);
    }
  }
  const restMs = Math.max(0, m.busyMs - wharfMs - ms.containersMs - ms.clientMs - ms.kernelMs - m.irqMs);
  return { ...ms, irqMs: m.irqMs, restMs, kernelTop: top(kernel), restTop: top(rest) };
}

const QUIET = { pctOfCore: 10, windowMs: 1000, deadlineMs: 90_000 };
const QUIET_TEXT =
  `Wharf's processes, kernel threads and interrupts together below ${QUIET.pctOfCore} % of one core over ` +
  `${QUIET.windowMs / 1000} s and the kernel's count of network namespaces no longer falling, polled for at most ` +
  `${QUIET.deadlineMs / 1000} s`;

/**
 * Waits until what Wharf's last pods cost the machine has settled (QUIET_TEXT): deleted pods' network
 * namespaces are freed by kernel work after \`ip netns delete\` returns, which would otherwise be
 * charged to the next mode. Other processes are not waited for: on a shared machine they never stop.
 * Returns how long it waited and whether the machine got quiet before the deadline.
 */
async function waitQuiet(pid, dataDir) {
  const t0 = performance.now();
  for (;;) {
    const sample = () => ({ w: wharfTotal(wharfCpu(pid, dataDir)), a: allProcessCpu(), m: machineCpu() });
    const s0 = sample();
    const ns0 = netnsObjects();
    await sleep(QUIET.windowMs);
    const s1 = sample();
    const ns1 = netnsObjects();
    const machine = { busyMs: s1.m.busyMs - s0.m.busyMs, irqMs: s1.m.irqMs - s0.m.irqMs };
    const o = otherCpu(s0.a, s1.a, machine, 0, { wharf: new Set(), containers: new Set() });
    const busyMs = s1.w - s0.w + o.kernelMs + o.irqMs;
    const waitedMs = performance.now() - t0;
    if ((busyMs / QUIET.windowMs) * 100 < QUIET.pctOfCore && !(ns1 < ns0)) return { waitedMs, quiet: true };
    if (waitedMs > QUIET.deadlineMs) return { waitedMs, quiet: false };
  }
}

/**
 * Runs a mode and splits the machine's CPU time over it: Wharf's processes by kind (wharfCpu),
 * and everything else on the machine (otherCpu).
 */
async function withCpu(pid, dataDir, fn) {
  const g0 = wharfCgroup?.cpuMs();
  const w0 = wharfCpu(pid, dataDir);
  const a0 = allProcessCpu();
  const m0 = machineCpu();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const w1 = wharfCpu(pid, dataDir);
  const cgroupMs = wharfCgroup ? wharfCgroup.cpuMs() - g0 : undefined;
  const a1 = allProcessCpu();
  const m1 = machineCpu();
  const machine = { busyMs: m1.busyMs - m0.busyMs, irqMs: m1.irqMs - m0.irqMs };
  const wharf = Object.fromEntries(CPU_KINDS.map((k) => [k, w1[k] - w0[k]]));
  const procs = wharfProcesses(pid);
  const containers = containerProcesses(dataDir);
  const own = {
    wharf: new Set([
      pid,
      ...[...procs.agents, ...procs.dataplane, ...procs.helpers].map((p) => p.pid),
      ...containers.monitors,
    ]),
    containers: new Set([...containers.runc, ...containers.workload]),
  };
  return {
    wallMs,
    machineMs: machine.busyMs,
    stealMs: m1.stealMs - m0.stealMs,
    wharf,
    cgroupMs,
    other: otherCpu(a0, a1, machine, cgroupMs ?? wharfTotal(wharf), own),
  };
}

/** Several modes' CPU readings (withCpu) as one: every time summed, the top lists merged by name. */
function sumCpu(list) {
  const sum = (f) => list.reduce((a, c) => a + f(c), 0);
  const merged = (f) => {
    const byName = new Map();
    for (const c of list) for (const [name, ms] of f(c)) addMs(byName, name, ms);
    return top(byName);
  };
  const other = Object.fromEntries(
    Object.keys(list[0].other)
      .filter((k) => typeof list[0].other[k] === 'number')
      .map((k) => [k, sum((c) => c.other[k])]),
  );
  return {
    wallMs: sum((c) => c.wallMs),
    machineMs: sum((c) => c.machineMs),
    stealMs: sum((c) => c.stealMs),
    wharf: Object.fromEntries(CPU_KINDS.map((k) => [k, sum((c) => c.wharf[k])])),
    cgroupMs: list.every((c) => c.cgroupMs !== undefined) ? sum((c) => c.cgroupMs) : undefined,
    other: { ...other, kernelTop: merged((c) => c.other.kernelTop), restTop: merged((c) => c.other.restTop) },
  };
}

/** The pids of the conmons whose bundle is below `dir`, any runc under them, and the containers' processes. */
function containerProcesses(dir) {
  const table = processTable();
  const monitors = table.filter((p) => p.comm === 'conmon' && p.argv.some((a) => a.startsWith(`${dir}/`)));
  const runc = [];
  const workload = [];
  for (const m of monitors) {
    for (const d of descendants(table, m.pid)) (d.argv[0]?.endsWith('runc') ? runc : workload).push(d.pid);
  }
  return { monitors: monitors.map((p) => p.pid), runc, workload };
}

/**
 * Median RSS/PSS over 5 s of the `wharf up` process and, per node, of its agent process with the
 * agent's spawner, and the RSS of all of Wharf's processes; and their CPU use meanwhile (% of one core,
 * by kind, the conmons included).
 */
async function wharfMemory(pid, dataDir) {
  const c0 = wharfCpu(pid, dataDir);
  const t0 = performance.now();
  const m = await sampleMedian(() => {
    const procs = wharfProcesses(pid);
    const api = memory(pid);
    const agentPids = procs.agents.map((p) => p.pid);
    const agentSpawners = procs.helpers.filter((p) => agentPids.includes(p.ppid)).map((p) => p.pid);
    const agents = sumMemory([...agentPids, ...agentSpawners]);
    const n = Math.max(1, agentPids.length);
    const all = sumMemory([pid, ...[...procs.agents, ...procs.dataplane, ...procs.helpers].map((p) => p.pid)]);
    return {
      allRssMb: all.rssMb,
      rssMb: api?.rssMb ?? NaN,
      pssMb: api?.pssMb ?? NaN,
      agents: agentPids.length,
      agentRssMb: agents.rssMb / n,
      agentPssMb: agents.pssMb / n,
    };
  });
  const c1 = wharfCpu(pid, dataDir);
  const pct = (k) => ((c1[k] - c0[k]) / (performance.now() - t0)) * 100;
  return { ...m, cpuPct: Object.fromEntries(CPU_KINDS.map((k) => [k, pct(k)])) };
}

/** A temp dir with a bundle of the same image root (copied) running `sleep 3600` under runc's default spec. */
async function sleepBundle(dataDir, prefix) {
  const rootfsDir = join(dataDir, 'rootfs');
  const image = readdirSync(rootfsDir).find((d) => d.startsWith('sha256-'));
  if (!image) throw new Error(`no unpacked image in ${rootfsDir}`);
  const dir = tempDir(prefix);
  const root = join(dir, 'state');
  const bundle = join(dir, 'bundle');
  mkdirSync(bundle);
  cpSync(join(rootfsDir, image), join(bundle, 'rootfs'), { recursive: true, verbatimSymlinks: true });
  const ids = [];
  onCleanup(async () => {
    for (const id of ids) await run('runc', ['--root', root, 'delete', '--force', id]).catch(() => {});
    await run('rm', ['-rf', dir]);
  });
  await run('runc', ['spec'], { cwd: bundle });
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  spec.process.terminal = false;
  spec.process.args = ['sleep', '3600'];
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
  return { dir, root, bundle, ids };
}

/**
 * The reference monitor: conmon + runc started by hand for the same image, as CRI-O starts them
 * (no API, network or agent); conmon's memory per container once they run.
 */
async function conmonByHand(dataDir) {
  const { dir, root, bundle, ids } = await sleepBundle(dataDir, 'conmon-bench-');
  const spec = readFileSync(join(bundle, 'config.json'), 'utf8');
  for (let i = 0; i < CONMON_BY_HAND; i++) {
    const id = `wharf-bench-conmon-${process.pid}-${i}`;
    const b = join(dir, id);
    mkdirSync(join(b, 'exits'), { recursive: true });
    writeFileSync(join(b, 'config.json'), spec.replace('"path":"rootfs"', `"path":"${bundle}/rootfs"`));
    ids.push(id);
    // conmon's first process exits at once; its daemon keeps running (no pipes to wait on).
    await new Promise((resolve, reject) => {
      const c = spawn(
        'conmon',
        [
          '--api-version',
          '1',
          '-c',
          id,
          '-u',
          id,
          '-n',
          id,
          '-r',
          '/usr/sbin/runc',
          '-b',
          b,
          '-p',
          join(b, 'pid'),
          '-P',
          join(b, 'conmon.pid'),
          '-l',
          `k8s-file:${join(b, 'ctr.log')}`,
          '--exit-dir',
          join(b, 'exits'),
          '--socket-dir-path',
          b,
          '--full-attach',
          '--runtime-arg',
          `--root=${root}`,
        ],
        { stdio: 'ignore', detached: true },
      );
      c.on('error', reject);
      c.on('exit', resolve);
    });
    for (let t = 0; !existsSync(join(b, 'pid')); t++) {
      if (t > 1200) throw new Error(`conmon did not create ${id} (see ${join(b, 'conmon.log')})`);
      await sleep(25);
    }
    await run('runc', ['--root', root, 'start', id]);
  }
  await sleep(500);
  const procs = containerProcesses(dir);
  const mem = { monitor: sumMemory(procs.monitors), workload: sumMemory(procs.workload) };
  for (const id of ids.splice(0)) await run('runc', ['--root', root, 'delete', '--force', id]).catch(() => {});
  return mem;
}

/** The floor: `runc run --detach` of the same image root (copied), no API, network or monitor. */
async function runcFloor(dataDir) {
  const { root, bundle, ids } = await sleepBundle(dataDir, 'runc-bench-');
  const times = [];
  for (let i = 0; i < RUNC_STARTS + 2; i++) {
    const id = `wharf-bench-runc-${process.pid}-${i}`;
    ids.push(id);
    const t0 = performance.now();
    const code = await new Promise((resolve, reject) => {
      const c = spawn('runc', ['--root', root, 'run', '--detach', '--bundle', bundle, id], { stdio: 'ignore' });
      c.on('error', reject);
      c.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`runc run exited with ${code}`);
    if (i >= 2) times.push(performance.now() - t0); // the first two warm the page cache
  }
  const deleted = [];
  for (const id of ids.splice(0)) {
    const t0 = performance.now();
    await run('runc', ['--root', root, 'delete', '--force', id]);
    deleted.push(performance.now() - t0);
  }
  return { start: stats(times), del: stats(deleted) };
}

async function idleMemory(nodes) {
  const w = await startWharfCleanly(['--nodes', String(nodes), ...(await ownPorts())], { readyTimeoutMs: 120_000 });
  const api = new Client({
    host: '127.0.0.1',
    port: w.port,
    ca: w.ca,
    headers: { Authorization: `Bearer ${w.token}` },
  });
  await nodesReady(api, nodes);
  const m = await wharfMemory(w.pid, w.dataDir);
  api.close();
  return m;
}

async function nodesReady(api, n) {
  const end = performance.now() + 60_000;
  for (;;) {
    const list = await api.json('GET', '/api/v1/nodes');
    if (list.items.filter(isReady).length >= n) return;
    if (performance.now() > end)
      throw new Error(`only ${list.items.filter(isReady).length}/${n} nodes Ready after 60 s`);
    await sleep(200);
  }
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('bench/pods.mjs needs root (runc, CNI)');
  const started = performance.now();
  const load0 = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const runcVersion = (await run('runc', ['--version'])).stdout.split('\n')[0];

  console.log('memory of an idle `wharf up --nodes 0`');
  const idle0 = await idleMemory(0);
  await cleanup();

  console.log(`starting wharf up --nodes ${NODES}`);
  // Wharf in a cgroup of its own: its CPU to the nanosecond, the commands that came and went included.
  wharfCgroup = cpuCgroup(`wharf-bench-pods-${process.pid}`);
  onCleanup(() => wharfCgroup?.remove()); // after Wharf's own clean-up, which runs first
  const w = await startWharfCleanly(['--nodes', String(NODES), ...(await ownPorts())], {
    readyTimeoutMs: 120_000,
    ...(wharfCgroup ? { cgroupProcs: wharfCgroup.procs } : {}),
  });
  const api = new Client({
    host: '127.0.0.1',
    port: w.port,
    ca: w.ca,
    headers: { Authorization: `Bearer ${w.token}` },
  });
  onCleanup(() => api.close());
  await nodesReady(api, NODES);
  const idle3 = await wharfMemory(w.pid, w.dataDir);

  console.log('building busybox:1 into the Wharf registry');
  await run(
    process.execPath,
    [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', w.dataDir],
    { timeout: 180_000 },
  );
  await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  const rv = (await api.json('GET', `/api/v1/namespaces/${NS}/pods`)).metadata.resourceVersion;
  const watch = new PodWatch();
  const watchAgent = new https.Agent({ keepAlive: false, ca: w.ca });
  const stream = await api.stream(
    `/api/v1/namespaces/${NS}/pods?watch=true&resourceVersion=${rv}`,
    watch.onLine,
    watchAgent,
  );
  onCleanup(() => stream.close());

  // Warm-up: one pod pinned to each node pulls the image there and sets up the node's bridge.
  const warm = Array.from({ length: NODES }, (_, i) => `warm-${i}`);
  await createPods(api, warm, NODES, (n) => `node-${n.slice(5)}`);
  await watch.until(() => warm.every((n) => watch.get(n).readyAt !== undefined), 180_000, 'warm-up pods');
  await deleteAll(api, watch, warm);

  console.log(`${PODS} pods, one at a time`);
  const seqQuiet = await waitQuiet(w.pid, w.dataDir);
  const seqNames = Array.from({ length: PODS }, (_, i) => `seq-${i}`);
  const seqSent = new Map();
  const seqCpu = await withCpu(w.pid, w.dataDir, async () => {
    for (const name of seqNames) {
      seqSent.set(name, performance.now());
      await api.request('POST', `/api/v1/namespaces/${NS}/pods`, pod(name));
      await watch.until(
        () => watch.get(name).readyAt !== undefined && watch.get(name).runningAt !== undefined,
        60_000,
        `pod ${name}`,
      );
    }
  });
  const seq = { ...modeResult('one at a time', seqNames, seqSent, watch, seqCpu), quiet: seqQuiet };
  await deleteAll(api, watch, seqNames);

  // The SLO is a p99 over every pod start in a window: BURSTS bursts, each from a quiet machine, pooled.
  const bursts = [];
  for (let k = 0; k < BURSTS; k++) {
    console.log(`${PODS} pods at once (${k + 1} of ${BURSTS})`);
    const names = Array.from({ length: PODS }, (_, i) => `burst-${k}-${i}`);
    // One open connection per create, so no create waits for a TLS handshake.
    await runLoad({ concurrency: PODS, count: PODS, op: () => api.request('GET', '/readyz') });
    const quiet = await waitQuiet(w.pid, w.dataDir);
    let sent;
    const cpu = await withCpu(w.pid, w.dataDir, async () => {
      sent = await createPods(api, names, PODS);
      await watch.until(
        () => names.every((n) => watch.get(n).readyAt !== undefined && watch.get(n).runningAt !== undefined),
        300_000,
        `${PODS} pods at once`,
      );
    });
    bursts.push({
      ...modeResult(`${PODS} at once, ${k + 1} of ${BURSTS}`, names, sent, watch, cpu),
      names,
      sent,
      quiet,
    });
    await deleteAll(api, watch, names);
  }
  const burst = {
    ...modeResult(
      BURSTS > 1 ? `${PODS} at once, ${BURSTS} bursts pooled` : `${PODS} at once`,
      bursts.flatMap((b) => b.names),
      new Map(bursts.flatMap((b) => [...b.sent])),
      watch,
      sumCpu(bursts.map((b) => b.cpu)),
    ),
    perNode: bursts[0].perNode,
    quiet: { waitedMs: Math.max(...bursts.map((b) => b.quiet.waitedMs)), quiet: bursts.every((b) => b.quiet.quiet) },
  };

  const failed = [...watch.pods.values()].filter((s) => s.failed).length;
  if (failed) throw new Error(`${failed} pods failed`);
  for (const r of [seq, ...bursts, burst]) {
    console.log(
      `  ${r.mode}: Running p50 ${fmtMs(r.running.p50)} p99 ${fmtMs(r.running.p99)} max ${fmtMs(r.running.max)} ms, Ready p99 ${fmtMs(r.ready.p99)} ms, ${fmtNum(r.podsPerSec)} pods/s`,
    );
    const perPod = (list) => list.map(([k, ms]) => `${k} ${fmtMs(ms / r.n)}`).join(', ');
    console.log(`    quiet after ${fmtMs(r.quiet.waitedMs)} ms${r.quiet.quiet ? '' : ' (deadline: not quiet)'}`);
    console.log(
      `    CPU per pod (ms): Wharf ${sumKinds(r)}; ${OTHER_KINDS.map((k) => `${k} ${fmtMs(r.cpu.other[k] / r.n)}`).join(', ')}`,
    );
    console.log(`    kernel threads: ${perPod(r.cpu.other.kernelTop)}`);
    console.log(`    the rest: ${perPod(r.cpu.other.restTop)}`);
  }

  console.log(`runc alone, ${RUNC_STARTS} starts`);
  const floor = await runcFloor(w.dataDir);
  console.log(`  runc run --detach p50 ${fmtMs(floor.start.p50)} ms, p99 ${fmtMs(floor.start.p99)} ms`);

  console.log(`conmon + runc by hand, ${CONMON_BY_HAND} containers`);
  const byHand = await conmonByHand(w.dataDir);

  console.log(`memory with ${PER_NODE} pods on each node`);
  const nodesDir = join(w.dataDir, 'nodes');
  const empty = await wharfMemory(w.pid, w.dataDir);
  const memNames = Array.from({ length: PER_NODE * NODES }, (_, i) => `mem-${i}`);
  await createPods(api, memNames, 10, (n) => `node-${Number(n.slice(4)) % NODES}`);
  await watch.until(
    () => memNames.every((n) => watch.get(n).readyAt !== undefined),
    300_000,
    `${memNames.length} pods for the memory run`,
  );
  await sleep(2000);
  const loaded = await wharfMemory(w.pid, w.dataDir);
  const procs = containerProcesses(nodesDir);
  if (procs.monitors.length !== memNames.length)
    throw new Error(`found ${procs.monitors.length} conmons for ${memNames.length} pods`);
  const containerMem = {
    monitor: sumMemory(procs.monitors),
    runc: sumMemory(procs.runc),
    workload: sumMemory(procs.workload),
    all: sumMemory([...procs.monitors, ...procs.runc, ...procs.workload]),
  };
  await deleteAll(api, watch, memNames);
  const after = await wharfMemory(w.pid, w.dataDir);

  const result = {
    seq,
    burst,
    bursts,
    floor,
    mem: { idle0, idle3, empty, loaded, after, containerMem, byHand, pods: memNames.length },
  };
  const md = render(result, {
    ...machineFacts({ runc: runcVersion, load: load0 }),
    runtimeS: Math.round((performance.now() - started) / 1000),
  });
  writeFileSync(OUT, md);
  console.log(`\n${md}`);
}

/** `a + b + c = sum` of a start's CPU split (ms). */
function sum3(x) {
  return `${fmtMs(x.wharf)} + ${fmtMs(x.helpers)} + ${fmtMs(x.monitor)} = ${fmtMs(x.wharf + x.helpers + x.monitor)}`;
}

/**
 * `api + agents + dataplane + helpers + conmon = sum` of a mode's CPU per pod (ms), and what the
 * kernel counted in Wharf's cgroup when there was one.
 */
function sumKinds(x) {
  const byCgroup = x.cpu.cgroupMs === undefined ? '' : `; by its cgroup ${fmtMs(x.cpu.cgroupMs / x.n)}`;
  return `${CPU_KINDS.map((k) => fmtMs(x.cpu.wharf[k] / x.n)).join(' + ')} = ${fmtMs(wharfTotal(x.cpu.wharf) / x.n)}${byCgroup}`;
}

/** All of Wharf's CPU per pod start (ms): as its cgroup counted it, or the per-process sum without one. */
const wharfCpuPerPod = (x) => (x.cpu.cgroupMs ?? wharfTotal(x.cpu.wharf)) / x.n;

/** A mode's largest kernel threads and other processes (otherCpu), ms per pod, for the doc. */
function otherText(x) {
  const list = (top) => top.map(([name, ms]) => `${name} ${fmtMs(ms / x.n)}`).join(', ');
  return `- ${x.mode}: kernel threads ${list(x.cpu.other.kernelTop)}; the rest ${list(x.cpu.other.restTop)}`;
}

/** How long a mode waited for a quiet machine (waitQuiet), for the doc. */
function quietText(x) {
  const waited = `${(x.quiet.waitedMs / 1000).toFixed(1)} s`;
  return `${x.mode}: quiet after ${waited}${x.quiet.quiet ? '' : ' (not quiet by the deadline; measured anyway)'}`;
}

/** Wharf's CPU over a memory sample, all its processes and the conmons (% of one core). */
const idlePct = (x) => wharfTotal(x.cpuPct);

function render(r, m) {
  const mb = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–');
  const pct = (v) => (Number.isFinite(v) ? `${v.toFixed(1)}%` : '–');
  const perPod = (x, v) => fmtMs(v / x.n);
  const cpuRow = (x) =>
    `| ${x.mode} | ${x.n} | ${(x.wallMs / 1000).toFixed(1)} s | ${fmtNum(x.podsPerSec)} | ${Math.round((x.cpu.machineMs / x.wallMs / m.nproc) * 100)}% | ${Math.round((x.cpu.stealMs / x.wallMs / m.nproc) * 100)}% | ${CPU_KINDS.map((k) => perPod(x, x.cpu.wharf[k])).join(' | ')} | ${perPod(x, wharfTotal(x.cpu.wharf))} | ${x.cpu.cgroupMs === undefined ? '–' : perPod(x, x.cpu.cgroupMs)} | ${OTHER_KINDS.map((k) => perPod(x, x.cpu.other[k])).join(' | ')} |`;
  const latRow = (x, what, s) =>
    `| ${x.mode} | ${what} | ${fmtMs(s.p50)} | ${fmtMs(s.p90)} | ${fmtMs(s.p99)} | ${fmtMs(s.max)} |`;
  const apiRow = (x) =>
    `| ${x.mode} | startedAt − creationTimestamp (API, whole seconds) | ${x.api.p50 / 1000} s | ${x.api.p90 / 1000} s | ${x.api.p99 / 1000} s | ${x.api.max / 1000} s |`;
  const own = wharfCpuPerPod(r.burst);
  const inContainer = r.burst.cpu.other.containersMs / r.burst.n;
  const worst = Math.max(r.seq.running.p99, r.burst.running.p99, r.seq.ready.p99, r.burst.ready.p99);
  const verdict =
    worst <= 5000
      ? `**met** (worst p99 create → Ready: ${fmtMs(worst)} ms)${worst < 1000 ? ', and under the 1 s aim' : `; the 1 s aim is **not met** (${fmtMs(worst)} ms)`}`
      : `**not met**: worst p99 create → Ready ${fmtMs(worst)} ms`;
  const { idle0, idle3, empty, loaded, after, containerMem: c, pods } = r.mem;
  const perAgent = (x) => (x.agents ? `${mb(x.agentRssMb)} / ${mb(x.agentPssMb)}` : '');
  const cpuCells = (x) => `${pct(x.cpuPct.api)} | ${pct(idlePct(x))}`;
  const per = (x) => `| ${x.n} | ${mb(x.rssMb)} | ${mb(x.rssMb / pods)} | ${mb(x.pssMb)} | ${mb(x.pssMb / pods)} |`;
  return `# Pod start and node memory benchmark

Generated by \`node bench/pods.mjs\` on ${m.date}. Re-running it overwrites this file.

${machineTable(m, [['runc (reference)', m.runc]], `${m.runtimeS} s`)}
## Before and after conmon

"Before" is the run of ${BEFORE.date} on this machine, when each container had a Node.js shim and a
foreground \`runc run\`; "conmon, first" the run of ${CONMON_FIRST.date} (conmon per container, but
each pod worker re-synced every second and every start forked \`runc start\`); "before CPU cuts" the
medians of 3 runs of ${BEFORE_CPU_CUTS.date} (pod workers woken by events, see \`docs/architecture.md\`;
the container started through runc's exec FIFO), alternated with runs of the code after them;
"before start order" the run of ${BEFORE_START_ORDER.date} (runtime records in memory, small runtime
files written synchronously, \`/dev/shm\` mounted by the process that makes the pod's namespaces, a
present image resolved once per store index, one TLS context per API client;
\`docs/node-runtime.md\`), when a node's start slots served the steps in the order they asked;
"before tree accounting" the run of ${BEFORE_TREE.date} (a freed slot goes to the pod the agent
took on first; \`docs/architecture.md\`), when node agents were \`wharf agent\` processes already but
this benchmark counted the \`wharf up\` process, its own helpers and the conmons only (the agents
and their commands, about 80 ms a pod, landed in "other processes": its CPU figures are not
comparable); "after" is this run, which counts every process below \`wharf up\` (see "Pod start
latency").
Latencies depend on how busy the machine was (the load average above); CPU per pod much less.

| | before (Node shim + runc run) | conmon, first | before CPU cuts | before start order | before tree accounting | after | target (issue 11) |
|---|---:|---:|---:|---:|---:|---:|---:|
| one at a time, p99 create → Ready (ms) | ${fmtMs(BEFORE.seqReadyP99)} | ${fmtMs(CONMON_FIRST.seqReadyP99)} | ${fmtMs(BEFORE_CPU_CUTS.seqReadyP99)} | ${fmtMs(BEFORE_START_ORDER.seqReadyP99)} | ${fmtMs(BEFORE_TREE.seqReadyP99)} | ${fmtMs(r.seq.ready.p99)} | ≤ 400 |
| ${PODS} at once, p50 create → Ready (ms) | | | | ${fmtMs(BEFORE_START_ORDER.burstReadyP50)} | ${fmtMs(BEFORE_TREE.burstReadyP50)} | ${fmtMs(r.burst.ready.p50)} | |
| ${PODS} at once, p99 create → Ready (ms)${r.bursts.length > 1 ? `, ${r.bursts.length} bursts pooled` : ''} | ${fmtMs(BEFORE.burstReadyP99)} | ${fmtMs(CONMON_FIRST.burstReadyP99)} | ${fmtMs(BEFORE_CPU_CUTS.burstReadyP99)} | ${fmtMs(BEFORE_START_ORDER.burstReadyP99)} | ${fmtMs(BEFORE_TREE.burstReadyP99)} | ${fmtMs(r.burst.ready.p99)} | ≤ 5000 |
| CPU per pod start, ${PODS} at once (ms): wharf + helpers + monitor (after: API server process + agents + dataplane + helpers + conmon) | ${sum3(BEFORE.cpuPerStartBurst)} | ${sum3(CONMON_FIRST.cpuPerStartBurst)} | ${sum3(BEFORE_CPU_CUTS.cpuPerStartBurst)} | ${sum3(BEFORE_START_ORDER.cpuPerStartBurst)} | ${sum3(BEFORE_TREE.cpuPerStartBurst)}, agents not counted | ${sumKinds(r.burst)} | ≤ 100 |
| CPU per pod start, one at a time (ms) | ${BEFORE.cpuPerStartSeq.wharf + BEFORE.cpuPerStartSeq.helpers + BEFORE.cpuPerStartSeq.monitor} | ${CONMON_FIRST.cpuPerStartSeq} | ${fmtMs(BEFORE_CPU_CUTS.cpuPerStartSeq)} | ${fmtMs(BEFORE_START_ORDER.cpuPerStartSeq)} | ${fmtMs(BEFORE_TREE.cpuPerStartSeq)}, agents not counted | ${fmtMs(wharfCpuPerPod(r.seq))} | ≤ 100 |
| host memory per running pod outside the container: monitor RSS (MB) | ${BEFORE.monitorRssPerPod.toFixed(1)} | ${CONMON_FIRST.monitorRssPerPod.toFixed(1)} | ${BEFORE_CPU_CUTS.monitorRssPerPod.toFixed(1)} | ${BEFORE_START_ORDER.monitorRssPerPod.toFixed(1)} | ${BEFORE_TREE.monitorRssPerPod.toFixed(1)} | ${(r.mem.containerMem.monitor.rssMb / r.mem.pods).toFixed(1)} | ≤ 5 |
| the same, PSS (MB) | ${BEFORE.monitorPssPerPod.toFixed(1)} | ${CONMON_FIRST.monitorPssPerPod.toFixed(1)} | ${BEFORE_CPU_CUTS.monitorPssPerPod.toFixed(1)} | ${BEFORE_START_ORDER.monitorPssPerPod.toFixed(1)} | ${BEFORE_TREE.monitorPssPerPod.toFixed(1)} | ${(r.mem.containerMem.monitor.pssMb / r.mem.pods).toFixed(1)} | |
| ${r.mem.pods} idle pods: CPU of Wharf's processes, helpers and monitors (% of one core) | ${BEFORE.idleWharfPct.toFixed(1)} + 0 + shims | ${CONMON_FIRST.idlePct.toFixed(1)} | ${BEFORE_CPU_CUTS.idlePct.toFixed(1)} | ${BEFORE_START_ORDER.idlePct.toFixed(1)} | ${BEFORE_TREE.idlePct.toFixed(1)}, agents not counted | ${idlePct(r.mem.loaded).toFixed(1)} | < 5 |


## How to run

\`\`\`sh
npm run build && node bench/pods.mjs     # root; runc and the CNI plugins (scripts/setup.sh installs them)
BENCH_PODS=300 node bench/pods.mjs       # more pods per mode
BENCH_BURSTS=1 node bench/pods.mjs       # one burst of pods at once instead of 3, pooled
\`\`\`

\`wharf up --nodes ${NODES}\` on a fresh temp data dir and free loopback ports (three node agents in the
wharf process, runc containers, a CNI bridge per node). \`busybox:1\` is built from Debian's
busybox-static and pushed to the built-in registry, then one warm-up pod pinned to each node
(\`spec.nodeName\`) pulls and unpacks it there, so every measured pod starts from an image already on
its node. Pods run \`sleep 3600\` (one container, the default service account token volume, no probes),
in namespace \`${NS}\`. One watch on the namespace, opened before the first create, timestamps every
event on arrival.

- **create → Running**: from just before the bench sends the pod's POST to the arrival of the
  first watch event with \`status.phase: Running\`; **→ Ready**: to the first event with the Ready
  condition True. This is what a user waiting on \`kubectl wait\` sees, including scheduling,
  the agent noticing the binding, the network namespace and CNI, the overlay root, conmon and
  runc, and the status write.
- **startedAt − creationTimestamp**: the same interval from the pod's own timestamps
  (\`containerStatuses[0].state.running.startedAt\`), which the API gives in whole seconds, so each
  value is the difference of two truncated times (±1 s).
- **one at a time**: each pod is created after the previous one is Running and Ready; the pods stay,
  so the nodes hold 0 → ${r.seq.n} pods over the run. **${PODS} at once**: all creates sent together
  over ${PODS} open connections; the scheduler spreads them (pods per node in the first burst:
  ${r.burst.perNode.join(', ')}). This runs ${r.bursts.length} times, and the "${PODS} at once" rows pool
  the ${r.burst.n} pods, as the SLO's p99 is over every pod start in its window; each burst's own p99 and
  CPU are in the second table. Each mode and burst starts with no pods (the previous one's are deleted
  and gone) on a quiet machine (below).
- **pods/s** is pods over the wall time of the mode (first create sent → last pod Ready).

## Pod start latency

| mode | interval | p50 | p90 | p99 | max |
|---|---|---:|---:|---:|---:|
${latRow(r.seq, 'create → bound to a node (ms)', r.seq.bound)}
${latRow(r.seq, 'create → Running (ms)', r.seq.running)}
${latRow(r.seq, 'create → Ready (ms)', r.seq.ready)}
${apiRow(r.seq)}
${latRow(r.burst, 'create → bound to a node (ms)', r.burst.bound)}
${latRow(r.burst, 'create → Running (ms)', r.burst.running)}
${latRow(r.burst, 'create → Ready (ms)', r.burst.ready)}
${apiRow(r.burst)}

| mode | pods | wall time | pods/s | machine CPU busy | stolen | API server process | agents | dataplane | helpers | conmon + runc create | all of Wharf | all of Wharf, by its cgroup | containers | benchmark client | kernel threads | interrupts | the rest |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${[r.seq, ...(r.bursts.length > 1 ? r.bursts : []), r.burst].map(cpuRow).join('\n')}

CPU columns are CPU time per pod (ms); "machine CPU busy" is the whole machine's busy time over the
mode in % of its ${m.nproc} cores, "stolen" the time the hypervisor gave its cores to other guests. The
Wharf columns count every process below \`wharf up\` by what it is: "API server process" is
\`wharf up\` itself (API server, controllers, scheduler); "agents" the ${NODES} \`wharf agent\`
processes (children of \`wharf up\`); "dataplane" the \`wharf dataplane\` process (Services, DNS,
network policy); "helpers" each of those processes' command spawner (\`helpers/spawner.mjs\`) and
every command a Wharf process ran and reaped (CNI plugins, \`unshare\`/\`ip\`, \`mount\`, conmon's
first process); "conmon + runc create" the conmon daemons below the data dir (children of init
once daemonised) and the \`runc create\` each ran. The rest of the machine meanwhile: "containers"
the containers' own processes below the conmons (runc's init in the container until it executes
\`sleep\`: part of starting a pod, though not a Wharf process, so not in "all of Wharf");
"all of Wharf, by its cgroup" is the same tree counted by the kernel: \`wharf up\` runs in a cgroup of
the benchmark's own, which every process it starts inherits (runc moves only the containers out), so
it counts to the nanosecond what came and went between two readings (a CNI plugin, conmon's
\`runc create\`), where the per-process columns have whole clock ticks of the reaped, or nothing;
"benchmark client" this benchmark's own process (the creates over ${PODS} TLS connections, the
watch's JSON); "kernel threads" kthreadd and its children (kworkers, ksoftirqd, rcu, …: among them
the work pods cause in the kernel, e.g. freeing a deleted pod's network namespace); "interrupts" the
softirq and irq time the kernel charges to no process (packets, timers, RCU callbacks); "the rest"
every other process (other work on a shared machine). Before each mode the benchmark waits until
the machine is quiet (${QUIET_TEXT}), so a mode does not pay for the previous one's teardown:
${[r.seq, ...r.bursts].map(quietText).join('; ')}. The largest kernel threads and other processes, in ms
per pod (a kworker is named by the work it ran last; \`kdamond\` is the kernel's memory access monitor,
busy whether pods start or not):

${[r.seq, r.burst].map(otherText).join('\n')}

Kubernetes' pod startup SLO (p99 ≤ 5 s, stateless pods, image present): ${verdict}.${
    r.bursts.length > 1
      ? ` Each burst's own p99 create → Ready: ${r.bursts.map((b) => fmtMs(b.ready.p99)).join(' / ')} ms.`
      : ''
  }

Starting a pod cost ${fmtMs(own)} ms of CPU in the ${PODS}-at-once runs (all of Wharf's processes, their helpers,
conmon and \`runc create\`), and ${fmtMs(inContainer)} ms more in the container's own process (runc's init), so
${m.nproc} cores start at most ${fmtNum((m.nproc * 1000) / (own + inContainer))} pods/s with nothing else running: ${PODS} pods
at once cannot all be Running in less than ${((PODS * (own + inContainer)) / m.nproc / 1000).toFixed(1)} s here, whatever the ordering.

### Reference: runc alone

\`runc run --detach\` of a copy of the same unpacked image root, \`sleep 3600\`, runc's default spec
(new namespaces, no network setup), ${RUNC_STARTS} starts after 2 unmeasured ones, timed from spawn to runc's exit
(the container's process is running). This is the floor under Wharf's numbers: everything above it is
the API, scheduling, the agent, CNI, conmon and the status write.

| | p50 ms | p99 ms | max ms | Wharf one at a time, create → Running p50 / runc p50 |
|---|---:|---:|---:|---:|
| runc run --detach | ${fmtMs(r.floor.start.p50)} | ${fmtMs(r.floor.start.p99)} | ${fmtMs(r.floor.start.max)} | ${fmtRatio(r.seq.running.p50 / r.floor.start.p50)} |
| runc delete --force | ${fmtMs(r.floor.del.p50)} | ${fmtMs(r.floor.del.p99)} | ${fmtMs(r.floor.del.max)} | |

## Memory

Each node agent is a \`wharf agent\` process of its own (a child of \`wharf up\`) with a command
spawner of its own; "per agent" is the two together, averaged over the ${NODES} agents. Each value is
the median of samples every 250 ms over 5 s (VmRSS from /proc/<pid>/status; PSS from
/proc/<pid>/smaps_rollup). The pod run puts **${PER_NODE} pods on each node (${pods} in all)**, pinned with
\`spec.nodeName\`.

| | \`wharf up\` process RSS MB | PSS MB | per agent, RSS / PSS MB | all of Wharf's processes, RSS MB | CPU of \`wharf up\` | CPU of Wharf and all it started |
|---|---:|---:|---:|---:|---:|---:|
| \`--nodes 0\`, idle (its own start) | ${mb(idle0.rssMb)} | ${mb(idle0.pssMb)} | | ${mb(idle0.allRssMb)} | ${cpuCells(idle0)} |
| \`--nodes ${NODES}\`, idle (nodes Ready, no image, no pods) | ${mb(idle3.rssMb)} | ${mb(idle3.pssMb)} | ${perAgent(idle3)} | ${mb(idle3.allRssMb)} | ${cpuCells(idle3)} |
| \`--nodes ${NODES}\`, ${pods} pods Running | ${mb(loaded.rssMb)} | ${mb(loaded.pssMb)} | ${perAgent(loaded)} | ${mb(loaded.allRssMb)} | ${cpuCells(loaded)} |
| \`--nodes ${NODES}\`, after all runs, pods deleted | ${mb(after.rssMb)} | ${mb(after.pssMb)} | ${perAgent(after)} | ${mb(after.allRssMb)} | ${cpuCells(after)} |

CPU is CPU time over the 5 s window in % of one core: of the \`wharf up\` process, and of every Wharf
process (agents, dataplane, spawners), the commands they reaped in the window and the conmons. An
idle pod's worker re-syncs every 30–60 s (these pods show no user ConfigMap or Secret), so what
grows with the number of pods is small.

Outside Wharf's processes, each container has its conmon (its parent and reaper, daemonised: no
\`runc\` stays running) and the container's own process. With ${pods} containers:

| processes | count | RSS sum MB | RSS per container MB | PSS sum MB | PSS per container MB |
|---|---:|---:|---:|---:|---:|
| conmon ${per(c.monitor)}
| runc (none should be left) ${per(c.runc)}
| container process (sleep) ${per(c.workload)}
| **all** ${per(c.all)}

**Host memory per running pod outside the container**: ${mb(c.monitor.rssMb / pods)} MB RSS (${mb(c.monitor.pssMb / pods)} MB PSS) of conmon,
no other process per pod; Wharf's processes grew by ${mb((loaded.allRssMb - empty.allRssMb) / pods)} MB RSS per pod from just before the
${pods} pods were created to once they ran (the agents' pod workers, and the API server's copy of the pods and their events),
so **${mb((c.monitor.rssMb + c.runc.rssMb + loaded.allRssMb - empty.allRssMb) / pods)} MB RSS per pod in all** outside the containers.
The conmons used ${pct(loaded.cpuPct.monitors)} of one core over 5 s with ${pods} idle pods; with Wharf's processes and their helpers
(table above) that is ${pct(idlePct(loaded))} for Wharf and everything it started.

Reference: conmon + runc started by hand for the same image (${CONMON_BY_HAND} containers, \`runc create\` under
conmon then \`runc start\`, as CRI-O does; no API, network or agent): conmon ${mb(r.mem.byHand.monitor.rssMb / r.mem.byHand.monitor.n)} MB RSS /
${mb(r.mem.byHand.monitor.pssMb / r.mem.byHand.monitor.n)} MB PSS per container.

RSS counts pages shared between processes (the node binary, runc's text, libc) once per process, so its
sum overstates; PSS shares them out and sums to what the containers really hold. Kernel memory of a
pod (network namespace, veth, cgroups, overlay mount, page cache of the image) is in neither.
`;
}

main()
  .catch((e) => {
    if (!wasInterrupted()) {
      console.error(e instanceof HttpError ? `${e.message}` : e);
      process.exitCode = 1;
    }
  })
  .finally(() => cleanup());
