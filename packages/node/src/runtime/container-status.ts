// A container's status from what is on disk: the shim's started.json and exit.json, plus whether
// the shim (or, failing that, runc) still holds the process. Pure.
import type { ShimExit, ShimStarted } from './shim.js';
import type { ContainerRecord } from './store.js';
import type { ContainerStatus } from './types.js';

export interface ObservedContainer {
  readonly started?: ShimStarted;
  readonly exit?: ShimExit;
  /** The shim process is alive. */
  readonly shimAlive: boolean;
  /** runc reports the container running (only asked when the shim is gone). */
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
    if (e.startError) return { ...base, state: 'exited', startedAt, finishedAt: e.finishedAt, exitCode: 128, reason: 'StartError', message: e.startError };
    const reason = e.oomKilled ? 'OOMKilled' : e.exitCode === 0 ? 'Completed' : 'Error';
    return { ...base, state: 'exited', startedAt, finishedAt: e.finishedAt, exitCode: e.exitCode, reason };
  }
  if (o.shimAlive) return { ...base, state: 'running', startedAt, ...(o.pid ? { pid: o.pid } : {}) };
  if (o.runcRunning) {
    return { ...base, state: 'running', startedAt, ...(o.pid ? { pid: o.pid } : {}), message: 'container shim is gone: output and exit status are no longer recorded' };
  }
  return { ...base, state: 'exited', startedAt, exitCode: UNKNOWN_EXIT_CODE, reason: 'Error', message: 'container shim is gone: exit status unknown' };
}
