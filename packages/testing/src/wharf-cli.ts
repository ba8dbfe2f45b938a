// One `wharf` command run to its end, as a user at a shell runs it: exit code, stdout, stderr
// and how long it took. A command that outlives `timeoutMs` is killed (code -1).
import { execFile } from 'node:child_process';
import { WHARF_BIN } from './wharf-process.js';

export interface WharfRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function runWharf(args: readonly string[], timeoutMs = 600_000): Promise<WharfRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [WHARF_BIN, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}
