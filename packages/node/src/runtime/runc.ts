// The runc command line (`--root <stateDir>/runc`): start, state, kill, delete, list and exec.
// `runc create` is run by conmon (conmon.ts), which stays the container's parent.
import { existsSync } from 'node:fs';
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

  /** Lets a created container's process run (its init waits on runc's exec FIFO until then). */
  async start(id: string): Promise<void> {
    await run(this.binary, ['--root', this.root, 'start', id]);
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
