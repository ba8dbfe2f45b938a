// Alertmanager payloads for the unit tests, shaped as Alertmanager 0.25 posts them.
import type { AmAlert, AmWebhookPayload } from './types.js';

export function alert(
  name: string,
  i: number,
  status: AmAlert['status'] = 'firing',
  extra: Record<string, string> = {},
): AmAlert {
  return {
    status,
    labels: { alertname: name, namespace: 'shop', pod: `web-${i}`, severity: 'critical', ...extra },
    annotations: { summary: `Pod shop/web-${i} is crash looping` },
    startsAt: '2026-12-05T10:00:00Z',
    endsAt: status === 'resolved' ? '2026-12-05T10:05:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus/graph',
    fingerprint: `f${i.toString(16).padStart(15, '0')}`,
  };
}

export function group(alerts: AmAlert[], name = 'KubePodCrashLooping'): AmWebhookPayload {
  return {
    version: '4',
    groupKey: `{}:{alertname="${name}"}`,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'team-shop',
    groupLabels: { alertname: name },
    commonLabels: { alertname: name, namespace: 'shop', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
  };
}
