import { describe, expect, it } from 'vitest';
import type { Clock } from './clock.js';
import { WorkQueue } from './queue.js';

function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimeout: (h) => {
      const i = timers.indexOf(h as { at: number; fn: () => void });
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms) {
      now += ms;
      for (const t of [...timers].sort((a, b) => a.at - b.at)) {
        if (t.at > now) continue;
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
  };
}

describe('WorkQueue', () => {
  it('dedups keys and re-queues a key added while it is processed', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.length).toBe(2);
    const k = await q.get();
    q.add('a');
    expect(q.length).toBe(1);
    q.done(k as string);
    expect(q.length).toBe(2);
  });

  it('backs off failures exponentially on the injected clock', async () => {
    const clock = fakeClock();
    const q = new WorkQueue({ clock, baseDelayMs: 100 });
    q.addRateLimited('a');
    q.addRateLimited('a');
    expect(q.retries('a')).toBe(2);
    clock.advance(99);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
    q.forget('a');
    expect(q.retries('a')).toBe(0);
    q.shutDown();
    expect(await q.get()).toBe(undefined);
  });
});
