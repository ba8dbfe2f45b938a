// The container shim: one small detached Node process per running container. It runs
// `runc run --keep` in the foreground (so runc stays the container's parent and reports its exit
// status), turns the container's stdout/stderr into CRI log lines, and records the exit in
// exit.json. It lives in its own session, so the node agent can stop, crash or be upgraded
// while containers keep running and logging; the agent finds them again from the files.
//
// The shim is written to disk as a standalone ES module built from the functions below
// (Function.prototype.toString), so they must use only their parameters, globals and each other.
import type * as childProcess from 'node:child_process';
import type * as fsModule from 'node:fs';

export interface ShimConfig {
  readonly runc: string;
  readonly runcRoot: string;
  readonly id: string;
  readonly bundle: string;
  readonly logPath: string;
  /** runc's own log (JSON lines): tells a failed start apart from the container's exit 1. */
  readonly runcLogPath: string;
  readonly pidFile: string;
  readonly startedPath: string;
  readonly exitPath: string;
  /** memory.oom_control of the container's cgroup, read after exit (runc --keep leaves it). */
  readonly oomControlPath: string;
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

export function shimMain(deps: { fs: typeof fsModule; child_process: typeof childProcess }, cfg: ShimConfig): void {
  const { fs, child_process } = deps;
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE'] as const) process.on(s, () => undefined);
  const base = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();
  const now = (): string => criTimestamp(base + process.hrtime.bigint());
  const logFd = fs.openSync(cfg.logPath, 'a', 0o640);
  const started = { shimPid: process.pid, startedAt: new Date().toISOString() };
  fs.writeFileSync(cfg.startedPath, JSON.stringify(started));
  const child = child_process.spawn(
    cfg.runc,
    ['--root', cfg.runcRoot, '--log', cfg.runcLogPath, '--log-format', 'json', 'run', '--keep', '--bundle', cfg.bundle, '--pid-file', cfg.pidFile, cfg.id],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let open = 2;
  let exitCode: number | undefined;
  const finish = (): void => {
    if (open > 0 || exitCode === undefined) return;
    fs.closeSync(logFd);
    let oomKilled = false;
    try {
      const m = /^oom_kill (\d+)$/m.exec(fs.readFileSync(cfg.oomControlPath, 'utf8'));
      oomKilled = !!m && Number(m[1]) > 0;
    } catch {
      // no memory cgroup: cannot have been OOM-killed by its limit
    }
    let startError: string | undefined;
    if (!fs.existsSync(cfg.pidFile)) {
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
  for (const [name, stream] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const r = splitCriLines(pending, chunk, name, now(), 16384);
      pending = r.pending;
      if (r.out) fs.writeSync(logFd, r.out);
    });
    stream.on('end', () => {
      if (pending) fs.writeSync(logFd, `${now()} ${name} F ${pending}\n`);
      open -= 1;
      finish();
    });
  }
  child.on('error', () => {
    exitCode = 128;
    open = 0;
    finish();
  });
  child.on('exit', (code, signal) => {
    exitCode = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
    finish();
  });
}

/** The shim as a standalone ES module: `node shim.mjs <shim-config.json>`. */
export function shimScript(): string {
  return [
    '// Generated by @wharf/node (runtime/shim.ts). Do not edit.',
    "import fs from 'node:fs';",
    "import child_process from 'node:child_process';",
    criTimestamp.toString(),
    splitCriLines.toString(),
    shimMain.toString(),
    "shimMain({ fs, child_process }, JSON.parse(fs.readFileSync(process.argv[2], 'utf8')));",
    '',
  ].join('\n');
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
