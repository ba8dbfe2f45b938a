import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { restartWhenGone, terminate, waitFor } from './detached.js';

describe('restartWhenGone', () => {
  afterEach(() => vi.useRealTimers());

  it('restarts only what is gone, one restart at a time, until told to stop', async () => {
    vi.useFakeTimers();
    let gone = false;
    let restarts = 0;
    let finish: (() => void) | undefined;
    const stop = restartWhenGone(
      1000,
      () => gone,
      () => {
        restarts++;
        return new Promise<void>((r) => (finish = r));
      },
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(3000);
    expect(restarts).toBe(0);
    gone = true;
    await vi.advanceTimersByTimeAsync(3000);
    expect(restarts).toBe(1); // still restarting: not a second one
    finish?.();
    await vi.advanceTimersByTimeAsync(1000);
    expect(restarts).toBe(2);
    finish?.();
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(restarts).toBe(2);
  });

  it('hands a failed restart to onError and tries again on the next check', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    const stop = restartWhenGone(
      500,
      () => true,
      () => Promise.reject(new Error('no')),
      (e) => errors.push(e),
    );
    await vi.advanceTimersByTimeAsync(1600);
    stop();
    expect(errors.map((e) => (e as Error).message)).toEqual(['no', 'no', 'no']);
  });
});

describe('terminate and waitFor', () => {
  it('stops a process with SIGTERM within the grace period', async () => {
    const child = spawn('sleep', ['30']);
    let alive = true;
    child.on('exit', () => (alive = false));
    expect(await terminate(child.pid!, () => alive, 5000)).toBe(false);
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('kills a process that ignores SIGTERM, and says so', async () => {
    const child = spawn('sh', ['-c', 'trap "" TERM; echo ready; sleep 30 & wait']);
    await new Promise((r) => child.stdout.once('data', r));
    let alive = true;
    child.on('exit', () => (alive = false));
    expect(await terminate(child.pid!, () => alive, 300)).toBe(true);
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('names what it waited for when time runs out', async () => {
    await expect(waitFor('the moon', 150, () => undefined)).rejects.toThrow(
      'timed out after 150 ms waiting for the moon',
    );
  });
});
