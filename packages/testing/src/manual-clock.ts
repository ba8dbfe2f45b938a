// A clock whose timers fire only when the test advances it, for the time-driven parts of
// controllers and dataplanes (queues, periodic passes, sync loops) without sleeping.
import type { Clock } from '@wharf/client';

export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing each timer that falls due in order (letting promises settle between). */
  advance(ms: number): Promise<void>;
}

/** `start`: the clock's first reading (not 0 when the code under test treats 0 as "never"). */
export function manualClock(start = 0): ManualClock {
  let now = start;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  return {
    now: () => now,
    setTimeout: (fn, ms) => (timers.push({ at: now + ms, fn, id: ++next }), next),
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
