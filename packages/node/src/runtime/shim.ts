// The container shim: one small detached Node process per running container. It runs
// `runc run --keep` in the foreground (so runc stays the container's parent and reports its exit
// status) or, for the process runtime, the container's command itself in a session of its own;
// with a TTY, runc runs under util-linux `script` (runc relays the container's console to its own
// terminal, which Node cannot give it otherwise); turns the container's stdout/stderr into CRI log lines, and records the exit in exit.json. It
// lives in its own session, so the node agent can stop, crash or be upgraded while containers
// keep running and logging; the agent finds them again from the files.
//
// The shim is written to disk as a standalone ES module built from the functions below
// (Function.prototype.toString), so they must use only their parameters, globals and each other.
import type * as childProcess from 'node:child_process';
import type * as fsModule from 'node:fs';
import type * as netModule from 'node:net';
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type * as osModule from 'node:os';

interface ShimCommon {
  readonly id: string;
  readonly logPath: string;
  /** Holds the container process's host pid once it runs. */
  readonly pidFile: string;
  readonly startedPath: string;
  readonly exitPath: string;
  /**
   * Keep the container's stdin open and feed it from connections to the Unix socket STDIN_SOCKET
   * in the shim's working directory (the container dir), as `kubectl attach -i` needs. With
   * `once`, stdin closes when the first connection ends (the pod's stdinOnce). @default no stdin
   */
  readonly stdin?: { readonly once: boolean };
}

/** The stdin socket's name in the container dir (relative: a long data dir must not hit the 108-byte socket path limit). */
export const STDIN_SOCKET = 'stdin.sock';

/** A runc container: the shim runs `runc run --keep`. */
export interface RuncShimConfig extends ShimCommon {
  readonly kind?: 'runc';
  readonly runc: string;
  readonly runcRoot: string;
  readonly bundle: string;
  /** runc's own log (JSON lines): tells a failed start apart from the container's exit 1. */
  readonly runcLogPath: string;
  /** memory.oom_control of the container's cgroup, read after exit (runc --keep leaves it). */
  readonly oomControlPath: string;
  /**
   * The bundle asks for a terminal: runc runs under `script -e` (which passes on runc's exit
   * code), so the console's output is stdout and its input is script's stdin. @default false
   */
  readonly tty?: boolean;
  /** @default '/usr/bin/script' */
  readonly scriptPath?: string;
}

/** A host process (process runtime): the shim runs the command as the leader of a new session. */
export interface ProcessShimConfig extends ShimCommon {
  readonly kind: 'process';
  readonly command: HostCommand;
}

export type ShimConfig = RuncShimConfig | ProcessShimConfig;

/** A command to run on the host, resolved already (see process-command.ts). */
export interface HostCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** argv[0] as the program sees it (busybox picks its applet from it). @default file */
  readonly argv0?: string;
  /** The whole environment. @default the caller's */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** started.json: written by the shim before it starts runc. */
export interface ShimStarted {
  readonly shimPid: number;
  readonly startedAt: string;
}

/** exit.json: written (atomically) once the container has exited and its output is flushed. */
export interface ShimExit {
  readonly exitCode: number;
  readonly finishedAt: string;
  readonly oomKilled: boolean;
  /** runc's error when the process never started (bad executable, mount failure...). */
  readonly startError?: string;
}

/** CRI log lines longer than this are split into partial (`P`) lines, as the kubelet does. */
export const CRI_MAX_LINE = 16 * 1024;

