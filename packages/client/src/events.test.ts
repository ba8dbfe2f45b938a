import { describe, expect, it } from 'vitest';
import { realClock } from './clock.js';
import { EventRecorder } from './events.js';

/** A client whose creates finish only when the test says so; it records what was sent and when. */
function slowClient() {
  const sent: { reason: string; firstTimestamp: string }[] = [];
  const pending: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    create: (_path: string, body: unknown) => {
      sent.push(body as { reason: string; firstTimestamp: string });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<never>((resolve) =>
        pending.push(() => {
          inFlight--;
          resolve(body as never);
        }),
      );
    },
    patch: () => Promise.reject(new Error('not expected')),
  };
  const settle = async (): Promise<void> => {
    while (pending.length) {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { client, sent, settle, maxInFlight: () => maxInFlight };
}

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name: 'p', uid: 'u' } };

describe('EventRecorder', () => {
  it('writes a burst of events one at a time, in order, each with the time it happened', async () => {
    const c = slowClient();
    let now = Date.parse('2026-12-06T10:00:00Z');
    const events = new EventRecorder({
      client: c.client,
      component: 'kubelet',
      clock: { ...realClock, now: () => now },
    });
    for (const reason of ['Pulled', 'Created', 'Started']) {
      events.emit(pod, 'Normal', reason, `${reason} it`);
      now += 1000;
    }
    expect(c.sent.map((e) => e.reason)).toEqual(['Pulled']);
    await c.settle();
    expect(c.sent.map((e) => e.reason)).toEqual(['Pulled', 'Created', 'Started']);
    expect(c.sent.map((e) => e.firstTimestamp)).toEqual([
      '2026-12-06T10:00:00Z',
      '2026-12-06T10:00:01Z',
      '2026-12-06T10:00:02Z',
    ]);
    expect(c.maxInFlight()).toBe(1);
  });

  it('drops what does not fit in the queue and says so', async () => {
    const c = slowClient();
    const errors: string[] = [];
    const events = new EventRecorder({
      client: c.client,
      component: 'kubelet',
      maxQueued: 1,
      onError: (e) => errors.push((e as Error).message),
    });
    for (const reason of ['A', 'B', 'C']) events.emit(pod, 'Normal', reason, reason);
    await c.settle();
    // A is being written, B waits, C finds the queue full.
    expect(c.sent.map((e) => e.reason)).toEqual(['A', 'B']);
    expect(errors).toEqual(['event queue full: dropped C about p']);
  });
});
