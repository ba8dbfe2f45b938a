import { describe, expect, it } from 'vitest';
import { manualClock } from '@wharf/testing';
import { PeriodicPass } from './periodic-pass.js';

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
      run: () =>
        new Promise<number>((resolve) => {
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
