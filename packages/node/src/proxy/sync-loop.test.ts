import { describe, expect, it } from 'vitest';
import { manualClock } from '@wharf/testing';
import { SyncLoop } from './sync-loop.js';

/** A loop on a manual clock whose syncs only note their `force`. */
function recordingLoop(coalesceMs: number): {
  clock: ReturnType<typeof manualClock>;
  loop: SyncLoop;
  calls: boolean[];
} {
  const clock = manualClock(1_000);
  const calls: boolean[] = [];
  const loop = new SyncLoop({
    clock,
    coalesceMs,
    resyncMs: 30_000,
    apply: async (force) => void calls.push(force),
    onError: () => undefined,
  });
  return { clock, loop, calls };
}

describe('SyncLoop', () => {
  it('gathers a burst of changes into one sync and reports how long the first change waited', async () => {
    const { clock, loop, calls } = recordingLoop(50);
    loop.begin();
    loop.settled();
    loop.changed();
    await clock.advance(20);
    loop.changed();
    loop.changed();
    await clock.advance(30);
    expect(calls).toEqual([false]);
    expect(loop.lastSyncDelayMs).toBe(50);
    await clock.advance(30_000);
    expect(calls).toEqual([false, true]);
    await loop.stop();
  });

  it('runs one more sync for changes made during a sync, and retries a failed one after 1 s', async () => {
    const clock = manualClock(1_000);
    let fail = true;
    let release: () => void = () => undefined;
    const calls: string[] = [];
    const errors: unknown[] = [];
    const loop = new SyncLoop({
      clock,
      coalesceMs: 10,
      resyncMs: 1e9,
      onError: (e) => errors.push(e),
      apply: async () => {
        calls.push('sync');
        if (calls.length === 1) await new Promise<void>((r) => (release = r));
        if (calls.length === 2 && fail) {
          fail = false;
          throw new Error('iptables-restore failed');
        }
      },
    });
    loop.begin();
    loop.settled();
    loop.changed();
    await clock.advance(10);
    const first = loop.sync(false); // during the running sync: queued as "again"
    release();
    await first;
    expect(calls).toEqual(['sync', 'sync']);
    expect(errors).toHaveLength(1);
    await clock.advance(1000);
    await clock.advance(10);
    expect(calls).toEqual(['sync', 'sync', 'sync']);
    await loop.stop();
    loop.changed();
    await clock.advance(100);
    expect(calls).toHaveLength(3);
  });

  it('holds the changes seen while the informers first list until the first rule set is written', async () => {
    const { clock, loop, calls } = recordingLoop(100);
    loop.begin();
    loop.changed(); // the first list of one informer, while another still lists
    await clock.advance(500);
    expect(calls).toEqual([]);
    loop.settled(); // the caller wrote (or adopted) the first rule set
    await clock.advance(100);
    expect(calls).toEqual([false]);
    await loop.stop();
  });
});
