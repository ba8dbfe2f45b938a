// `wharf dataplane`: cluster DNS, the Ingress gateway and (on runc nodes) the Services' kernel
// rules in a process of their own, which `wharf up` starts once and adopts on every later start,
// as it adopts running containers. In Kubernetes, CoreDNS, ingress controllers and kube-proxy run
// beside the API server, not in it, and keep serving while it is down or upgraded; here they keep
// answering from their last known state while `wharf up` stops, crashes or is replaced by a newer
// build, and their informers resume the watch when the API returns. With three API servers the
// API stays up meanwhile, and the Service rules follow it (the `kubernetes` Service drops a
// stopped member 0). DIR/dataplane.json records the running process; `wharf reset` stops it. A `wharf up`
// of another build asks the running dataplane to hand its sockets to one of this build
// (handover.ts), so upgrading Wharf upgrades DNS and the Ingress gateway without a gap.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, type Logger } from '@wharf/client';
import {
  ClusterDns,
  ensureHostAddress,
  IngressGateway,
  type ListenerHandle,
  installClusterDnsRedirect,
  podCidrGateway,
  proxyPrefix,
  removeClusterDnsRedirect,
  ServiceProxy,
} from '@wharf/node';
import { joinedAgents } from './agent/state.js';
import { CONSOLE_HOST, consolePort } from './endpoints.js';
import { podRange } from './pod-range.js';
import { processHasArgs } from './process-check.js';
import { restartWhenGone, startDetached, terminate, waitFor, WHARF_CLI } from './detached.js';
import { handOver, inheritedFromParent, takingOver, tellServing } from './handover.js';

/** What `wharf up` asks of the dataplane; a running one with another spec is replaced. */
export interface DataplaneSpec {
  /** The API server it watches, as system:wharf:dataplane (DIR/dataplane/kubeconfig). */
  readonly apiServer: string;
  /** 0 picks a free port. */
  readonly ingressPort: number;
  readonly ingressHttpsPort: number;
  /** Bridge gateways whose port 53 is redirected to the DNS server; none: no cluster DNS. */
  readonly dnsGateways: readonly string[];
  /**
   * Where pods reach this host (the `kubernetes` endpoint's address and its device, on runc
   * nodes): the gateway's /metrics listens there, so the in-cluster Prometheus scrapes it (the
   * host reaches it too); none: on 127.0.0.1. Read-only and unauthenticated, as ingress-nginx's
   * and node-exporter's.
   */
  readonly podHost?: { readonly device: string; readonly address: string };
}

/** DIR/dataplane.json: the running dataplane process and where it serves. */
export interface DataplaneRecord {
  readonly pid: number;
  readonly spec: DataplaneSpec;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly dnsPort: number;
  /** The Ingress gateway's /metrics (nginx_ingress_controller_*): where it listens. */
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly startedAt: string;
  /** The build it runs (see dataplaneBuild); none: a build from before hand-overs. */
  readonly build?: string;
  /** It hands its sockets over on SIGUSR2 (see handover.ts). */
  readonly handsOver?: boolean;
  /** It runs the Service proxy (a build from before did not: `wharf up` then runs it itself). */
  readonly serviceProxy?: boolean;
}

const recordPath = (dataDir: string): string => join(dataDir, 'dataplane.json');
/** What `wharf up` of another build asks the running dataplane to start: `{command, args}`. */
const handoverPath = (dataDir: string): string => join(dataDir, 'dataplane-handover.json');
const HANDOVER_TIMEOUT_MS = 90_000;
/** How long the old gateway lets the requests in flight finish after the hand-over. */
const DRAIN_MS = 10_000;

let build: string | undefined;
/**
 * This build of the dataplane's code: the names, sizes and times of the compiled files of the CLI
 * and the packages the dataplane runs. A rebuilt or newer Wharf differs, and hands over.
 */
