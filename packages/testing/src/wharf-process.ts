// Starts a real `wharf up` process on a fresh data dir and a free port, waits for its kubeconfig,
// and stops it (SIGTERM, or SIGKILL for crash tests). The e2e suites drive it only through
// real clients.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const WHARF_BIN = join(REPO_ROOT, 'packages/cli/bin/wharf.js');

/** WHARF_TEST_NODE_PROCESSES=1 runs every suite's node agents as processes of their own (`wharf up --node-processes`). */
export const NODE_PROCESSES = process.env.WHARF_TEST_NODE_PROCESSES === '1';

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export interface WharfOptions {
  /** Reuse a data dir (for restart tests); a new temporary one otherwise. */
  dataDir?: string;
  port?: number;
  extraArgs?: string[];
  /** Run the CLI as this user and group (the data dir must be theirs), e.g. 65534 for nobody. @default the test's own */
  runAs?: { uid: number; gid: number };
  /** How long to wait for the kubeconfig. @default 120000 (a machine shared by several test runs is slow) */
  readyTimeoutMs?: number;
  /**
   * Run the monitoring stack (with runc nodes it builds the Prometheus and Alertmanager images and
   * runs them as pods: minutes of CPU on a shared 2-core machine). @default false: `--no-monitoring`
   */
  monitoring?: boolean;
}

export class WharfProcess {
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
    const port = opts.port ?? (await freePort());
    const w = new WharfProcess(dataDir, port, await freePort(), await freePort(), await freePort(), opts.runAs);
    await w.launch(opts);
    return w;
  }

  private async launch(opts: WharfOptions): Promise<void> {
    const child = spawn(process.execPath, [WHARF_BIN, 'up', '--data-dir', this.dataDir, '--api-port', String(this.port), '--registry-port', String(this.registryPort), '--ingress-port', String(this.ingressPort), '--ingress-https-port', String(this.ingressHttpsPort), ...(opts.monitoring ? [] : ['--no-monitoring']), ...(NODE_PROCESSES ? ['--node-processes'] : []), ...(opts.extraArgs ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.runAs ? { uid: this.runAs.uid, gid: this.runAs.gid } : {}),
    });
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
