// prom-label-proxy's rule: every selector of a query reads only the enforced namespace.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enforceNamespace, QueryParseError } from './enforce.js';

describe('enforceNamespace', () => {
  it('adds the namespace to every selector, replacing the one asked for', () => {
    expect(enforceNamespace('up', 'team-a')).toBe('up{namespace="team-a"}');
    expect(
      enforceNamespace(
        'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace=~".+",container!=""}[5m]))',
        'team-a',
      ),
    ).toBe('sum by (pod) (rate(container_cpu_usage_seconds_total{container!="",namespace="team-a"}[5m]))');
    expect(enforceNamespace('a / on(pod) group_left b{namespace="other"} offset 5m', 't')).toBe(
      'a{namespace="t"} / on(pod) group_left b{namespace="t"} offset 5m',
    );
    expect(enforceNamespace('{__name__=~"kube_.*"}', 't')).toBe('{__name__=~"kube_.*",namespace="t"}');
    expect(enforceNamespace('max_over_time(kube_pod_info[10m:1m])', 't')).toBe(
      'max_over_time(kube_pod_info{namespace="t"}[10m:1m])',
    );
  });

  it('keeps literals and functions without selectors as they are', () => {
    expect(enforceNamespace('vector(1) + time()', 't')).toBe('vector(1) + time()');
    expect(enforceNamespace('label_replace(up, "ns", "$1", "namespace", "(.*)")', 't')).toBe(
      'label_replace(up{namespace="t"}, "ns", "$1", "namespace", "(.*)")',
    );
  });

  it('refuses a query that does not parse', () => {
    expect(() => enforceNamespace('sum(rate(up[5m]', 't')).toThrow(QueryParseError);
    expect(() => enforceNamespace('', 't')).toThrow(QueryParseError);
  });

  it('writes queries the real promtool parses', () => {
    const q = enforceNamespace(
      'histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{ingress="web"}[5m])))',
      'shop',
    );
    const dir = mkdtempSync(join(tmpdir(), 'wharf-promql-'));
    try {
      writeFileSync(join(dir, 'r.yaml'), `groups: [{name: g, rules: [{record: r, expr: ${JSON.stringify(q)}}]}]\n`);
      expect(execFileSync('promtool', ['check', 'rules', join(dir, 'r.yaml')], { encoding: 'utf8' })).toContain(
        'SUCCESS',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
