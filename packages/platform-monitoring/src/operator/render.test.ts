// ServiceMonitors, PodMonitors and AlertmanagerConfigs rendered as prometheus-operator renders
// them, and the result accepted by the real promtool and amtool.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { renderPrometheusConfig } from './render-prometheus.js';
import { renderAlertmanagerConfig } from './render-alertmanager.js';
import { ignoredFields } from './fields.js';
import type { AlertmanagerConfig, PodMonitor, ServiceMonitor } from './types.js';

// The kube-state-metrics chart's ServiceMonitor (prometheus-community/helm-charts, rendered with
// prometheus.monitor.enabled=true), plus a field this operator does not read.
const ksmMonitor = parse(`
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: kube-state-metrics
  namespace: monitoring
  labels: {app.kubernetes.io/name: kube-state-metrics, app.kubernetes.io/instance: ksm}
spec:
  jobLabel: app.kubernetes.io/name
  selector:
    matchLabels: {app.kubernetes.io/name: kube-state-metrics, app.kubernetes.io/instance: ksm}
  endpoints:
    - port: http
      honorLabels: true
      metricRelabelings:
        - {action: Drop, regex: kube_pod_container_status_terminated_reason, sourceLabels: [__name__]}
      oauth2: {clientId: {secret: {name: x, key: y}}}
`) as ServiceMonitor;

const podMonitor: PodMonitor = {
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
    podMetricsEndpoints: [{ port: 'metrics', interval: '15s' }],
    namespaceSelector: { any: true },
  },
};

const tools = (): string => mkdtempSync(join(tmpdir(), 'wharf-render-'));

describe('prometheus.yml from monitors', () => {
  const config = renderPrometheusConfig(
    { rulesDir: '/etc/prometheus/rules', discovery: {}, alertmanagers: ['127.0.0.1:9093'] },
    { serviceMonitors: [ksmMonitor], podMonitors: [podMonitor] },
  );
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the rendered YAML, read field by field
  const jobs = config.scrape_configs as Record<string, any>[];

  it('names jobs and discovers as prometheus-operator does', () => {
    expect(jobs.map((j) => j.job_name)).toEqual([
      'serviceMonitor/monitoring/kube-state-metrics/0',
      'podMonitor/shop/web/0',
    ]);
    expect(jobs[0]?.kubernetes_sd_configs).toEqual([{ role: 'endpoints', namespaces: { names: ['monitoring'] } }]);
    expect(jobs[1]?.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    expect(jobs[0]?.honor_labels).toBe(true);
    expect(jobs[1]?.scrape_interval).toBe('15s');
  });

  it('turns the selector, port and job label into relabellings', () => {
    const relabels = jobs[0]?.relabel_configs as Record<string, unknown>[];
    expect(relabels).toContainEqual({
      action: 'keep',
      source_labels: [
        '__meta_kubernetes_service_label_app_kubernetes_io_name',
        '__meta_kubernetes_service_labelpresent_app_kubernetes_io_name',
      ],
      regex: '(kube-state-metrics);true',
    });
    expect(relabels).toContainEqual({
      action: 'keep',
      source_labels: ['__meta_kubernetes_endpoint_port_name'],
      regex: 'http',
    });
    expect(relabels).toContainEqual({
      source_labels: ['__meta_kubernetes_service_label_app_kubernetes_io_name'],
      target_label: 'job',
      regex: '(.+)',
      replacement: '${1}',
    });
    expect(relabels.at(-1)).toEqual({ target_label: 'endpoint', replacement: 'http' });
    expect(jobs[0]?.metric_relabel_configs).toEqual([
      { action: 'drop', regex: 'kube_pod_container_status_terminated_reason', source_labels: ['__name__'] },
    ]);
    expect(jobs[1]?.relabel_configs).toContainEqual({
      action: 'keep',
      source_labels: ['__meta_kubernetes_pod_label_tier', '__meta_kubernetes_pod_labelpresent_tier'],
      regex: '(web|api);true',
    });
  });

  it("discovers through Wharf's HTTP SD for a Prometheus built without kubernetes_sd, with the same relabellings", () => {
    const http = renderPrometheusConfig(
      { rulesDir: '/r', discovery: { httpSd: 'http://127.0.0.1:8081' } },
      { serviceMonitors: [ksmMonitor], podMonitors: [podMonitor] },
    );
    const [sm, pm] = http.scrape_configs as Record<string, unknown>[];
    expect(sm?.http_sd_configs).toEqual([
      { url: 'http://127.0.0.1:8081/sd/endpoints?namespace=monitoring', refresh_interval: '10s' },
    ]);
    expect(pm?.http_sd_configs).toEqual([{ url: 'http://127.0.0.1:8081/sd/pod', refresh_interval: '10s' }]);
    expect(sm?.relabel_configs).toEqual(jobs[0]?.relabel_configs);
  });

  it("is a configuration Debian's promtool accepts (HTTP SD: its build has no kubernetes_sd)", () => {
    const dir = tools();
    try {
      const http = renderPrometheusConfig(
        { rulesDir: '/r', discovery: { httpSd: 'http://127.0.0.1:8081' } },
        { serviceMonitors: [ksmMonitor], podMonitors: [podMonitor] },
      );
      writeFileSync(join(dir, 'prometheus.yml'), stringify(http));
      expect(
        execFileSync('promtool', ['check', 'config', '--syntax-only', join(dir, 'prometheus.yml')], {
          encoding: 'utf8',
        }),
      ).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists the fields it does not read', () => {
    expect(ignoredFields('ServiceMonitor', ksmMonitor.spec)).toEqual(['spec.endpoints[0].oauth2']);
    expect(ignoredFields('PodMonitor', podMonitor.spec)).toEqual([]);
  });
});

describe('alertmanager.yml from AlertmanagerConfigs', () => {
  const amc: AlertmanagerConfig = {
    metadata: { name: 'team', namespace: 'shop' },
    spec: {
      route: {
        receiver: 'hook',
        groupBy: ['alertname'],
        groupWait: '10s',
        matchers: [{ name: 'severity', value: 'critical' }],
        muteTimeIntervals: ['nights'],
      },
      receivers: [{ name: 'hook', webhookConfigs: [{ url: 'http://127.0.0.1:5001/alerts' }] }],
      muteTimeIntervals: [{ name: 'nights', timeIntervals: [{ times: [{ startTime: '22:00', endTime: '24:00' }] }] }],
    },
  };
  const config = renderAlertmanagerConfig({}, [amc]);

  it("routes only the object's namespace, with prefixed names and continue", () => {
    expect((config.route as { routes: unknown[] }).routes).toEqual([
      {
        receiver: 'shop/team/hook',
        group_by: ['alertname'],
        group_wait: '10s',
        matchers: ['namespace="shop"', 'severity="critical"'],
        mute_time_intervals: ['shop/team/nights'],
        continue: true,
      },
    ]);
    expect(config.receivers).toContainEqual({
      name: 'shop/team/hook',
      webhook_configs: [{ url: 'http://127.0.0.1:5001/alerts', send_resolved: true }],
    });
  });

  it('is a configuration the real amtool accepts', () => {
    const dir = tools();
    try {
      writeFileSync(join(dir, 'am.yml'), stringify(config));
      expect(execFileSync('amtool', ['check-config', join(dir, 'am.yml')], { encoding: 'utf8' })).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
