import { describe, expect, it } from 'vitest';
import { SyncLoop, type SyncClock } from './sync-loop.js';

/** A clock whose timers fire only when the test advances it. */
function manualClock(): SyncClock & { advance(ms: number): Promise<void> } {
  let now = 1_000; // not 0: a change at time 0 would read as "no change"
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => void (timers = timers.filter((t) => t.id !== id)),
    async advance(ms) {
      now += ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        due.fn();
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('SyncLoop', () => {
  it('gathers a burst of changes into one sync and reports how long the first change waited', async () => {
    const clock = manualClock();
    const calls: boolean[] = [];
    const loop = new SyncLoop({ clock, coalesceMs: 50, resyncMs: 30_000, apply: async (force) => void calls.push(force), onError: () => undefined });
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
    const clock = manualClock();
    let fail = true;
    let release: () => void = () => undefined;
    const calls: string[] = [];
    const errors: unknown[] = [];
    const loop = new SyncLoop({
      clock, coalesceMs: 10, resyncMs: 1e9, onError: (e) => errors.push(e),
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
});
