// `runc exec` (or, for the process runtime, a host command) with live streams, for `kubectl
// exec`. Without a TTY the process's stdio are pipes. With a TTY, runc must run on a terminal of
// its own (it opens /dev/tty to relay the container's console), so it runs under util-linux
// `script`, which gives it a pseudo-terminal; a resize sets that terminal's size (`stty -F`), runc
// gets SIGWINCH and resizes the container's console. runc copies its terminal's size onto the
// console only after the command started, so the first size goes in the process spec instead
// (`consoleSize`, applied by runc's init before it executes the command).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { HostCommand } from './shim.js';

export interface ExecStreamOptions {
  /** Run the command on a terminal (stderr is then part of stdout). @default false */
  readonly tty?: boolean;
  /** Give the command a stdin the caller writes to. @default false (stdin is /dev/null) */
  readonly stdin?: boolean;
  /** @default '/usr/bin/script' */
  readonly scriptPath?: string;
  /** The terminal's size from the start (TTY only), so the command never sees 0x0. @default unset */
  readonly initialSize?: { readonly width: number; readonly height: number };
  /**
   * The command relays a terminal of its own (runc with a TTY): script's terminal is made raw before
   * it starts, as runc makes it once running, so early output and echo are not converted twice
   * (`\r\r\n`, a typed key shown twice). @default false
   */
  readonly relaysTerminal?: boolean;
}

export interface ExecExit {
  /** The command's exit code (128 + signal number when killed by a signal). */
  readonly exitCode: number;
  /** Set when runc could not start the command (e.g. `executable file not found in $PATH`). */
  readonly error?: string;
}

/** A command running in a container. */
export interface ExecStream {
  /** Present when `stdin` was asked for; ending it closes the command's stdin. */
  readonly stdin: Writable | undefined;
  readonly stdout: Readable;
  /** Absent with a TTY. */
  readonly stderr: Readable | undefined;
  /** Resolves once the command exited and its output streams ended. */
  readonly done: Promise<ExecExit>;
  /** Sets the terminal size (TTY only; ignored otherwise). */
  resize(width: number, height: number): void;
  /** Hangs up on the command (SIGHUP through runc), then kills runc if it is still there after 2 s. */
  kill(): void;
}

export interface RuncBinary {
  readonly binary: string;
  readonly root: string;
}

/** The parts of an OCI process spec (config.json's `process`) an exec changes. */
interface OciProcess {
  readonly args?: readonly string[];
  readonly env?: readonly string[];
  readonly terminal?: boolean;
  readonly consoleSize?: { readonly height: number; readonly width: number };
}

/**
 * Starts `cmd` in the running container `id`; see PodRuntime.execStream. With a TTY and a known
 * first size, `bundle` (the container's OCI bundle) gives the process spec the exec starts from.
 */
export async function startExec(
  runc: RuncBinary,
  id: string,
  cmd: readonly string[],
  o: ExecStreamOptions = {},
  bundle?: string,
): Promise<ExecStream> {
  const base = path.join(os.tmpdir(), `wharf-exec-${randomBytes(6).toString('hex')}`);
  const logPath = `${base}.json`;
  const size = o.initialSize && o.initialSize.width > 0 && o.initialSize.height > 0 ? o.initialSize : undefined;
  const processPath =
    o.tty && size && bundle ? await writeTtyProcess(`${base}.process.json`, bundle, cmd, size) : undefined;
  const what = processPath
    ? ['--process', processPath, id]
    : [...(o.tty ? ['-t', '--env', 'TERM=xterm'] : []), id, ...cmd];
  const runcArgs = ['--root', runc.root, '--log', logPath, '--log-format', 'json', 'exec', ...what];
  return startCommand({ file: runc.binary, args: runcArgs }, { ...o, relaysTerminal: true }, async (r) => {
    const log = await readFile(logPath, 'utf8').catch(() => '');
    await rm(logPath, { force: true });
    if (processPath) await rm(processPath, { force: true });
    // runc's own failure (not the command's) is exit 255 with an error line in its log.
    const error = r.error ?? (r.exitCode === 255 ? runcError(log) : undefined);
    return error ? { exitCode: r.exitCode, error } : r;
  });
}

/**
 * Starts a host command with live streams (with a TTY, under `script`); `after` may rewrite the
 * exit once the command ended and its output was read. The process runtime's exec.
 */
