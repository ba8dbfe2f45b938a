// Undo steps that run once, newest first: at the end of a benchmark, when it fails, and on
// Ctrl-C or SIGTERM. `startWharfCleanly` registers the stop and `wharf reset` of its data dir
// before it starts the process, so even a start that fails half-way is cleaned up.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { processTable } from './mem.mjs';
import { WHARF_BIN, startWharf, stopProcess, tempDir } from './procs.mjs';

const run = promisify(execFile);
const steps = [];
let running;

/** Registers an undo step. */
export function onCleanup(step) {
  steps.push(step);
}

/**
 * Runs the registered steps, newest first, each once; a failing step is reported and the rest
 * still run. A call while a cleanup is running waits for that one.
 */
export function cleanup() {
  running ??= (async () => {
    while (steps.length) {
      const step = steps.pop();
      try {
        await step();
      } catch (e) {
        console.error(`cleanup: ${e?.message ?? e}`);
      }
    }
  })().finally(() => {
    running = undefined;
  });
  return running;
}

let interrupted = false;
export const wasInterrupted = () => interrupted;

/** Runs a benchmark's main: a failure (not a Ctrl-C) is printed and sets exit code 1; cleanup runs either way. */
export function runBench(main) {
  return main()
    .catch((e) => {
      if (!interrupted) {
        process.stderr.write(`${e.stack ?? e}\n`);
        process.exitCode = 1;
      }
    })
    .finally(() => cleanup());
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** Pids of `wharf up` processes serving `dataDir` (found by their command line). */
function wharfPids(dataDir) {
  return processTable()
    .filter(
      (p) =>
        p.argv.includes(WHARF_BIN) && p.argv.includes('up') && p.argv[p.argv.indexOf('--data-dir') + 1] === dataDir,
    )
    .map((p) => p.pid);
}

async function waitGone(pid, ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * `wharf up` on a fresh temp data dir; cleanup stops it, runs `wharf reset --data-dir` (containers,
 * namespaces, bridges, mounts, cgroups of its nodes) and removes the dir.
 */
export async function startWharfCleanly(extraArgs, opts = {}) {
  const dataDir = tempDir('wharf-bench-');
  let w;
  onCleanup(async () => {
    if (w) await stopProcess(w.child);
    for (const pid of wharfPids(dataDir)) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitGone(pid, 15_000))) process.kill(pid, 'SIGKILL');
    }
    await run(process.execPath, [WHARF_BIN, 'reset', '--data-dir', dataDir], { timeout: 300_000 });
    rmSync(dataDir, { recursive: true, force: true });
  });
  w = await startWharf({ dataDir, extraArgs, ...opts });
  return w;
}
