import { describe, expect, it } from 'vitest';
import { alert, group } from './fixtures.test-util.js';
import { payloadFor } from './dispatcher.js';
import { historyEntries } from './history.js';
import type { NotificationChannel } from './types.js';
import { parsePayload } from './payload.js';

describe('webhook payloads', () => {
  it('accepts what Alertmanager posts and fills optional fields', () => {
    const p = parsePayload(JSON.stringify({ ...group([alert('X', 1)]), commonAnnotations: undefined }));
    expect(p.commonAnnotations).toEqual({});
    expect(p.alerts[0]?.labels.alertname).toBe('X');
  });

  it('names the first bad field', () => {
    const ok = group([alert('X', 1)]);
    expect(() => parsePayload('nope')).toThrow('body is not JSON');
    expect(() => parsePayload(JSON.stringify({ ...ok, version: '3' }))).toThrow('version must be "4"');
    expect(() => parsePayload(JSON.stringify({ ...ok, alerts: [{ ...ok.alerts[0], startsAt: 'yesterday' }] }))).toThrow(
      'alerts[0].startsAt must be a timestamp',
    );
    expect(() => parsePayload(JSON.stringify({ ...ok, alerts: [{ ...ok.alerts[0], labels: { a: 1 } }] }))).toThrow(
      'alerts[0].labels must map strings to strings',
    );
  });
});

describe('alert history entries', () => {
  it('keys each occurrence by fingerprint and start, per UTC day, and keeps when it resolved', () => {
    const fired = historyEntries(group([alert('X', 1)]), '2026-12-05T10:00:30Z');
    const resolved = historyEntries(group([alert('X', 1, 'resolved')]), '2026-12-05T10:05:30Z');
    const key = 'f000000000000001-1796464800';
    expect(Object.keys(fired.get('2026-12-05') ?? {})).toEqual([key]);
    expect(JSON.parse(fired.get('2026-12-05')![key]!)).toMatchObject({
      alertname: 'X',
      status: 'firing',
      startsAt: '2026-12-05T10:00:00Z',
      receiver: 'team-shop',
    });
    expect(JSON.parse(resolved.get('2026-12-05')![key]!)).toMatchObject({
      status: 'resolved',
      endsAt: '2026-12-05T10:05:00Z',
    });
  });
});

describe('sendResolved', () => {
  const ch = (sendResolved?: boolean): NotificationChannel => ({
    apiVersion: 'platform.wharf.dev/v1alpha1',
    kind: 'NotificationChannel',
    metadata: { name: 'c', namespace: 'ops' },
    spec: { type: 'webhook', ...(sendResolved === undefined ? {} : { sendResolved }) },
  });
  it('drops resolved alerts, and resolved-only groups, for a channel that does not want them', () => {
    const mixed = group([alert('X', 1), alert('X', 2, 'resolved')]);
    expect(payloadFor(ch(), mixed)).toBe(mixed);
    expect(payloadFor(ch(false), mixed)?.alerts.map((a) => a.status)).toEqual(['firing']);
    expect(payloadFor(ch(false), group([alert('X', 2, 'resolved')]))).toBeUndefined();
  });
});
