// Starting the long-lived processes `wharf up` hands work to (the dataplane, node agents): detached
// from `wharf up` so they outlive it, output appended to a log file, and waited for until they
// report themselves serving; one that exits first is reported with the last lines of its log.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The wharf command line's entry (packages/cli/bin/wharf.js). */
export const WHARF_CLI = fileURLToPath(new URL('../bin/wharf.js', import.meta.url));

/**
 * Node flags for the processes started here, from WHARF_CHILD_NODE_ARGS (space-separated): how one
 * profiles an agent (`--cpu-prof --cpu-prof-dir=DIR`, which NODE_OPTIONS refuses).
 */
const childNodeArgs = (): string[] => (process.env.WHARF_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Polls `check` every 100 ms until it answers a value; throws after `ms`. */
export async function waitFor<T>(what: string, ms: number, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts `wharf <args>` detached, its output appended to `logPath`, and waits until `ready(pid)`
 * answers a value (read from the record the process writes). Answers it with the pid.
 */
export async function startDetached<T>(
  what: string,
  args: readonly string[],
  logPath: string,
  timeoutMs: number,
  ready: (pid: number) => T | undefined,
): Promise<{ pid: number; value: T }> {
  const out = openSync(logPath, 'a');
  const child = spawn(process.execPath, [...childNodeArgs(), WHARF_CLI, ...args], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  const pid = child.pid ?? -1;
  const value = await waitFor(`${what} to serve`, timeoutMs, () => {
    if (child.exitCode !== null) {
      // The log's last lines say why, also when the data dir is gone by the time someone looks.
      const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n  ');
      throw new Error(`${what} exited with ${child.exitCode}; the last lines of ${logPath}:\n  ${tail}`);
    }
    return ready(pid);
  });
  return { pid, value };
}

/**
 * Stops `pid` (`signal`, SIGTERM unless told, then SIGKILL after `graceMs`) while `alive()`; answers whether it had to
 * be killed.
 */
export async function terminate(
  pid: number,
  alive: () => boolean,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> {
  if (!alive()) return false;
  process.kill(pid, signal);
  try {
    await waitFor(`pid ${pid} to stop`, graceMs, () => (alive() ? undefined : true));
    return false;
  } catch {
    process.kill(pid, 'SIGKILL');
    await waitFor(`pid ${pid} to die`, 5_000, () => (alive() ? undefined : true)).catch(() => undefined);
    return true;
  }
}

/**
 * While `wharf up` runs, calls `restart` whenever `gone()` (checked every `everyMs`), one restart
 * at a time, as a kubelet restarts a crashed container. Answers the function that stops watching.
 */
export function restartWhenGone(
  everyMs: number,
  gone: () => boolean,
  restart: () => Promise<unknown>,
  onError: (e: unknown) => void,
): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy || !gone()) return;
    busy = true;
    restart()
      .catch(onError)
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
