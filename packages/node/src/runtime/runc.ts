// The runc command line (`--root <stateDir>/runc`): start, state, kill, delete, list and exec.
// `runc create` is run by conmon (conmon.ts), which stays the container's parent.
import { constants as fsConstants, existsSync, readFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { exec, run, type ExecResult } from '../util/exec.js';

export interface RuncState {
  readonly id: string;
  readonly pid: number;
  readonly status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  readonly bundle: string;
  readonly created: string;
}

export class Runc {
  constructor(
    readonly binary: string,
    readonly root: string,
  ) {}

  /**
   * Lets a created container's process run. Its init waits to open runc's exec FIFO
   * (`<root>/<id>/exec.fifo`) for writing; `runc start` opens it for reading, reads the byte the
   * init writes (the init then execs the process) and removes it (how runc tells "running" from
   * "created" afterwards). With the init's pid that is done here, as runc's own code does it,
   * without forking runc (a Go binary: about 30 ms of CPU per start on a 2-core machine).
   */
  async start(id: string, initPid?: number, timeoutMs = 30_000): Promise<void> {
    const fifo = path.join(this.root, id, 'exec.fifo');
    if (!initPid || !existsSync(fifo)) {
      await run(this.binary, ['--root', this.root, 'start', id]);
      return;
    }
    await readExecFifo(fifo, initPid, timeoutMs);
    await rm(fifo, { force: true });
  }

  /** The container's state, or undefined when runc does not know it. */
  async state(id: string): Promise<RuncState | undefined> {
    const r = await exec(this.binary, ['--root', this.root, 'state', id]);
    if (r.code !== 0) return undefined;
    return JSON.parse(r.stdout) as RuncState;
  }

  async list(): Promise<RuncState[]> {
    const r = await exec(this.binary, ['--root', this.root, 'list', '--format', 'json']);
    if (r.code !== 0) return [];
    return (JSON.parse(r.stdout || 'null') as RuncState[] | null) ?? [];
  }

  /** Sends a signal to the container's init; false when it is not running any more. */
  async kill(id: string, signal: 'TERM' | 'KILL' | 'INT' | 'HUP' | 'QUIT' | 'USR1' | 'USR2'): Promise<boolean> {
    const r = await exec(this.binary, ['--root', this.root, 'kill', id, signal]);
    return r.code === 0;
  }

  /** Deletes the container's state and cgroups; a container runc does not know is not an error. */
  async delete(id: string): Promise<void> {
    // runc keeps a container's state in <root>/<id>: none, nothing to delete (and no fork; the
    // agent removes a container id before each create, in case a crash left one).
    if (!existsSync(path.join(this.root, id))) return;
    const r = await exec(this.binary, ['--root', this.root, 'delete', '--force', id]);
    if (r.code !== 0 && !/does not exist|not found/i.test(r.stderr)) {
      await run(this.binary, ['--root', this.root, 'delete', '--force', id]);
    }
  }

  /** Runs a process in the running container, with the container's user, env and capabilities. */
  exec(id: string, args: readonly string[], timeoutMs: number): Promise<ExecResult> {
    return exec(this.binary, ['--root', this.root, 'exec', id, ...args], { timeoutMs });
  }
}

/**
 * Opens the exec FIFO without blocking (a dead init must not hang a thread) and polls it until the
 * init's byte arrives: EOF means no writer yet, EAGAIN a writer that has not written yet. Whether the
 * init lives is asked before each read, not after: a read answered "nothing yet" while a short
 * process then wrote its byte, ran and exited before the answer was seen (a busy event loop) must
 * not make that process look dead; its byte is there for the next read.
 */
async function readExecFifo(fifo: string, initPid: number, timeoutMs: number): Promise<void> {
  const fh = await open(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  const deadline = Date.now() + timeoutMs;
  try {
    for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
      const aliveBeforeRead = processAlive(initPid);
      const n = await fh.read(Buffer.alloc(16), 0, 16, null).then(
        (r) => r.bytesRead,
        (e: NodeJS.ErrnoException) => {
          if (e.code === 'EAGAIN') return 0;
          throw e;
        },
      );
      if (n > 0) return;
      if (!aliveBeforeRead) throw new Error(`container process ${initPid} is already dead`);
      if (Date.now() > deadline)
        throw new Error(`container init ${initPid} did not open its exec FIFO within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    await fh.close();
  }
}

/** The process exists and is not a zombie. */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
