// Runs a host command to completion and returns its output. Every tool the node agent drives
// (runc, ip, CNI plugins, mount) goes through here, so failures carry the command that failed.
import { Spawner } from './spawner.js';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  /** Bytes written to the command's stdin. @default nothing (stdin is /dev/null) */
  readonly input?: string;
  /** Environment of the command. @default the agent's environment */
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the command (SIGKILL) after this many milliseconds. @default 60000 */
  readonly timeoutMs?: number;
}

/** A host command exited non-zero (or could not start). */
export class CommandError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_COMMAND';
  constructor(
    readonly command: string,
    readonly result: ExecResult,
  ) {
    super(`${command} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().slice(0, 2000)}`);
    this.name = 'CommandError';
  }
}

const spawner = new Spawner();

/**
 * Runs `file args`; resolves with its exit code and output, never rejects for a non-zero exit.
 * The command is forked by the spawner helper (util/spawner.ts), not by this process.
 */
export function exec(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return spawner.run({
    file,
    args,
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.env ? { env: options.env } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
}

/**
 * Starts a daemon (conmon) in a session of its own that answers on the sync pipe `_OCI_SYNCPIPE=3`;
 * resolves with the pipe's first line (empty when it closed without one), or the error.
 */
export async function startWithSyncPipe(
  file: string,
  args: readonly string[],
  o: { readonly cwd: string; readonly stderrFile: string; readonly timeoutMs: number },
): Promise<{ answer: string } | { error: string }> {
  const r = await spawner.run({ file, args, env: { ...process.env, _OCI_SYNCPIPE: '3' }, syncPipe: true, ...o });
  return r.code === 0 ? { answer: r.stdout } : { error: r.stderr || `${file} failed (${r.code})` };
}

/** Like exec, but rejects with CommandError on a non-zero exit. */
export async function run(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const result = await exec(file, args, options);
  if (result.code !== 0) throw new CommandError(`${file} ${args.join(' ')}`, result);
  return result;
}
