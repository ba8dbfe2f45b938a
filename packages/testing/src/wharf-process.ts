// Starts a real `wharf up` process on a fresh data dir and a free port, waits for its kubeconfig,
// and stops it (SIGTERM, or SIGKILL for crash tests). The e2e suites drive it only through
// real clients.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const WHARF_BIN = join(REPO_ROOT, 'packages/cli/bin/wharf.js');

/**
 * WHARF_TEST_NODE_PROCESSES=0 runs every suite's node agents inside `wharf up` (`--no-node-processes`) instead of
 * as processes of their own (the default).
 */
export const NODE_PROCESSES = process.env.WHARF_TEST_NODE_PROCESSES !== '0';

/** Ports this process handed out: a port is free again once its pick lets it go, so a pick can repeat. */
const handedOut = new Set<number>();

/**
 * A free loopback port not handed out before by this process: one below the kernel's ephemeral
 * range, or with WHARF_TEST_PORTS=FIRST-LAST one in that range (runs that share a machine keep to
 * their own ports). Not the system's pick: that comes from the ephemeral range, which every outgoing
 * connection draws its source port from, so one could take the port before the test binds it
 * (seen: a pod's httpd failing with "Address already in use" while its Wharf built an image).
 */
export async function freePort(): Promise<number> {
  const range = /^(\d+)-(\d+)$/.exec(process.env.WHARF_TEST_PORTS ?? '');
  const [first, last] = range ? [Number(range[1]), Number(range[2])] : (defaultRange ??= belowEphemeral());
  for (let tries = 0; tries < 100; tries++) {
    const port = await bind(first + Math.floor(Math.random() * (last - first + 1))).catch(() => undefined);
    if (port && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(range ? `no free port in WHARF_TEST_PORTS=${first}-${last}` : 'no free loopback port');
}

/** freePort's range without WHARF_TEST_PORTS, read once. */
let defaultRange: [number, number] | undefined;

/** Ports 10000 up to the kernel's ephemeral range (ip_local_port_range); [0, 0] (the system's pick) if too few. */
function belowEphemeral(): [number, number] {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // not Linux: the usual default
  }
  return low > 11_000 ? [10_000, low - 1] : [0, 0];
}

/** Binds `port` on loopback and lets it go: the port it got. */
function bind(port: number): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(port, '127.0.0.1', () => {
      const addr = s.address();
      const bound = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(bound));
    });
    s.on('error', rej);
  });
}

/** The ports a `wharf up` listens on. */
export interface UpPorts {
  readonly api: number;
  readonly registry: number;
  /** The Ingress gateway's HTTP and HTTPS ports (with nodes). */
  readonly ingress: number;
  readonly ingressHttps: number;
}

/** Free ports for a new `wharf up`. */
export async function freeUpPorts(api?: number, ingress?: number): Promise<UpPorts> {
  return {
    api: api ?? (await freePort()),
    registry: await freePort(),
    ingress: ingress ?? (await freePort()),
    ingressHttps: await freePort(),
  };
}

/** Free ports for a Cluster spec's `spec.ports` (`wharf cluster create`). */
export async function freeClusterPorts(): Promise<UpPorts & { console: number; git: number }> {
  return { ...(await freeUpPorts()), console: await freePort(), git: await freePort() };
}

/** The `wharf up` arguments for a data dir and its ports, without monitoring unless asked. */
export function upArgs(dataDir: string, ports: UpPorts, monitoring = false): string[] {
  const p = (n: number): string => String(n);
  return [
    'up',
    '--data-dir',
    dataDir,
    '--api-port',
    p(ports.api),
    '--registry-port',
    p(ports.registry),
    '--ingress-port',
    p(ports.ingress),
    '--ingress-https-port',
    p(ports.ingressHttps),
    ...(monitoring ? [] : ['--no-monitoring']),
  ];
}

/** What a suite needs of a running Wharf: where to reach it, and what it logged. */
export interface WharfEndpoint {
  readonly dataDir: string;
  readonly port: number;
  readonly kubeconfig: string;
  readonly url: string;
  readonly output: string;
}

export interface WharfOptions {
  /** Reuse a data dir (for restart tests); a new temporary one otherwise. */
  dataDir?: string;
  port?: number;
  /** The Ingress gateway's HTTP port, when a test must know it before the start (a redirect URI). @default free */
  ingressPort?: number;
  extraArgs?: string[];
  /**
   * Run the CLI as this user and group (the data dir must be theirs), e.g. 65534 for nobody. @default the test's own
   */
  runAs?: { uid: number; gid: number };
  /** How long to wait for the kubeconfig. @default 120000 (a machine shared by several test runs is slow) */
  readyTimeoutMs?: number;
  /**
   * Run the monitoring stack (with runc nodes it builds the Prometheus and Alertmanager images and
   * runs them as pods: minutes of CPU on a shared 2-core machine). @default false: `--no-monitoring`
   */
  monitoring?: boolean;
}

export class WharfProcess implements WharfEndpoint {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  output = '';

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    readonly registryPort: number,
    /** The Ingress gateway's HTTP and HTTPS ports (`--nodes`), the same across restarts. */
    readonly ingressPort: number,
    readonly ingressHttpsPort: number,
    readonly runAs?: { uid: number; gid: number },
  ) {}

  get kubeconfig(): string {
    return join(this.dataDir, 'kubeconfig');
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  static async start(opts: WharfOptions = {}): Promise<WharfProcess> {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wharf-e2e-'));
    if (opts.runAs && !opts.dataDir) chownSync(dataDir, opts.runAs.uid, opts.runAs.gid);
    const ports = await freeUpPorts(opts.port, opts.ingressPort);
    const w = new WharfProcess(dataDir, ports.api, ports.registry, ports.ingress, ports.ingressHttps, opts.runAs);
    await w.launch(opts);
    return w;
  }

  private async launch(opts: WharfOptions): Promise<void> {
    const ports = {
      api: this.port,
      registry: this.registryPort,
      ingress: this.ingressPort,
      ingressHttps: this.ingressHttpsPort,
    };
    const child = spawn(
      process.execPath,
      [
        WHARF_BIN,
        ...upArgs(this.dataDir, ports, opts.monitoring),
        ...(NODE_PROCESSES ? [] : ['--no-node-processes']),
        ...(opts.extraArgs ?? []),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(this.runAs ? { uid: this.runAs.uid, gid: this.runAs.gid } : {}),
      },
    );
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((res) => child.on('exit', (code) => res(code)));
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
    // Ready = the process logged readiness (the kubeconfig is written just before).
    while (!this.output.includes('wharf is ready')) {
      if (child.exitCode !== null) throw new Error(`wharf up exited with ${child.exitCode}:\n${this.output}`);
      if (Date.now() > deadline) {
        // The suite gets no WharfProcess to reset: nothing of this start may outlive it.
        child.kill('SIGKILL');
        await this.exited;
        try {
          execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', this.dataDir], { stdio: 'ignore' });
        } catch {
          // the error below is the one that matters
        }
        throw new Error(`wharf up not ready in time:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Graceful stop; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const child = this.child;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code ?? null;
  }

  /** Abrupt stop, as a crash. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Starts again on the same data dir and port. */
  async restart(opts: Omit<WharfOptions, 'dataDir' | 'port'> = {}): Promise<void> {
    await this.stop();
    this.output = '';
    await this.launch(opts);
  }

  async relaunchAfterCrash(opts: Omit<WharfOptions, 'dataDir' | 'port'> = {}): Promise<void> {
    this.output = '';
    await this.launch(opts);
  }
}
