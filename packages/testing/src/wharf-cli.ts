// Runs the built `wharf` CLI as a user would and answers how it ended, never throwing: suites
// assert on the exit code and the one-line error as much as on the output.
import { execFile } from 'node:child_process';
import { WHARF_BIN } from './wharf-process.js';

export interface WharfRun {
  /** The exit code; -1 when it was killed (a timeout) or could not start. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time, for suites that bound how long a verb may take. */
  readonly ms: number;
}

export interface WharfRunOptions {
  /** @default 120000 */
  readonly timeoutMs?: number;
  readonly stdin?: string;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export function runWharf(args: readonly string[], opts: WharfRunOptions = {}): Promise<WharfRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [WHARF_BIN, ...args],
      {
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 64 << 20,
        ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
    child.stdin?.end(opts.stdin ?? '');
  });
}
