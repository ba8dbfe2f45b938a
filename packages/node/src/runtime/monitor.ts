// The per-container monitor: the process that is a started container's parent, writes its CRI log
// and records its exit, so containers outlive the node agent. conmon for runc containers
// (conmon-monitor.ts), the Node shim for host processes (shim-monitor.ts). Both keep their state in
// the container's dir, so a restarted agent reads it back from files alone.
import { readdirSync, readFileSync } from 'node:fs';
import type { ContainerRecord } from './store.js';
import type { ContainerStatus } from './types.js';

/** Where a container's input goes while `kubectl attach -i` is connected. */
export interface StdinSink {
  readonly destroyed: boolean;
  write(data: Buffer): void;
  /** Closes the container's stdin when it has stdinOnce; otherwise only this attach ends. */
  end(): void;
  destroy(): void;
}

export interface ContainerMonitor {
  /** Starts the created container under its monitor; returns once its process runs; throws ContainerStartError. */
  start(rec: ContainerRecord, dir: string): Promise<void>;
  /** The container's state from its monitor's files and whether the monitor still runs. No forks. */
  status(rec: ContainerRecord, dir: string): Promise<ContainerStatus>;
  /** Ends the monitor of a container being removed (its process has been killed already). */
  release(dir: string): Promise<void>;
  /** Sets the terminal size of a running TTY container. */
  resize(rec: ContainerRecord, dir: string, width: number, height: number): Promise<void>;
  /** Connects to the running container's stdin (containers with `stdin`). */
  openStdin(rec: ContainerRecord, dir: string): Promise<StdinSink>;
}

/**
 * The monitor with that pid still watches the container in `dir` (its command line names the dir, so a reused pid does
 * not count).
 */
export function monitorAlive(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${dir}/`);
  } catch {
    return false;
  }
}

/** Processes whose command line names a container dir below `containersDir` (monitors whose records are gone). */
export function strayMonitors(containersDir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`${containersDir}/`)) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** SIGKILL, ignoring a process that is gone already. */
export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}
