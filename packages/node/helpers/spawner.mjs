// The node agents' spawner: `node spawner.mjs`, one small process beside the wharf process that
// runs the short host commands the agents need (CNI plugins, mount, unshare, runc start/delete,
// iptables) and answers with their exit code and output. Forking the large wharf process costs
// page-table copies and copy-on-write faults, and libuv blocks its event loop until each child
// has exec'd; forking this small process costs little and blocks nobody Wharf waits on.
// Protocol: one JSON request per line on stdin, { id, file, args, env?, input?, timeoutMs };
// one JSON answer per line on stdout, { id, code, stdout, stderr }. A request with `syncPipe`
// (conmon) starts a daemon instead: fd 3 is a pipe whose first line is the answer's stdout. It exits when its stdin ends
// (the wharf process is gone), and ignores the terminal's signals so a Ctrl-C that stops Wharf
// gracefully does not take the commands of its shutdown with it.
import { spawn } from 'node:child_process';
import { closeSync, openSync, realpathSync } from 'node:fs';
import { constants } from 'node:os';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => undefined);

/**
 * Starts a command that daemonises and answers on a sync pipe (fd 3; conmon's `_OCI_SYNCPIPE`):
 * no stdout or stderr pipe (the daemon would hold them open), stderr to `req.stderrFile`, its own
 * session; resolves with the pipe's first line as stdout, once written or once the pipe closed.
 */
function runWithSyncPipe(req) {
  return new Promise((resolve) => {
    let child;
    const log = openSync(req.stderrFile, 'a');
    try {
      child = spawn(req.file, req.args ?? [], {
        stdio: ['ignore', 'ignore', log, 'pipe'],
        env: req.env ?? process.env,
        cwd: req.cwd,
        detached: true,
      });
    } catch (e) {
      resolve({ id: req.id, code: 127, stdout: '', stderr: `${req.file}: ${e.message}` });
      return;
    } finally {
      closeSync(log);
    }
    const sync = child.stdio[3];
    let text = '';
    let answered = false;
    const done = (code, stderr = '') => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      sync.destroy();
      child.unref();
      resolve({ id: req.id, code, stdout: text, stderr });
    };
    const timer = setTimeout(
      () => done(124, `no answer on the sync pipe within ${req.timeoutMs} ms`),
      req.timeoutMs ?? 60_000,
    );
    child.on('error', (e) => done(127, `${req.file}: ${e.message}`));
    sync.on('data', (b) => {
      text += b.toString('utf8');
      if (text.includes('\n')) done(0);
    });
    sync.on('end', () => done(0));
  });
}

/** Runs one request; resolves with its answer (never rejects). */
export function runRequest(req) {
  if (req.syncPipe) return runWithSyncPipe(req);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(req.file, req.args ?? [], {
        env: req.env ?? process.env,
        stdio: [req.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (e) {
      resolve({ id: req.id, code: 127, stdout: '', stderr: `${req.file}: ${e.message}` });
      return;
    }
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), req.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ id: req.id, code: 127, stdout: '', stderr: `${req.file}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        id: req.id,
        code: code ?? 128 + ((signal && constants.signals[signal]) || 0),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    if (req.input !== undefined) {
      child.stdin.on('error', () => undefined); // the command exited without reading its input
      child.stdin.end(req.input);
    }
  });
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line) return;
    const req = JSON.parse(line);
    void runRequest(req).then((answer) => process.stdout.write(`${JSON.stringify(answer)}\n`));
  });
  lines.on('close', () => process.exit(0));
}
