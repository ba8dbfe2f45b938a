import { describe, expect, it } from 'vitest';
import type { Outcome } from './channels/response.js';
import { backoffBefore, deliver, type DeliveryDeps, type DeliveryTarget } from './delivery.js';

/** A channel answering from a script of outcomes (true = success), then the last one forever. */
function scripted(
  name: string,
  script: boolean[],
  fallback?: string,
  maxAttempts = 3,
): DeliveryTarget & { calls: number } {
  const t = {
    name,
    calls: 0,
    policy: { maxAttempts, backoffMs: 100 },
    ...(fallback ? { fallback } : {}),
    send: async (): Promise<Outcome> => {
      const ok = script[Math.min(t.calls, script.length - 1)]!;
      t.calls += 1;
      return ok
        ? { success: true, httpStatus: 200, code: '0' }
        : { success: false, httpStatus: 200, code: '310000', message: 'sign not match' };
    },
  };
  return t;
}

function deps(targets: DeliveryTarget[]): DeliveryDeps & { sleeps: number[]; log: string[] } {
  const d = {
    sleeps: [] as number[],
    log: [] as string[],
    resolve: async (n: string) => targets.find((t) => t.name === n),
    record: (c: string, attempt: number, o: Outcome, fallbackFor: string | undefined) =>
      d.log.push(`${c}#${attempt}:${o.success ? 'ok' : o.code}${fallbackFor ? ` for ${fallbackFor}` : ''}`),
    sleep: async (ms: number) => void d.sleeps.push(ms),
  };
  return d;
}

describe('delivery', () => {
  it('doubles the back-off between attempts, capped at 30 s', () => {
    const p = { maxAttempts: 10, backoffMs: 1000 };
    expect([1, 2, 3, 4].map((a) => backoffBefore(a, p))).toEqual([0, 1000, 2000, 4000]);
    expect(backoffBefore(10, p)).toBe(30_000);
  });

  it('retries a failing channel with back-off until it succeeds', async () => {
    const ding = scripted('ding', [false, false, true]);
    const d = deps([ding]);
    expect(await deliver(ding, d)).toEqual({ deliveredBy: 'ding', attempts: 3 });
    expect(d.sleeps).toEqual([100, 200]);
    expect(d.log).toEqual(['ding#1:310000', 'ding#2:310000', 'ding#3:ok']);
  });

  it('goes to the fallback channel when every attempt failed, recording whose fallback it was', async () => {
    const ding = scripted('ding', [false], 'mail');
    const mail = scripted('mail', [true]);
    const d = deps([ding, mail]);
    expect(await deliver(ding, d)).toEqual({ deliveredBy: 'mail', attempts: 4 });
    expect(d.log).toEqual(['ding#1:310000', 'ding#2:310000', 'ding#3:310000', 'mail#1:ok for ding']);
  });

  it('gives up after the fallback chain, never visiting a channel twice', async () => {
    const a = scripted('a', [false], 'b', 2);
    const b = scripted('b', [false], 'a', 2);
    const d = deps([a, b]);
    expect(await deliver(a, d)).toEqual({ attempts: 4 });
    expect([a.calls, b.calls]).toEqual([2, 2]);
  });

  it('gives up when the fallback does not exist', async () => {
    const a = scripted('a', [false], 'gone', 1);
    expect(await deliver(a, deps([a]))).toEqual({ attempts: 1 });
  });
});
