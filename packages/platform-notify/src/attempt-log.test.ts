// The attempt log's bookkeeping: the last N attempts, consecutive failures, and coalesced status
// writes (a burst of attempts becomes few writes, the last one carrying everything).
import { describe, expect, it } from 'vitest';
import { EventRecorder, silentLogger } from '@wharf/client';
import { AttemptLog } from './attempt-log.js';
import type { DeliveryAttempt, NotificationChannel } from './types.js';

const channel: NotificationChannel = {
  apiVersion: 'platform.wharf.dev/v1alpha1',
  kind: 'NotificationChannel',
  metadata: { name: 'ding', namespace: 'ops', uid: 'u1' },
  spec: { type: 'dingtalk' },
  status: {
    attempts: [{ time: '2026-12-05T09:00:00Z', groupKey: 'old', status: 'firing', attempt: 1, success: true }],
    consecutiveFailures: 0,
  },
};
const attempt = (i: number, success: boolean): DeliveryAttempt => ({
  time: `2026-12-05T10:00:${String(i).padStart(2, '0')}Z`,
  groupKey: `g${i}`,
  status: 'firing',
  attempt: 1,
  success,
  ...(success ? {} : { httpStatus: 200, code: '310000' }),
});

function setup() {
  const writes: { path: string; body: { status: { attempts: DeliveryAttempt[]; consecutiveFailures: number } } }[] = [];
  const events: string[] = [];
  let release: () => void = () => undefined;
  const client = {
    patch: async (path: string, body: unknown) => {
      writes.push({ path, body: body as (typeof writes)[number]['body'] });
      await new Promise<void>((r) => (release = r)); // each write waits until the test lets it finish
      return undefined as never;
    },
  };
  // Events repeat (same reason and message), so the recorder patches their count: count both.
  const eventClient = {
    create: async (_p: string, body: unknown) => void events.push((body as { reason: string }).reason) as never,
    patch: async () => void events.push('repeat') as never,
  };
  const log = new AttemptLog({
    client,
    events: new EventRecorder({ client: eventClient, component: 'notify-gateway' }),
    logger: silentLogger,
    keep: 3,
  });
  return { log, writes, events, release: () => release() };
}

describe('attempt log', () => {
  it('keeps the last N attempts after those already in the status, and counts consecutive failures', async () => {
    const { log, writes, release } = setup();
    log.record(channel, attempt(1, false));
    log.record(channel, attempt(2, false));
    log.record(channel, attempt(3, false));
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await log.flush();
    const last = writes.at(-1)!.body.status;
    expect(writes.at(-1)!.path).toBe(
      '/apis/platform.wharf.dev/v1alpha1/namespaces/ops/notificationchannels/ding/status',
    );
    expect(last.attempts.map((a) => a.groupKey)).toEqual(['g1', 'g2', 'g3']);
    expect(last.consecutiveFailures).toBe(3);
  });

  it('coalesces a burst of attempts into two writes, and a success resets the failure count', async () => {
    const { log, writes, events, release } = setup();
    for (let i = 1; i <= 10; i++) log.record(channel, attempt(i, i === 10));
    expect(writes).toHaveLength(1); // the first; the other nine wait for the next write
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(writes).toHaveLength(2);
    release();
    await log.flush();
    expect(writes).toHaveLength(2);
    expect(writes[1]!.body.status.consecutiveFailures).toBe(0);
    expect(writes[1]!.body.status.attempts.map((a) => a.groupKey)).toEqual(['g8', 'g9', 'g10']);
    await new Promise((r) => setTimeout(r, 0));
    expect(events.filter((e) => e === 'DeliveryFailed' || e === 'repeat')).toHaveLength(9);
  });
});
