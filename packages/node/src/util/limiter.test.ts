import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter.js';

describe('Limiter', () => {
  it('runs at most `slots` tasks at once, in order of arrival, and passes results and errors through', async () => {
    const limiter = new Limiter(2);
    let now = 0;
    let peak = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const task = (i: number) => () => {
      started.push(i);
      now++;
      peak = Math.max(peak, now);
      return new Promise<number>((resolve) =>
        releases.push(() => {
          now--;
          resolve(i * 10);
        }),
      );
    };
    const results = [0, 1, 2, 3, 4].map((i) => limiter.run(task(i)));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    while (releases.length) {
      releases.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30, 40]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'still works')).toBe('still works');
  });
});

describe('Limiter ranks', () => {
  it('gives a freed slot to the lowest rank waiting, same ranks in order of arrival', async () => {
    const limiter = new Limiter(1);
    const started: string[] = [];
    let release: () => void = () => undefined;
    const task = (name: string) => () => {
      started.push(name);
      return new Promise<void>((resolve) => (release = resolve));
    };
    const all = [
      limiter.run(task('first'), 5),
      limiter.run(task('late a'), 3),
      limiter.run(task('late b'), 3),
      limiter.run(task('early'), 1),
      limiter.run(task('latest'), 9),
    ];
    for (let i = 0; i < all.length; i++) {
      await new Promise((r) => setTimeout(r, 0));
      release();
    }
    await Promise.all(all);
    expect(started).toEqual(['first', 'early', 'late a', 'late b', 'latest']);
  });
});