export function startCommand(
  c: HostCommand,
  o: ExecStreamOptions = {},
  after: (r: ExecExit) => Promise<ExecExit> = (r) => Promise.resolve(r),
): ExecStream {
  const stdio = [o.stdin || o.tty ? 'pipe' : 'ignore', 'pipe', o.tty ? 'ignore' : 'pipe'] as const;
  const env = c.env ?? process.env;
  const ids = {
    ...(c.cwd ? { cwd: c.cwd } : {}),
    ...(c.uid !== undefined ? { uid: c.uid } : {}),
    ...(c.gid !== undefined ? { gid: c.gid } : {}),
  };
  const child: ChildProcess = o.tty
    ? spawn(
        o.scriptPath ?? '/usr/bin/script',
        [
          '-q',
          '-f',
          '-e',
          '-E',
          'never',
          '-c',
          `${o.relaysTerminal ? 'stty raw -echo 2>/dev/null; ' : ''}${sizeTerminal(o.initialSize)}${['exec', c.file, ...c.args].map(shellQuote).join(' ')}`,
          '/dev/null',
        ],
        {
          stdio: [...stdio],
          env: { ...env, SHELL: '/bin/sh' },
          ...ids,
        },
      )
    : spawn(c.file, [...c.args], {
        stdio: [...stdio],
        env,
        ...ids,
        ...(c.argv0 !== undefined ? { argv0: c.argv0 } : {}),
      });
  let exited = false;
  const streamsEnded = Promise.all(
    [child.stdout, child.stderr].map((s) =>
      s ? new Promise<void>((r) => s.once('close', () => r())) : Promise.resolve(),
    ),
  );
  const exit = new Promise<ExecExit>((resolve) => {
    child.once('error', (e) =>
      resolve({ exitCode: 126, error: `starting ${path.basename(c.file)} failed: ${e.message}` }),
    );
    child.once('exit', (code, signal) =>
      resolve({ exitCode: code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0) }),
    );
  });
  const done = exit.then(async (r) => {
    exited = true;
    await streamsEnded;
    return after(r);
  });
  // With a TTY the stdin pipe feeds `script`; it stays open until the caller ends it.
  const stdin = o.stdin ? (child.stdin ?? undefined) : undefined;
  child.stdin?.on('error', () => undefined); // EPIPE after the command exited
  let resizing = Promise.resolve();
  return {
    stdin,
    stdout: child.stdout!,
    stderr: child.stderr ?? undefined,
    done,
    resize(width: number, height: number): void {
      if (!o.tty || !child.pid || !(width > 0 && height > 0)) return;
      const pid = child.pid;
      resizing = resizing.then(() => resizeTerminal(pid, width, height, () => exited)).catch(() => undefined);
    },
    kill(): void {
      if (exited) return;
      child.kill('SIGHUP');
      setTimeout(() => !exited && child.kill('SIGKILL'), 2000).unref();
    },
  };
}

/** Sets the size of the terminal that `script` (pid) gave runc; waits briefly for runc to appear. */
async function resizeTerminal(scriptPid: number, width: number, height: number, exited: () => boolean): Promise<void> {
  // Up to 10 s: a loaded machine can take that long to start script and runc.
  for (let i = 0; i < 400 && !exited(); i++) {
    const children = (await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').catch(() => ''))
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const tty = children[0] ? await readlink(`/proc/${children[0]}/fd/0`).catch(() => '') : '';
    if (tty.startsWith('/dev/pts/')) {
      await new Promise<void>((resolve) => {
        const p = spawn('stty', ['-F', tty, 'rows', String(Math.floor(height)), 'cols', String(Math.floor(width))], {
          stdio: 'ignore',
        });
        p.once('error', () => resolve());
        p.once('exit', () => resolve());
      });
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Shell prefix that sizes script's terminal before runc starts: runc copies that size to the
 * container's console as it starts the command, so a command that reads its size at once sees it.
 */
function sizeTerminal(size: ExecStreamOptions['initialSize']): string {
  if (!size || !(size.width > 0 && size.height > 0)) return '';
  return `stty rows ${Math.floor(size.height)} cols ${Math.floor(size.width)} 2>/dev/null; `;
}

/** Writes the process spec of a TTY exec (see ttyExecProcess) to `file`; returns `file`. */
async function writeTtyProcess(
  file: string,
  bundle: string,
  cmd: readonly string[],
  size: { readonly width: number; readonly height: number },
): Promise<string> {
  const spec = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8')) as { process: OciProcess };
  await writeFile(file, JSON.stringify(ttyExecProcess(spec.process, cmd, size)), { mode: 0o600 });
  return file;
}

/**
 * The container's own process spec (user, env, cwd, capabilities) running `cmd` on a terminal of
 * the client's size, as `runc exec -t --env TERM=xterm` would build it, plus the size.
 */
export function ttyExecProcess(
  container: OciProcess,
  cmd: readonly string[],
  size: { readonly width: number; readonly height: number },
): OciProcess {
  return {
    ...container,
    args: cmd,
    env: [...(container.env ?? []).filter((e) => !e.startsWith('TERM=')), 'TERM=xterm'],
    terminal: true,
    consoleSize: { height: Math.floor(size.height), width: Math.floor(size.width) },
  };
}

/** The last error message in runc's JSON log. */
function runcError(log: string): string | undefined {
  let msg: string | undefined;
  for (const line of log.split('\n')) {
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string };
      if ((e.level === 'error' || e.level === 'fatal') && e.msg) msg = e.msg;
    } catch {
      // not a JSON line
    }
  }
  return msg;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
