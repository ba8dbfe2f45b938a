// The process shim: `node process-shim.mjs <shim-config.json>`, one small detached Node process per
// container of the process runtime (no root, no runc; runc containers have conmon). It runs the
// container's command as the leader of a session of its own, turns its stdout/stderr into CRI log
// lines, feeds its stdin from a Unix socket, and records the exit in exit.json. It lives in its own
// session, so the node agent can stop, crash or be upgraded while containers keep running and
// logging; the agent finds them again from the files (see src/runtime/shim-monitor.ts, and
// src/runtime/shim.ts for the config's type). Plain JavaScript with no imports of the package: Node
// runs it as it is, from the sources as from an installed build.
import child_process from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** RFC 3339 with nanoseconds, UTC, from nanoseconds since the epoch. @param {bigint} ns */
export function criTimestamp(ns) {
  const ms = Number(ns / 1000000n);
  const frac = String(ns % 1000000000n).padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/**
 * Appends `chunk` to `pending`; returns the complete CRI lines (longer ones split into partial
 * `P` lines of `maxLine` characters, as the kubelet does) and what stays pending.
 * @param {string} pending @param {string} chunk @param {string} stream @param {string} ts @param {number} maxLine
 * @returns {{ out: string, pending: string }}
 */
export function splitCriLines(pending, chunk, stream, ts, maxLine) {
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

/** Field 22 (starttime, clock ticks after boot) of a /proc/<pid>/stat text. @param {string} stat */
function startTicks(stat) {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

/** Runs the container described by `cfg` (a ShimConfig) until it exits, then exits. */
export function shimMain(cfg) {
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGPIPE']) process.on(s, () => undefined);
  const base = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();
  const now = () => criTimestamp(base + process.hrtime.bigint());
  const logFd = fs.openSync(cfg.logPath, 'a', 0o640);
  fs.writeFileSync(cfg.startedPath, JSON.stringify({ shimPid: process.pid, startedAt: new Date().toISOString() }));
  let spawnError;
  const c = cfg.command;
  // A session (and process group) of its own: stopContainer signals the whole group.
  const child = child_process.spawn(c.file, [...c.args], {
    stdio: [cfg.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: true,
    ...(c.argv0 !== undefined ? { argv0: c.argv0 } : {}),
    ...(c.env ? { env: c.env } : {}),
    ...(c.cwd ? { cwd: c.cwd } : {}),
    ...(c.uid !== undefined ? { uid: c.uid } : {}),
    ...(c.gid !== undefined ? { gid: c.gid } : {}),
  });
  if (child.pid) {
    // The start time tells this process apart from a later one with the same pid (see ProcessRuntime).
    fs.writeFileSync(`${cfg.pidFile}.start`, startTicks(fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8')));
    fs.writeFileSync(cfg.pidFile, String(child.pid));
  }
  let stdinServer;
  if (cfg.stdin && child.stdin) {
    const stdin = child.stdin;
    const once = cfg.stdin.once;
    stdin.on('error', () => undefined); // EPIPE once the container stopped reading
    fs.rmSync('stdin.sock', { force: true });
    let attached = false;
    stdinServer = net.createServer((conn) => {
      if (once && attached) return conn.destroy();
      attached = true;
      conn.on('error', () => undefined);
      conn.pipe(stdin, { end: once });
      if (once) conn.on('close', () => stdin.end());
    });
    stdinServer.on('error', () => undefined);
    // Relative to the container dir (the cwd): a long data dir must not hit the 108-byte socket path limit.
    stdinServer.listen('stdin.sock');
  }
  let open = 2;
  let exitCode;
  let finished = false;
  const finish = (force = false) => {
    if (finished || (open > 0 && !force) || exitCode === undefined) return;
    finished = true;
    stdinServer?.close();
    if (stdinServer) fs.rmSync('stdin.sock', { force: true });
    fs.closeSync(logFd);
    const exit = {
      exitCode,
      finishedAt: new Date().toISOString(),
      oomKilled: false,
      ...(spawnError ? { startError: spawnError } : {}),
    };
    fs.writeFileSync(`${cfg.exitPath}.tmp`, JSON.stringify(exit));
    fs.renameSync(`${cfg.exitPath}.tmp`, cfg.exitPath);
    process.exit(0);
  };
  for (const [name, stream] of [
    ['stdout', child.stdout],
    ['stderr', child.stderr],
  ]) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      if (finished) return;
      const r = splitCriLines(pending, chunk, name, now(), cfg.maxLine);
      pending = r.pending;
      if (r.out) fs.writeSync(logFd, r.out);
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
    spawnError = `exec: ${JSON.stringify(c.argv0 ?? c.file)}: ${e.message}`;
    exitCode = 128;
    open = 0;
    finish();
  });
  child.on('exit', (code, signal) => {
    exitCode = code ?? 128 + ((signal && os.constants.signals[signal]) || 0);
    if (child.pid) {
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

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  shimMain(JSON.parse(fs.readFileSync(process.argv[2] ?? '', 'utf8')));
}
