// `wharf api-balancer`: the one address of a control plane of three API servers
// (`wharf up --control-plane-members 3`). A loopback TCP proxy on --api-port that passes TLS
// through (each API server's certificate already names 127.0.0.1) to a member that answers
// /readyz, the next one when a connection is refused. It is a process of its own, started
// detached by `wharf up` and adopted by a later start, so it outlives the loss of any API server
// and of `wharf up` itself; DIR/api-balancer.json records it, `wharf reset` stops it.
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startDetached, terminate } from './detached.js';
import { processHasArgs } from './process-check.js';
import { readRecordFile, writeRecordFile } from './json-record.js';

/** How often each member's /readyz is asked. */
const PROBE_EVERY_MS = 500;
/** A member that answers no probe this many times in a row is down: its connections are cut. */
const DOWN_AFTER_PROBES = 3;

/** DIR/api-balancer.json: the running balancer and where it listens and forwards. */
export interface BalancerRecord {
  readonly pid: number;
  readonly port: number;
  readonly backends: readonly number[];
}

const recordPath = (dataDir: string): string => join(dataDir, 'api-balancer.json');

const readRecord = (dataDir: string): BalancerRecord | undefined => readRecordFile<BalancerRecord>(recordPath(dataDir));

/** Whether `pid` is this data dir's balancer. */
const isBalancer = (pid: number | undefined, dataDir: string): boolean => processHasArgs(pid, 'api-balancer', dataDir);

/**
 * GET `path` of the API server on loopback `port` (its certificate checked against `ca`): its status
 * and body, or undefined when it does not answer within `timeoutMs`. A connection of its own, closed
 * after: a kept-alive one would hold a stopping server open.
 */
export function loopbackGet(
  port: number,
  path: string,
  ca: string,
  timeoutMs: number,
): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, ca, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      // Cut before its end (the timeout, a reset): no answer. After 'end' the promise is already settled.
      res.on('close', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/**
 * What the API server on loopback `port` answers on /readyz: 'ready' (200), 'draining' (any other
 * answer: a member stopping still serves what it has) or 'down' (no answer).
 */
async function probe(port: number, ca: string, timeoutMs: number): Promise<'ready' | 'draining' | 'down'> {
  const r = await loopbackGet(port, '/readyz', ca, timeoutMs);
  return !r ? 'down' : r.status === 200 ? 'ready' : 'draining';
}

/** Whether the API server on loopback `port` answers /readyz with 200. */
export async function readyz(port: number, ca: string, timeoutMs = 1_000): Promise<boolean> {
  return (await probe(port, ca, timeoutMs)) === 'ready';
}

/**
 * The order to try the backends in for the next connection: the healthy ones from the one after
 * the last used (round robin), then the rest, as a refused connection falls through to them.
 */
export function tryOrder(backends: readonly number[], healthy: ReadonlySet<number>, turn: number): number[] {
  const n = backends.length;
  const rotated = backends.map((_, i) => backends[(turn + i) % n] as number);
  return [...rotated.filter((p) => healthy.has(p)), ...rotated.filter((p) => !healthy.has(p))];
}

/** Connects to the first of `ports` that accepts; undefined when none does. */
function connectFirst(ports: readonly number[]): Promise<Socket | undefined> {
  const [port, ...rest] = ports;
  if (port === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const upstream = connect({ host: '127.0.0.1', port });
    upstream.once('connect', () => resolve(upstream));
    upstream.once('error', () => {
      upstream.destroy();
      resolve(connectFirst(rest));
    });
  });
}

/** Runs the balancer until SIGTERM: listens on `port`, forwards to `backends`, records itself. */
export async function runBalancer(dataDir: string, port: number, backends: readonly number[]): Promise<void> {
  const ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
  const healthy = new Set<number>(backends);
  // The connections passed to each backend, and how many probes in a row it has not answered.
  const open = new Map<number, Set<Socket>>(backends.map((p) => [p, new Set()]));
  const silent = new Map<number, number>();
  const probeAll = async (): Promise<void> => {
    const answers = await Promise.all(backends.map((p) => probe(p, ca, 1_000)));
    backends.forEach((p, i) => {
      if (answers[i] === 'ready') healthy.add(p);
      else healthy.delete(p);
      silent.set(p, answers[i] === 'down' ? (silent.get(p) ?? 0) + 1 : 0);
      // A backend hung (not stopping: that one answers 503 while it finishes its requests) holds its
      // clients' watches silent: cut them, as a load balancer shuts a down server's sessions, and
      // they reconnect to another member.
      if (silent.get(p) === DOWN_AFTER_PROBES) for (const s of open.get(p) ?? []) s.destroy();
    });
  };
  const timer = setInterval(() => void probeAll(), PROBE_EVERY_MS);
  let turn = 0;
  const server: Server = createServer((client) => {
    client.pause();
    client.on('error', () => undefined);
    void connectFirst(tryOrder(backends, healthy, turn++)).then((upstream) => {
      if (!upstream) {
        client.destroy();
        return;
      }
      const passed = open.get(upstream.remotePort ?? 0);
      passed?.add(upstream);
      upstream.on('close', () => passed?.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  writeRecordFile(recordPath(dataDir), { pid: process.pid, port, backends });
  process.on('SIGTERM', () => {
    clearInterval(timer);
    server.close();
    rmSync(recordPath(dataDir), { force: true });
    process.exit(0);
  });
}

/**
 * `wharf up`: the balancer of the data dir listening on `port` and forwarding to `backends`,
 * adopted when one runs with that plan, else (re)started. Answers its pid.
 */
export async function ensureBalancer(
  dataDir: string,
  port: number,
  backends: readonly number[],
  log: Logger,
): Promise<number> {
  const running = readRecord(dataDir);
  if (running && isBalancer(running.pid, dataDir)) {
    if (running.port === port && running.backends.join() === backends.join()) return running.pid;
    await terminate(running.pid, () => isBalancer(running.pid, dataDir));
  }
  rmSync(recordPath(dataDir), { force: true });
  const { pid } = await startDetached(
    'the API balancer',
    ['api-balancer', '--data-dir', dataDir, '--port', String(port), '--backends', backends.join(',')],
    join(dataDir, 'api-balancer.log'),
    30_000,
    (p) => (readRecord(dataDir)?.pid === p ? true : undefined),
  );
  log.info({ port, backends, pid }, 'API balancer started');
  return pid;
}

/** Stops the data dir's balancer if it runs (graceful `wharf up` stop, `wharf reset`). */
export async function stopBalancer(dataDir: string): Promise<void> {
  const pid = readRecord(dataDir)?.pid;
  if (pid) await terminate(pid, () => isBalancer(pid, dataDir));
  rmSync(recordPath(dataDir), { force: true });
}
