// Checks an incoming Alertmanager webhook body (payload version 4) before anything acts on it, and
// builds the synthetic group a per-channel test-send delivers.
import type { AmAlert, AmWebhookPayload } from './types.js';

/** A body that is not an Alertmanager v4 payload; the message names the first bad field. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

const isRecord = (v: unknown): v is Record<string, string> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

export function parsePayload(body: string): AmWebhookPayload {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new PayloadError('body is not JSON');
  }
  const p = v as Partial<AmWebhookPayload>;
  if (!p || typeof p !== 'object') throw new PayloadError('body is not a JSON object');
  if (p.version !== '4')
    throw new PayloadError(`version must be "4" (Alertmanager webhook payload), got ${JSON.stringify(p.version)}`);
  if (p.status !== 'firing' && p.status !== 'resolved') throw new PayloadError('status must be "firing" or "resolved"');
  if (typeof p.groupKey !== 'string') throw new PayloadError('groupKey must be a string');
  if (!Array.isArray(p.alerts)) throw new PayloadError('alerts must be an array');
  for (const [k, f] of [
    ['groupLabels', p.groupLabels],
    ['commonLabels', p.commonLabels],
    ['commonAnnotations', p.commonAnnotations],
  ] as const) {
    if (f !== undefined && !isRecord(f)) throw new PayloadError(`${k} must map strings to strings`);
  }
  p.alerts.forEach((a: Partial<AmAlert>, i) => {
    if (a.status !== 'firing' && a.status !== 'resolved')
      throw new PayloadError(`alerts[${i}].status must be "firing" or "resolved"`);
    if (!isRecord(a.labels)) throw new PayloadError(`alerts[${i}].labels must map strings to strings`);
    if (a.annotations !== undefined && !isRecord(a.annotations))
      throw new PayloadError(`alerts[${i}].annotations must map strings to strings`);
    if (typeof a.startsAt !== 'string' || Number.isNaN(Date.parse(a.startsAt)))
      throw new PayloadError(`alerts[${i}].startsAt must be a timestamp`);
    if (typeof a.fingerprint !== 'string' || !/^[0-9a-zA-Z]+$/.test(a.fingerprint))
      throw new PayloadError(`alerts[${i}].fingerprint must be alphanumeric`);
  });
  return {
    ...p,
    groupLabels: p.groupLabels ?? {},
    commonLabels: p.commonLabels ?? {},
    commonAnnotations: p.commonAnnotations ?? {},
    externalURL: p.externalURL ?? '',
    receiver: p.receiver ?? '',
    alerts: p.alerts.map((a) => ({
      ...a,
      annotations: a.annotations ?? {},
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
    })),
  } as AmWebhookPayload;
}

/** The group a test-send delivers: one firing alert named WharfTestNotification. */
export function testPayload(channel: string, nowIso: string): AmWebhookPayload {
  const labels = { alertname: 'WharfTestNotification', channel, severity: 'info' };
  return {
    version: '4',
    groupKey: `{}:{alertname="WharfTestNotification",channel="${channel}"}`,
    status: 'firing',
    receiver: 'wharf-test',
    groupLabels: { alertname: 'WharfTestNotification' },
    commonLabels: labels,
    commonAnnotations: { summary: `Test notification of channel ${channel}` },
    externalURL: '',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: `Test notification of channel ${channel}` },
        startsAt: nowIso,
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'wharftest',
      },
    ],
  };
}
