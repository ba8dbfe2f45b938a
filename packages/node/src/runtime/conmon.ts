// conmon's command line and its launch, as CRI-O drives it: conmon forks into the background, runs
// `runc create` with the container as its child (it is the container's parent and reaper), writes
// the CRI log (`--log-path`), the exit code to `<exit-dir>/<id>`, keeps the attach socket and the
// ctl FIFO (terminal resize) in the bundle, and answers on the sync pipe (`_OCI_SYNCPIPE`,
// `--api-version 1`: `{"data": <pid>}` once created, `{"data": -1, "message": …}` on failure).
// The first conmon process exits at once; the daemon is in a session of its own.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startWithSyncPipe } from '../util/exec.js';

/** A container's files in its dir (also the OCI bundle), named for conmon's flags. */
export const CONMON_FILES = {
  /** -P: the daemonised conmon's pid. */
  conmonPid: 'conmon.pid',
  /** -p: the container's init pid (host namespace). */
  pid: 'pid',
  /** --exit-dir: conmon writes `<id>` in it, holding the exit code. */
  exitDir: 'exits',
  /** --full-attach: the attach socket (SOCK_SEQPACKET) in the bundle: input goes to the container's stdin. */
  attach: 'attach',
  /** The control FIFO conmon reads `<type> <height> <width>\n` from (type 1: terminal resize). */
  ctl: 'ctl',
  /** conmon's own stderr (its errors; no syslog). */
  log: 'conmon.log',
  /** runc's JSON log (--runtime-arg --log). */
  runcLog: 'runc.log',
} as const;

export interface ConmonContainer {
  readonly id: string;
  /** The container dir: the OCI bundle and where conmon keeps its files. */
  readonly dir: string;
  readonly logPath: string;
  /** @default false */
  readonly tty?: boolean;
  /** Keep a stdin pipe fed from the attach socket. @default false */
  readonly stdin?: boolean;
  /** Close stdin when the first attach ends (stdinOnce); otherwise it stays open. @default false */
  readonly stdinOnce?: boolean;
}

export interface ConmonOptions {
  readonly conmon: string;
  readonly runc: string;
  readonly runcRoot: string;
}

/** conmon's arguments for the container, as CRI-O passes them. */
export function conmonArgs(o: ConmonOptions, c: ConmonContainer): string[] {
  const f = (name: string): string => path.join(c.dir, name);
  return [
    '--api-version',
    '1',
    '-c',
    c.id,
    '-u',
    c.id,
    '-n',
    c.id,
    '-r',
    o.runc,
    '-b',
    c.dir,
    '-p',
    f(CONMON_FILES.pid),
    '-P',
    f(CONMON_FILES.conmonPid),
    '-l',
    `k8s-file:${c.logPath}`,
    '--exit-dir',
    f(CONMON_FILES.exitDir),
    '--full-attach',
    '--socket-dir-path',
    c.dir,
    '--runtime-arg',
    `--root=${o.runcRoot}`,
    '--runtime-arg',
    `--log=${f(CONMON_FILES.runcLog)}`,
    '--runtime-arg',
    '--log-format=json',
    ...(c.tty ? ['-t'] : []),
    ...(c.stdin ? ['-i'] : []),
    ...(c.stdin && !c.stdinOnce ? ['--leave-stdin-open'] : []),
  ];
}

/** What conmon said on the sync pipe. */
export type ConmonCreated = { readonly pid: number } | { readonly error: string };

/** Parses the first line conmon wrote on the sync pipe. */
export function parseSyncMessage(text: string): ConmonCreated {
  try {
    const m = JSON.parse(text.split('\n')[0] ?? '') as { data?: number; message?: string };
    if (typeof m.data === 'number' && m.data > 0) return { pid: m.data };
    return { error: (m.message ?? `conmon answered ${text.trim()}`).trim() };
  } catch {
    return { error: `conmon answered ${JSON.stringify(text.trim())} on its sync pipe` };
  }
}

/**
 * Starts conmon for the container (`runc create`, through the spawner: util/exec.ts); resolves once
 * the container is created (its init waits for `runc start`) or creating it failed. conmon's daemon
 * outlives the caller.
 */
export async function launchConmon(o: ConmonOptions, c: ConmonContainer, timeoutMs: number): Promise<ConmonCreated> {
  const log = path.join(c.dir, CONMON_FILES.log);
  const r = await startWithSyncPipe(o.conmon, conmonArgs(o, c), { cwd: c.dir, stderrFile: log, timeoutMs });
  if ('error' in r) return { error: `conmon: ${r.error}` };
  if (r.answer) return parseSyncMessage(r.answer);
  const why = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').pop();
  return { error: `conmon exited without creating the container${why ? `: ${why}` : ''}` };
}