/** RFC 3339 with nanoseconds, UTC, from nanoseconds since the epoch. */
export function criTimestamp(ns: bigint): string {
  const ms = Number(ns / 1000000n);
  const frac = String(ns % 1000000000n).padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** Appends `chunk` to `pending`; returns the complete CRI lines and what stays pending. */
export function splitCriLines(pending: string, chunk: string, stream: string, ts: string, maxLine: number): { out: string; pending: string } {
  let buf = pending + chunk;
  let out = '';
  for (;;) {
    const nl = buf.indexOf('\n');
    if (nl >= 0 && nl <= maxLine) {
      out += `${ts} ${stream} F ${buf.slice(0, nl)}\n`;
      buf = buf.slice(nl + 1);
    } else if (buf.length > maxLine) {
      out += `${ts} ${stream} P ${buf.slice(0, maxLine)}\n`;
      buf = buf.slice(maxLine);
    } else {
      return { out, pending: buf };
    }
  }
}

/** Field 22 (starttime, clock ticks after boot) of a /proc/<pid>/stat text. */
export function startTicks(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

export function shimMain(deps: { fs: typeof fsModule; child_process: typeof childProcess; os: typeof osModule; net: typeof netModule }, cfg: ShimConfig): void {
  const { fs, child_process, os, net } = deps;
  const tty = cfg.kind !== 'process' && cfg.tty === true;
  // A TTY gets a stdin pipe even without `stdin`: at EOF script would end the console's input.
  const stdinMode = cfg.stdin || tty ? 'pipe' : 'ignore';
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE'] as const) process.on(s, () => undefined);
  const base = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();
  const now = (): string => criTimestamp(base + process.hrtime.bigint());
  const logFd = fs.openSync(cfg.logPath, 'a', 0o640);
  const started = { shimPid: process.pid, startedAt: new Date().toISOString() };
  fs.writeFileSync(cfg.startedPath, JSON.stringify(started));
  let spawnError: string | undefined;
  const child =
    cfg.kind === 'process'
      ? // A session (and process group) of its own: stopContainer signals the whole group.
        child_process.spawn(cfg.command.file, [...cfg.command.args], {
          stdio: [stdinMode, 'pipe', 'pipe'],
          detached: true,
          ...(cfg.command.argv0 !== undefined ? { argv0: cfg.command.argv0 } : {}),
          ...(cfg.command.env ? { env: cfg.command.env } : {}),
          ...(cfg.command.cwd ? { cwd: cfg.command.cwd } : {}),
          ...(cfg.command.uid !== undefined ? { uid: cfg.command.uid } : {}),
          ...(cfg.command.gid !== undefined ? { gid: cfg.command.gid } : {}),
        })
      : tty
        ? child_process.spawn(
            cfg.scriptPath ?? '/usr/bin/script',
            ['-q', '-f', '-e', '-E', 'never', '-c', ['exec', cfg.runc, ...runcRunArgs(cfg)].map(shellQuote).join(' '), '/dev/null'],
            { stdio: [stdinMode, 'pipe', 'pipe'], env: { ...process.env, SHELL: '/bin/sh' } },
          )
        : child_process.spawn(cfg.runc, runcRunArgs(cfg), { stdio: [stdinMode, 'pipe', 'pipe'] });
  if (cfg.kind === 'process' && child.pid) {
    // The start time tells this process apart from a later one with the same pid (see ProcessRuntime).
    fs.writeFileSync(`${cfg.pidFile}.start`, startTicks(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8')));
    fs.writeFileSync(cfg.pidFile, String(child.pid));
  }
  let stdinServer: netModule.Server | undefined;
  if (cfg.stdin && child.stdin) {
    const stdin = child.stdin;
    const once = cfg.stdin.once;
    stdin.on('error', () => undefined); // EPIPE once the container stopped reading
    fs.rmSync('stdin.sock', { force: true });
    let attached = false;
    const server = net.createServer((conn) => {
      if (once && attached) {
        conn.destroy();
        return;
      }
      attached = true;
      conn.on('error', () => undefined);
      conn.pipe(stdin, { end: once });
      if (once) conn.on('close', () => stdin.end());
    });
    server.on('error', () => undefined);
    server.listen('stdin.sock');
    stdinServer = server;
  }
  let open = 2;
  let exitCode: number | undefined;
  let finished = false;
  const finish = (force = false): void => {
    if (finished || ((open > 0 && !force) || exitCode === undefined)) return;
    finished = true;
    stdinServer?.close();
    if (stdinServer) fs.rmSync('stdin.sock', { force: true });
    fs.closeSync(logFd);
    let oomKilled = false;
    try {
      if (cfg.kind !== 'process') {
        const m = /^oom_kill (\d+)$/m.exec(fs.readFileSync(cfg.oomControlPath, 'utf8'));
        oomKilled = !!m && Number(m[1]) > 0;
      }
    } catch {
      // no memory cgroup: cannot have been OOM-killed by its limit
    }
    let startError: string | undefined;
    if (cfg.kind === 'process' || spawnError) {
      startError = spawnError;
    } else if (!fs.existsSync(cfg.pidFile)) {
      try {
        for (const line of fs.readFileSync(cfg.runcLogPath, 'utf8').split('\n')) {
          if (!line) continue;
          const entry = JSON.parse(line) as { level?: string; msg?: string };
          if (entry.level === 'error' || entry.level === 'fatal') startError = entry.msg;
        }
      } catch {
        // unreadable runc log: report the exit code only
      }
      startError ??= `runc exited with ${exitCode} before starting the process`;
    }
    const exit = { exitCode, finishedAt: new Date().toISOString(), oomKilled, ...(startError ? { startError } : {}) };
    fs.writeFileSync(`${cfg.exitPath}.tmp`, JSON.stringify(exit));
    fs.renameSync(`${cfg.exitPath}.tmp`, cfg.exitPath);
    process.exit(0);
  };
  for (const [name, stream] of [['stdout', child.stdout!], ['stderr', child.stderr!]] as const) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (finished) return;
      const ts = now();
      const r = splitCriLines(pending, chunk, name, ts, 16384);
      pending = r.pending;
      // A terminal's prompt and echo have no newline: log them at once, as a partial line.
      const out = tty && pending ? `${r.out}${ts} ${name} P ${pending}\n` : r.out;
      if (tty) pending = '';
      if (out) fs.writeSync(logFd, out);
    });
    stream.on('end', () => {
      if (finished) return;
      if (pending) fs.writeSync(logFd, `${now()} ${name} F ${pending}\n`);
      pending = '';
      open -= 1;
      finish();
    });
  }
  child.on('error', (e) => {
    const file = cfg.kind === 'process' ? cfg.command.argv0 ?? cfg.command.file : tty ? cfg.scriptPath ?? '/usr/bin/script' : cfg.runc;
    spawnError = `exec: ${JSON.stringify(file)}: ${e.message}`;
    exitCode = 128;
    open = 0;
    finish();
  });
  child.on('exit', (code, signal) => {
    exitCode = code ?? 128 + ((signal && os.constants.signals[signal]) || 0);
    if (cfg.kind === 'process' && child.pid) {
      // As when a PID namespace's init exits: whatever the process left in its group goes too.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is empty already
      }
      // The pid may be reused from now on: nobody must signal it as this container.
      fs.rmSync(cfg.pidFile, { force: true });
      // A descendant that left the group may still hold the output pipes: do not wait for it.
      setTimeout(() => finish(true), 2000).unref();
    }
    finish();
  });
}

