// Runs a real kubectl binary against a Wharf kubeconfig with its own discovery cache, so every
// suite starts cold as a new user's kubectl would.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './wharf-process.js';

export const KUBECTL_132 = '/usr/bin/kubectl';
export const KUBECTL_120 = join(REPO_ROOT, '.tools/kubectl-1.20/usr/bin/kubectl');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Kubectl {
  private readonly cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));

  constructor(
    private readonly kubeconfig: string,
    private readonly binary = KUBECTL_132,
  ) {}

  /** Runs kubectl; never throws on a non-zero exit (tests assert on the result). */
  run(
    args: string[],
    opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {},
  ): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args], {
        env: { ...process.env, HOME: this.cacheDir, ...(opts.env ?? {}) },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 150_000);
      child.on('error', reject);
      // A kubectl that exits before reading its stdin (a refused request) must not fail the run with EPIPE.
      child.stdin.on('error', () => undefined);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(opts.stdin ?? '');
    });
  }

  /** Runs kubectl and fails with its stderr unless it exits 0. */
  async ok(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Starts a long-running kubectl (e.g. get -w) and returns a handle to read and stop it. */
  spawn(args: string[]): {
    output: () => string;
    write: (text: string) => void;
    stop: () => void;
    done: Promise<number>;
  } {
    const child = spawn(this.binary, ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cacheDir, ...args], {
      env: { ...process.env, HOME: this.cacheDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.on('error', () => undefined);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
    return {
      output: () => out,
      write: (text) => void child.stdin.write(text),
      stop: () => child.kill('SIGTERM'),
      done,
    };
  }
}

/** Polls `check` until it returns a value, or fails after `timeoutMs` with the last error. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