export function dataplaneBuild(): string {
  if (build) return build;
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.js')) {
        const st = statSync(p);
        h.update(`${p}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  const require = createRequire(import.meta.url);
  walk(dirname(fileURLToPath(import.meta.url)));
  for (const pkg of ['@wharf/node', '@wharf/client', '@wharf/api']) walk(dirname(require.resolve(pkg)));
  build = h.digest('hex').slice(0, 16);
  return build;
}
/** Written by `wharf up` (ApiServer.writeDataplaneKubeconfig) before the dataplane starts. */
export const dataplaneKubeconfigPath = (dataDir: string): string => join(dataDir, 'dataplane', 'kubeconfig');

function readRecord(dataDir: string): DataplaneRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(dataDir), 'utf8')) as DataplaneRecord;
  } catch {
    return undefined;
  }
}

/** host:port of the running dataplane's gateway metrics (read afresh: a restarted dataplane has another port). */
export function dataplaneMetrics(dataDir: string): string | undefined {
  const r = readRecord(dataDir);
  return r?.metricsPort ? `${r.metricsHost}:${r.metricsPort}` : undefined;
}

/** Whether `pid` is a live `wharf dataplane` of this data dir (not a recycled pid). */
function isDataplane(pid: number, dataDir: string): boolean {
  return processHasArgs(pid, 'dataplane', dataDir);
}

const sameSpec = (a: DataplaneSpec, b: DataplaneSpec): boolean =>
  a.apiServer === b.apiServer &&
  [...a.dnsGateways].sort().join() === [...b.dnsGateways].sort().join() &&
  a.podHost?.address === b.podHost?.address &&
  (b.ingressPort === 0 || a.ingressPort === b.ingressPort) &&
  (b.ingressHttpsPort === 0 || a.ingressHttpsPort === b.ingressHttpsPort);

/**
 * Adopts the data dir's running dataplane when it serves `spec`; otherwise stops whatever runs
 * and starts a new one, detached, so it outlives this process. Answers its record.
 */
export async function ensureDataplane(
  dataDir: string,
  spec: DataplaneSpec,
  log: Logger,
): Promise<DataplaneRecord & { adopted: boolean }> {
  const found = readRecord(dataDir);
  if (found && isDataplane(found.pid, dataDir)) {
    if (sameSpec(found.spec, spec)) {
      if (found.build !== dataplaneBuild() && found.handsOver) {
        const next = await requestHandover(dataDir, spec, found, log);
        if (next) return { ...next, adopted: true };
      }
      log.info(
        { pid: found.pid, since: found.startedAt },
        'adopted the running dataplane (cluster DNS, Ingress gateway)',
      );
      return { ...found, adopted: true };
    }
    log.info({ pid: found.pid }, 'the running dataplane serves another configuration: replacing it');
    await stopDataplane(dataDir);
  }
  rmSync(recordPath(dataDir), { force: true });
  const { pid, value: record } = await startDetached(
    'wharf dataplane',
    dataplaneArgs(dataDir, spec),
    join(dataDir, 'dataplane.log'),
    120_000,
    (p) => {
      const r = readRecord(dataDir);
      return r?.pid === p ? r : undefined;
    },
  );
  log.info({ pid }, 'started the dataplane (cluster DNS, Ingress gateway) as a process of its own');
  return { ...record, adopted: false };
}

function dataplaneArgs(dataDir: string, spec: DataplaneSpec): string[] {
  return [
    'dataplane',
    '--data-dir',
    dataDir,
    '--ingress-port',
    String(spec.ingressPort),
    '--ingress-https-port',
    String(spec.ingressHttpsPort),
    '--dns-gateways',
    spec.dnsGateways.join(','),
    '--api-server',
    spec.apiServer,
    ...(spec.podHost ? ['--pod-host-device', spec.podHost.device, '--pod-host-address', spec.podHost.address] : []),
  ];
}

/**
 * Asks the running dataplane (of another build) to hand its sockets to one of this build and
 * waits until that one serves. Answers its record, or undefined when the hand-over failed (the
 * old dataplane then keeps serving, and is adopted).
 */
async function requestHandover(
  dataDir: string,
  spec: DataplaneSpec,
  found: DataplaneRecord,
  log: Logger,
): Promise<DataplaneRecord | undefined> {
  writeFileSync(
    handoverPath(dataDir),
    JSON.stringify({ command: process.execPath, args: [WHARF_CLI, ...dataplaneArgs(dataDir, spec)] }),
  );
  try {
    process.kill(found.pid, 'SIGUSR2');
    const next = await waitFor('the dataplane hand-over', HANDOVER_TIMEOUT_MS, () => {
      const r = readRecord(dataDir);
      if (r && r.pid !== found.pid && r.build === dataplaneBuild() && isDataplane(r.pid, dataDir)) return r;
      if (!isDataplane(found.pid, dataDir) && !(r && isDataplane(r.pid, dataDir)))
        throw new Error('the running dataplane exited without a successor');
      return undefined;
    });
    log.info(
      { from: found.pid, to: next.pid },
      'handed the dataplane (cluster DNS, Ingress gateway) over to this build, on the same sockets',
    );
    return next;
  } catch (e) {
    log.warn({ err: e, pid: found.pid }, 'the dataplane hand-over failed: the running dataplane keeps serving');
    return undefined;
  } finally {
    rmSync(handoverPath(dataDir), { force: true });
  }
}

/**
 * While `wharf up` runs, starts the dataplane again whenever it is found gone (checked every
 * `everyMs`), as a kubelet restarts a crashed container. Answers the function that stops watching.
 */
export function superviseDataplane(dataDir: string, spec: DataplaneSpec, log: Logger, everyMs = 2000): () => void {
  return restartWhenGone(
    everyMs,
    () => {
      const found = readRecord(dataDir);
      return !found || !isDataplane(found.pid, dataDir);
    },
    () => {
      log.warn('the dataplane process is gone: starting it again');
      return ensureDataplane(dataDir, spec, log);
    },
    (e) => log.error({ err: e }, 'starting the dataplane again failed'),
  );
}

/** Stops the data dir's dataplane (SIGTERM, then SIGKILL after 10 s); answers whether one ran. */
export async function stopDataplane(dataDir: string): Promise<boolean> {
  const found = readRecord(dataDir);
  rmSync(recordPath(dataDir), { force: true });
  if (!found || !isDataplane(found.pid, dataDir)) return false;
  // Killed, it could not take its DNS redirect with it.
  if (await terminate(found.pid, () => isDataplane(found.pid, dataDir)))
    await removeClusterDnsRedirect(found.spec.dnsGateways);
  return true;
}

/**
 * Cluster DNS for the runc nodes joined with `wharf agent` under DIR/agents: each one's bridge
 * gateway gets a redirect of its own to the DNS port, added as nodes appear (checked every 3 s)
 * and removed when their record goes (`wharf reset` also removes it). Answers the function that
 * stops looking and removes them (or, after a hand-over, leaves them to the successor).
 */
function redirectJoined(
  dataDir: string,
  spec: DataplaneSpec,
  port: number,
  log: Logger,
): (remove?: boolean) => Promise<void> {
  const done = new Set<string>();
  let busy = false;
  const scan = async (): Promise<void> => {
    const wanted = new Set(
      joinedAgents(dataDir)
        .filter((a) => a.record.runtime === 'runc')
        .map((a) => podCidrGateway(a.record.podCIDR))
        .filter((g) => !spec.dnsGateways.includes(g)),
    );
    for (const gw of wanted) {
      if (done.has(gw)) continue;
      await installClusterDnsRedirect([gw], port);
      done.add(gw);
      log.info({ gateway: gw }, 'cluster DNS for a joined node: its gateway redirected');
    }
    for (const gw of [...done].filter((g) => !wanted.has(g))) {
      await removeClusterDnsRedirect([gw]);
      done.delete(gw);
    }
  };
  const tick = (): void => {
    if (busy) return;
    busy = true;
    scan()
      .catch((e: unknown) => log.error({ err: e }, 'redirecting DNS of joined nodes failed'))
      .finally(() => (busy = false));
  };
  tick();
  const timer = setInterval(tick, 3000);
  return async (remove = true) => {
    clearInterval(timer);
    if (remove) for (const gw of done) await removeClusterDnsRedirect([gw]).catch(() => undefined);
  };
}

/**
 * The Services' kernel dataplane (iptables DNAT from EndpointSlices, as kube-proxy) for the data
 * dir's pods, started and synced; it adopts the rules a previous one left. Undefined when it
 * could not start (logged: Services then keep the rules they had).
 */
export async function startServiceProxy(
  dataDir: string,
  kubeConfig: KubeConfig,
  log: Logger,
): Promise<ServiceProxy | undefined> {
  const proxy = new ServiceProxy({
    kubeConfig,
    prefix: proxyPrefix(dataDir),
    podSources: [podRange(dataDir)],
    logger: log.child({ component: 'service-proxy' }),
  });
  try {
    await proxy.start();
    if (proxy.adopted)
      log.info('adopted the Service rules left by the previous start (the same rule set: nothing rewritten)');
    return proxy;
  } catch (e) {
    log.error({ err: e }, 'the Service dataplane could not start: Services will not follow their endpoints');
    await proxy.stop().catch(() => undefined);
    return undefined;
  }
}

/**
 * The body of `wharf dataplane`: serves until SIGTERM, then removes its DNS redirect; on SIGUSR2
 * hands its sockets to the dataplane `wharf up` asked for and exits (see handover.ts).
 */
export async function runDataplane(dataDir: string, spec: DataplaneSpec): Promise<void> {
  const log = createLogger();
  const kubeConfig = new KubeConfig();
  // Its own identity, not the admin's: what it may do is the system:wharf:dataplane ClusterRole.
  kubeConfig.loadFromFile(dataplaneKubeconfigPath(dataDir));
  const inherited = takingOver() ? inheritedFromParent() : undefined;
  const dns = spec.dnsGateways.length
    ? new ClusterDns({
        kubeConfig,
        port: 0,
        redirectFrom: spec.dnsGateways,
        logger: log.child({ component: 'cluster-dns' }),
        ...(inherited ? { inherited } : {}),
      })
    : undefined;
  // The address may not be up yet on a first start (the nodes set it up too).
  if (spec.podHost) await ensureHostAddress(spec.podHost.device, spec.podHost.address);
  const metricsHost = spec.podHost?.address ?? '127.0.0.1';
  const ingress = new IngressGateway({
    kubeConfig,
    httpPort: spec.ingressPort,
    httpsPort: spec.ingressHttpsPort,
    metricsPort: 0,
    metricsHost,
    logger: log.child({ component: 'ingress-gateway' }),
    ...(inherited ? { inherited } : {}),
    // The console by name, as the issue's `http://console.localhost:8080`, for browsers on this machine.
    hostRoute: { host: CONSOLE_HOST, port: () => consolePort(dataDir), what: "wharf up's console" },
  });
  // Pods' Services on runc nodes (where pods reach this host); the rules stay when it stops.
  const [proxy] = await Promise.all([
    spec.podHost ? startServiceProxy(dataDir, kubeConfig, log) : undefined,
    dns?.start(),
    ingress.start(),
  ]);
  const joined = dns ? redirectJoined(dataDir, spec, dns.port, log) : undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.all([ingress.stop(), dns?.stop(), joined?.(), proxy?.stop()]).finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGUSR2', () => {
    if (stopping) return;
    stopping = true;
    void handOverTo(dataDir, { ...ingress.listeners, ...(dns?.listeners ?? {}) }, log).then(
      async () => {
        // The successor adopted the Service rules: this one stops writing them.
        await Promise.all([ingress.drain(DRAIN_MS), dns?.release(), joined?.(false), proxy?.stop()]);
        process.exit(0);
      },
      () => (stopping = false),
    );
  });
  const record: DataplaneRecord = {
    pid: process.pid,
    spec,
    httpPort: ingress.httpPort,
    httpsPort: ingress.httpsPort,
    dnsPort: dns?.port ?? 0,
    metricsHost,
    metricsPort: ingress.metricsPort,
    startedAt: new Date().toISOString(),
    build: dataplaneBuild(),
    handsOver: true,
    serviceProxy: proxy !== undefined,
  };
  writeFileSync(recordPath(dataDir), `${JSON.stringify(record, null, 2)}\n`);
  if (inherited) tellServing();
  log.info({ ...record, handedOver: inherited !== undefined }, 'dataplane serving');
}

/** Starts the dataplane `wharf up` asked for (DIR/dataplane-handover.json) on this one's sockets. */
async function handOverTo(dataDir: string, listeners: Record<string, ListenerHandle>, log: Logger): Promise<void> {
  try {
    const { command, args } = JSON.parse(readFileSync(handoverPath(dataDir), 'utf8')) as {
      command: string;
      args: string[];
    };
    // Only a dataplane of this data dir: the request file is the data dir's, and root's.
    if (!args.includes('dataplane') || args[args.indexOf('--data-dir') + 1] !== dataDir)
      throw new Error('the hand-over request is not for a dataplane of this data dir');
    const out = openSync(join(dataDir, 'dataplane.log'), 'a');
    try {
      const pid = await handOver(command, args, out, listeners, HANDOVER_TIMEOUT_MS - 10_000);
      log.info({ successor: pid }, 'handed the sockets over: draining, then exiting');
    } finally {
      closeSync(out);
    }
  } catch (e) {
    log.error({ err: e }, 'the hand-over failed: still serving');
    throw e;
  }
}
