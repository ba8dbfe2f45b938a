// One control-plane `wharf up` shared by the e2e files that need no node, no flag and no restart
// of their own (each of them works in namespaces and names of its own). The first file to ask
// starts it under a lock and records it in a state file in the e2e run's folder; later files
// attach to it; the e2e global teardown stops it (stopSharedWharf). It outlives the file that
// started it, so it is not that file's child in any way that matters: its output goes to a file.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUpPorts, upArgs, WHARF_BIN, type WharfEndpoint } from './wharf-process.js';

interface SharedState {
  readonly pid: number;
  readonly dataDir: string;
  readonly port: number;
  readonly log: string;
}

/** Ready and lock deadlines: a start on a loaded 2-core machine, as WharfProcess allows. */
const READY_MS = 120_000;
const POLL_MS = 50;

const sharedDir = (runDir: string): string => join(runDir, 'shared-wharf');
const statePath = (runDir: string): string => join(sharedDir(runDir), 'state.json');

function runDirOrThrow(): string {
  const runDir = process.env.WHARF_E2E_RUN_DIR;
  if (!runDir)
    throw new Error(
      'sharedWharf: WHARF_E2E_RUN_DIR is not set; run the file with `npx vitest run --project e2e` (e2e/global-setup.ts sets it)',
    );
  return runDir;
}

function readState(runDir: string): SharedState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(runDir), 'utf8')) as SharedState;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (a process reparented to a PID 1 that does not reap stays in /proc). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const logText = (log: string): string => readFileSync(log, 'utf8');

class SharedEndpoint implements WharfEndpoint {
  private readonly logOffset: number;

  constructor(private readonly state: SharedState) {
    this.logOffset = statSync(state.log).size;
  }

  get dataDir(): string {
    return this.state.dataDir;
  }

  get port(): number {
    return this.state.port;
  }

  get kubeconfig(): string {
    return join(this.state.dataDir, 'kubeconfig');
  }

  get url(): string {
    return `https://127.0.0.1:${this.state.port}`;
  }

  /** What the process logged since this file attached to it. */
  get output(): string {
    return readFileSync(this.state.log).subarray(this.logOffset).toString();
  }
}

/** Starts `wharf up` (control plane only) with its output in a file; resolves once it is ready. */
async function launch(runDir: string): Promise<SharedState> {
  const dir = sharedDir(runDir);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const log = join(dir, 'wharf.log');
  const ports = await freeUpPorts();
  const out = openSync(log, 'a');
  // Not detached: Ctrl-C of the run reaches it with the rest of the process group.
  const child = spawn(process.execPath, [WHARF_BIN, ...upArgs(dataDir, ports)], { stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  const deadline = Date.now() + READY_MS;
  while (!logText(log).includes('wharf is ready')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `shared wharf up ${child.exitCode !== null ? `exited with ${child.exitCode}` : 'not ready in time'}:\n${logText(log)}`,
      );
    }
    await sleep(POLL_MS);
  }
  return { pid: child.pid ?? 0, dataDir, port: ports.api, log };
}

/** The run's shared control-plane Wharf, started by the first file that asks. */
export async function sharedWharf(): Promise<WharfEndpoint> {
  const runDir = runDirOrThrow();
  mkdirSync(sharedDir(runDir), { recursive: true });
  const lock = join(sharedDir(runDir), 'lock');
  const deadline = Date.now() + READY_MS;
  for (;;) {
    const state = readState(runDir);
    if (state) {
      if (!processAlive(state.pid))
        throw new Error(`the shared wharf up (pid ${state.pid}) is gone; its log:\n${logText(state.log).slice(-4000)}`);
      return new SharedEndpoint(state);
    }
    try {
      closeSync(openSync(lock, 'wx'));
    } catch {
      // Another file is starting it: its state file appears, or its lock goes when it failed.
      if (Date.now() > deadline) throw new Error(`sharedWharf: ${lock} held for over ${READY_MS} ms`);
      await sleep(POLL_MS);
      continue;
    }
    try {
      const started = await launch(runDir);
      const tmp = `${statePath(runDir)}.tmp`;
      writeFileSync(tmp, JSON.stringify(started));
      renameSync(tmp, statePath(runDir));
      return new SharedEndpoint(started);
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

/** Stops the run's shared Wharf, if a file started one (graceful, then SIGKILL after 20 s). */
export async function stopSharedWharf(runDir: string): Promise<void> {
  const state = readState(runDir);
  if (!state || !processAlive(state.pid)) return;
  const signal = (s: NodeJS.Signals): void => {
    try {
      process.kill(state.pid, s);
    } catch {
      // gone between the check and the signal
    }
  };
  signal('SIGTERM');
  const killAt = Date.now() + 20_000;
  while (processAlive(state.pid)) {
    if (Date.now() > killAt) signal('SIGKILL');
    await sleep(POLL_MS);
  }
}
