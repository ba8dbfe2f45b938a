// Starting and measuring the processes under test: `wharf up` from the built CLI and Debian's
// etcd, each on a temporary data dir and a free loopback port; CPU time and peak RSS from /proc.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const WHARF_BIN = join(REPO_ROOT, 'packages/cli/bin/wharf.js');
export const ETCD_BIN = '/usr/bin/etcd';

/** Listens on `port` (0: any) of loopback and closes again; resolves with the port, or undefined if taken. */
function tryPort(port) {
  return new Promise((res) => {
    const s = createServer();
    s.listen(port, '127.0.0.1', () => {
      const bound = s.address().port;
      s.close(() => res(bound));
    });
    s.on('error', () => res(undefined));
  });
}

/** BENCH_PORTS=FIRST-LAST: the range a benchmark may listen in on a shared machine (any free port without). */
const range = /^(\d+)-(\d+)$/.exec(process.env.BENCH_PORTS ?? '');
let nextInRange = range ? Number(range[1]) : 0;

/** A free loopback port: any, or the next free one of BENCH_PORTS (each handed out once). */
export async function freePort() {
  if (!range) return (await tryPort(0)) ?? Promise.reject(new Error('no free port'));
  while (nextInRange <= Number(range[2])) {
    const port = await tryPort(nextInRange++);
    if (port !== undefined) return port;
  }
  throw new Error(`no free port left in BENCH_PORTS=${process.env.BENCH_PORTS}`);
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

const CLK_TCK = 100; // Linux USER_HZ

/** CPU time (ms, user+system) and memory of a live process, from /proc. */
export function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { cpuMs, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** One GET over a fresh TLS connection, certificate not checked (a fresh data dir has no CA yet). */
function probe(port, path) {
  return new Promise((res) => {
    const req = https.get(
      { host: '127.0.0.1', port, path, agent: false, rejectUnauthorized: false, timeout: 1000 },
      (r) => {
        r.resume();
        r.on('end', () => res(r.statusCode));
      },
    );
    req.on('error', () => res(0));
    req.on('timeout', () => req.destroy());
  });
}

async function waitFor(check, child, what, timeoutMs = 30_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${child.output}`);
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`${what} not ready in ${timeoutMs} ms:\n${child.output}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function launch(bin, args) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  const keep = (d) => {
    child.output += d.toString();
    if (child.output.length > 200_000) child.output = child.output.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.exited = new Promise((r) => child.on('exit', (code, signal) => r(code ?? signal)));
  return child;
}

export async function stopProcess(child) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await child.exited;
  clearTimeout(t);
}

/**
 * Spawns `wharf up` and resolves once GET /readyz answers 200, with the time from spawn to then.
 * With `waitKubeconfig`, also waits for the "wharf is ready" log line and reads the kubeconfig.
 * `port` reuses an API port (a restart on the same data dir); a free one by default. A Wharf not
 * ready within `readyTimeoutMs` is stopped. The monitoring stack runs only with `monitoring: true`,
 * so the other benchmarks measure what they measured before it existed. `cgroupProcs` starts it in
 * that cgroup (bench/lib/cgroup.mjs), with every process it starts.
 */
export async function startWharf({
  dataDir = tempDir('wharf-bench-'),
  waitKubeconfig = true,
  extraArgs = [],
  port: apiPort,
  readyTimeoutMs = 120_000,
  monitoring = false,
  cgroupProcs,
} = {}) {
  const port = apiPort ?? (await freePort());
  const t0 = performance.now();
  // BENCH_WHARF_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server.
  const nodeArgs = (process.env.BENCH_WHARF_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const registryPort = await freePort();
  const args = [
    ...nodeArgs,
    WHARF_BIN,
    'up',
    '--data-dir',
    dataDir,
    '--api-port',
    String(port),
    '--registry-port',
    String(registryPort),
    ...(monitoring ? [] : ['--no-monitoring']),
    ...extraArgs,
  ];
  // `cgroupProcs`: a cgroup's cgroup.procs, joined before node starts (the shell execs it: same pid).
  const child = cgroupProcs
    ? launch('/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', cgroupProcs, process.execPath, ...args])
    : launch(process.execPath, args);
  const ready = async (check) => {
    try {
      await waitFor(check, child, 'wharf up', readyTimeoutMs);
    } catch (e) {
      await stopProcess(child); // never leave a half-started Wharf behind
      throw e;
    }
  };
  await ready(async () => (await probe(port, '/readyz')) === 200);
  const readyMs = performance.now() - t0;
  const w = { child, pid: child.pid, port, dataDir, readyMs };
  if (!waitKubeconfig) return w;
  await ready(async () => child.output.includes('wharf is ready'));
  const kc = parseYaml(readFileSync(join(dataDir, 'kubeconfig'), 'utf8'));
  w.token = kc.users[0].user.token;
  w.ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8');
  const m = /"startupMs":(\d+)/.exec(child.output);
  w.selfReportedStartupMs = m ? Number(m[1]) : undefined;
  return w;
}

/**
 * Starts etcd on loopback with client TLS (the serving certificate and CA of a Wharf data dir, so
 * both servers are reached through the same TLS client), default durability (fsync per commit).
 */
export async function startEtcd({ pkiFrom }) {
  const dir = tempDir('etcd-bench-');
  const pki = join(dir, 'pki');
  mkdirSync(pki);
  for (const f of ['ca.crt', 'apiserver.crt', 'apiserver.key']) copyFileSync(join(pkiFrom, f), join(pki, f));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `https://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const child = launch(ETCD_BIN, [
    '--name',
    'bench',
    '--data-dir',
    join(dir, 'data'),
    '--listen-client-urls',
    clientUrl,
    '--advertise-client-urls',
    clientUrl,
    '--listen-peer-urls',
    peerUrl,
    '--initial-advertise-peer-urls',
    peerUrl,
    '--initial-cluster',
    `bench=${peerUrl}`,
    '--initial-cluster-state',
    'new',
    '--cert-file',
    join(pki, 'apiserver.crt'),
    '--key-file',
    join(pki, 'apiserver.key'),
    '--log-level',
    'warn',
    '--logger',
    'zap',
  ]);
  await waitFor(async () => (await probe(clientPort, '/health')) === 200, child, 'etcd');
  return { child, pid: child.pid, port: clientPort, ca: readFileSync(join(pki, 'ca.crt'), 'utf8'), dir };
}

export function etcdVersion() {
  return new Promise((res) => {
    const c = spawn(ETCD_BIN, ['--version']);
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', () => res(/etcd Version: (\S+)/.exec(out)?.[1] ?? 'unknown'));
    c.on('error', () => res('not installed'));
  });
}
