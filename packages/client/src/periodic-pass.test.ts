import { describe, expect, it } from 'vitest';
import type { Clock } from './clock.js';
import { PeriodicPass } from './periodic-pass.js';

/** A clock whose timers fire only when the test advances it. */
function manualClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 0;
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
    },
  };
}

describe('PeriodicPass', () => {
  it('runs at start, then after the delay each pass asks for; a kick brings the next forward', async () => {
    const clock = manualClock();
    const at: number[] = [];
    const p = new PeriodicPass({ clock, run: async () => (at.push(clock.now()), 1000) });
    p.start();
    await clock.advance(0);
    await clock.advance(1000);
    expect(at).toEqual([0, 1000]);
    p.kick(50);
    await clock.advance(50);
    expect(at).toEqual([0, 1000, 1050]);
    await p.stop();
    await clock.advance(5000);
    expect(at).toEqual([0, 1000, 1050]);
  });

  it('never runs two passes at once: a kick during a pass runs one more right after it', async () => {
    const clock = manualClock();
    let release: () => void = () => undefined;
    let active = 0;
    let most = 0;
    let passes = 0;
    const p = new PeriodicPass({
      clock,
      run: () => new Promise<number>((resolve) => {
        passes++;
        most = Math.max(most, ++active);
        release = () => (active--, resolve(10_000));
      }),
    });
    p.start();
    await clock.advance(0);
    p.kick(10);
    p.kick(10);
    release();
    await new Promise((r) => setImmediate(r)); // the pass settles and schedules its successor
    await clock.advance(10);
    expect([passes, most]).toEqual([2, 1]);
    release();
    await p.stop();
  });
});
