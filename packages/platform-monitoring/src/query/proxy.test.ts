// What the query proxy sends Prometheus for a namespace, and what it lets through of alerts.
import { describe, expect, it } from 'vitest';
import { enforceParams, filterToNamespace } from './proxy.js';

describe('query proxy', () => {
  it('restricts queries and series matchers, and adds a matcher where none was given', () => {
    const q = enforceParams(
      'query_range',
      new URLSearchParams({ query: 'rate(x[5m])', start: '1', end: '2', step: '15' }),
      'shop',
    );
    expect(Object.fromEntries(q)).toEqual({ query: 'rate(x{namespace="shop"}[5m])', start: '1', end: '2', step: '15' });
    const s = enforceParams(
      'series',
      new URLSearchParams([
        ['match[]', 'up'],
        ['match[]', 'kube_pod_info{namespace="other"}'],
      ]),
      'shop',
    );
    expect(s.getAll('match[]')).toEqual(['up{namespace="shop"}', 'kube_pod_info{namespace="shop"}']);
    expect(enforceParams('label/pod/values', new URLSearchParams(), 'shop').getAll('match[]')).toEqual([
      '{namespace="shop"}',
    ]);
    expect(enforceParams('labels', new URLSearchParams(), 'shop').getAll('match[]')).toEqual(['{namespace="shop"}']);
  });

  it("keeps only the namespace's alerts, in /alerts and in /rules", () => {
    const alerts = {
      status: 'success',
      data: {
        alerts: [
          { labels: { alertname: 'A', namespace: 'shop' } },
          { labels: { alertname: 'B', namespace: 'other' } },
          { labels: { alertname: 'Watchdog' } },
        ],
      },
    };
    expect((filterToNamespace(alerts, 'shop').data as { alerts: unknown[] }).alerts).toEqual([
      { labels: { alertname: 'A', namespace: 'shop' } },
    ]);
    const rules = { data: { groups: [{ rules: [{ name: 'A', alerts: [{ labels: { namespace: 'other' } }] }] }] } };
    expect(filterToNamespace(rules, 'shop')).toEqual({ data: { groups: [{ rules: [{ name: 'A', alerts: [] }] }] } });
  });
});