/** `runc run --keep` for the container, in the foreground. */
export function runcRunArgs(cfg: RuncShimConfig): string[] {
  return ['--root', cfg.runcRoot, '--log', cfg.runcLogPath, '--log-format', 'json', 'run', '--keep', '--bundle', cfg.bundle, '--pid-file', cfg.pidFile, cfg.id];
}

/** Quotes a word for /bin/sh. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The shim with that pid is still running this container (its command line names the container dir, so a reused pid does not count). */
export function shimAlive(pid: number, containerDir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${containerDir}/`);
  } catch {
    return false;
  }
}

/** The shim as a standalone ES module: `node shim.mjs <shim-config.json>`. */
export function shimScript(): string {
  return [
    '// Generated by @wharf/node (runtime/shim.ts). Do not edit.',
    "import fs from 'node:fs';",
    "import child_process from 'node:child_process';",
    "import os from 'node:os';",
    "import net from 'node:net';",
    criTimestamp.toString(),
    splitCriLines.toString(),
    startTicks.toString(),
    runcRunArgs.toString(),
    shellQuote.toString(),
    shimMain.toString(),
    "shimMain({ fs, child_process, os, net }, JSON.parse(fs.readFileSync(process.argv[2], 'utf8')));",
    '',
  ].join('\n');
}

/** Writes the shim to `file` unless it is there already. Running shims loaded their code: replacing the file affects only new containers. */
export async function installShim(file: string): Promise<void> {
  const script = shimScript();
  if ((await readFile(file, 'utf8').catch(() => '')) === script) return;
  await writeFile(`${file}.tmp`, script, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** One parsed CRI log line (for readers such as `kubectl logs`). */
export interface CriLogLine {
  readonly time: string;
  readonly stream: 'stdout' | 'stderr';
  readonly partial: boolean;
  readonly content: string;
}

export function parseCriLogLine(line: string): CriLogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF]) (.*)$/s.exec(line);
  if (!m) return undefined;
  return { time: m[1] ?? '', stream: m[2] as 'stdout' | 'stderr', partial: m[3] === 'P', content: m[4] ?? '' };
}
