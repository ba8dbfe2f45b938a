// A container's status from what is on disk: the monitor's started.json and exit.json (see
// monitor.ts), plus whether the monitor (or, failing that, runc) still holds the process. Pure.
import type { ContainerRecord } from './store.js';
import type { ContainerStatus } from './types.js';

/** started.json: written once the container's process was started under its monitor. */
export interface MonitorStarted {
  /** The monitor's pid (conmon, or the process shim); 0 when the start failed. */
  readonly shimPid: number;
  readonly startedAt: string;
}

/** exit.json: written (atomically) once the container has exited and its output is flushed. */
export interface MonitorExit {
  readonly exitCode: number;
  readonly finishedAt: string;
  readonly oomKilled: boolean;
  /** Why the process never started (bad executable, mount failure...). */
  readonly startError?: string;
}

export interface ObservedContainer {
  readonly started?: MonitorStarted;
  readonly exit?: MonitorExit;
  /** The monitor process is alive. */
  readonly monitorAlive: boolean;
  /** runc reports the container running (only asked when the monitor is gone). */
  readonly runcRunning?: boolean;
  readonly pid?: number;
}

/** containerd's exit code for a process whose status is unknown. */
export const UNKNOWN_EXIT_CODE = 255;

export function containerStatus(rec: ContainerRecord, o: ObservedContainer): ContainerStatus {
  const base = {
    id: rec.id,
    sandboxId: rec.sandboxId,
    name: rec.name,
    attempt: rec.attempt,
    createdAt: rec.createdAt,
    logPath: rec.logPath,
  };
  if (!o.started) return { ...base, state: 'created' };
  const startedAt = o.started.startedAt;
  if (o.exit) {
    const e = o.exit;
    if (e.startError)
      return {
        ...base,
        state: 'exited',
        startedAt,
        finishedAt: e.finishedAt,
        exitCode: 128,
        reason: 'StartError',
        message: e.startError,
      };
    const reason = e.oomKilled ? 'OOMKilled' : e.exitCode === 0 ? 'Completed' : 'Error';
    return { ...base, state: 'exited', startedAt, finishedAt: e.finishedAt, exitCode: e.exitCode, reason };
  }
  if (o.monitorAlive) return { ...base, state: 'running', startedAt, ...(o.pid ? { pid: o.pid } : {}) };
  if (o.runcRunning) {
    return {
      ...base,
      state: 'running',
      startedAt,
      ...(o.pid ? { pid: o.pid } : {}),
      message: 'container monitor is gone: output and exit status are no longer recorded',
    };
  }
  return {
    ...base,
    state: 'exited',
    startedAt,
    exitCode: UNKNOWN_EXIT_CODE,
    reason: 'Error',
    message: 'container monitor is gone: exit status unknown',
  };
}
