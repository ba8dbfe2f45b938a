import { describe, expect, it } from 'vitest';
import { containerStatus } from './container-status.js';
import type { ContainerRecord } from './store.js';

const rec: ContainerRecord = {
  id: 'c1',
  sandboxId: 's1',
  name: 'app',
  attempt: 0,
  createdAt: 't0',
  logPath: '/l',
  cgroupsPath: '/wharf/n/c1',
  config: { name: 'app', rootfs: '/r', args: ['x'] },
};
const started = { shimPid: 10, startedAt: 't1' };

describe('containerStatus', () => {
  it('derives state and reason from the monitor files', () => {
    expect(containerStatus(rec, { monitorAlive: false }).state).toBe('created');
    expect(containerStatus(rec, { started, monitorAlive: true, pid: 42 })).toMatchObject({
      state: 'running',
      pid: 42,
      startedAt: 't1',
    });
    expect(
      containerStatus(rec, { started, monitorAlive: false, exit: { exitCode: 0, finishedAt: 't2', oomKilled: false } }),
    ).toMatchObject({ state: 'exited', exitCode: 0, reason: 'Completed' });
    expect(
      containerStatus(rec, {
        started,
        monitorAlive: false,
        exit: { exitCode: 137, finishedAt: 't2', oomKilled: true },
      }),
    ).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(
      containerStatus(rec, { started, monitorAlive: false, exit: { exitCode: 2, finishedAt: 't2', oomKilled: false } }),
    ).toMatchObject({ reason: 'Error' });
    expect(
      containerStatus(rec, {
        started,
        monitorAlive: false,
        exit: { exitCode: 1, finishedAt: 't2', oomKilled: false, startError: 'exec: nope' },
      }),
    ).toMatchObject({ reason: 'StartError', exitCode: 128, message: 'exec: nope' });
  });
  it('reports a lost shim', () => {
    expect(containerStatus(rec, { started, monitorAlive: false, runcRunning: true, pid: 5 })).toMatchObject({
      state: 'running',
      message: expect.stringContaining('monitor is gone'),
    });
    expect(containerStatus(rec, { started, monitorAlive: false })).toMatchObject({
      state: 'exited',
      exitCode: 255,
      reason: 'Error',
    });
  });
});
