// ServiceMonitors and PodMonitors into Prometheus scrape configs the way prometheus-operator
// generates them (pkg/prometheus/promcfg.go): one job per endpoint named
// `serviceMonitor/<ns>/<name>/<i>`, kubernetes_sd_configs with role endpoints / pod restricted to
// the selected namespaces, the selector as keep/drop relabellings on label and labelpresent meta
// labels, the standard target labels (namespace, service, pod, container, endpoint, job), then the
// user's relabelings. Pure.
import type { Endpoint, LabelSelector, NamespaceSelector, PodMonitor, RelabelConfig, ServiceMonitor } from './types.js';

/** A relabel_config as Prometheus reads it. */
export interface PromRelabel {
  source_labels?: string[];
  separator?: string;
  target_label?: string;
  regex?: string;
  modulus?: number;
  replacement?: string;
  action?: string;
}

export type ScrapeConfig = Record<string, unknown> & { job_name: string };

/**
 * How Prometheus discovers targets: kubernetes_sd_configs against the API (in a pod: nothing set;
 * on a host: a kubeconfig's parts), or, with `httpSd`, Wharf's HTTP SD (sd/server.ts), which
 * answers the same targets and labels to a Prometheus built without kubernetes_sd (Debian's).
 */
export interface DiscoveryAccess {
  /** Base URL of Wharf's service discovery (`http://127.0.0.1:8081`). @default none: kubernetes_sd_configs */
  readonly httpSd?: string;
  /** How often Prometheus polls the HTTP SD. @default '10s' */
  readonly httpSdRefresh?: string;
  /** @default in-cluster (the pod's service account) */
  readonly apiServer?: string;
  readonly caFile?: string;
  readonly bearerTokenFile?: string;
}

/**
 * Prometheus's label-name sanitising of Kubernetes label keys (`app.kubernetes.io/name` → `app_kubernetes_io_name`).
 */
export const sanitize = (key: string): string => key.replace(/[^a-zA-Z0-9_]/g, '_');

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The selector as relabel rules on `__meta_kubernetes_<role>_label(present)_*`. */
export function selectorRelabels(sel: LabelSelector | undefined, role: 'service' | 'pod'): PromRelabel[] {
  const out: PromRelabel[] = [];
  const meta = `__meta_kubernetes_${role}`;
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    out.push({
      action: 'keep',
      source_labels: [`${meta}_label_${sanitize(k)}`, `${meta}_labelpresent_${sanitize(k)}`],
      regex: `(${escapeRegex(v)});true`,
    });
  }
  for (const e of sel?.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).map(escapeRegex).join('|')})`;
    const both = [`${meta}_label_${sanitize(e.key)}`, `${meta}_labelpresent_${sanitize(e.key)}`];
    if (e.operator === 'In') out.push({ action: 'keep', source_labels: both, regex: `${values};true` });
    else if (e.operator === 'NotIn') out.push({ action: 'drop', source_labels: both, regex: `${values};true` });
    else if (e.operator === 'Exists')
      out.push({ action: 'keep', source_labels: [`${meta}_labelpresent_${sanitize(e.key)}`], regex: 'true' });
    else if (e.operator === 'DoesNotExist')
      out.push({ action: 'drop', source_labels: [`${meta}_labelpresent_${sanitize(e.key)}`], regex: 'true' });
  }
  return out;
}

/** The operator's camelCase relabel configs as Prometheus's snake_case, lower-casing actions as the operator does. */
export function toPromRelabels(list: readonly RelabelConfig[] | undefined): PromRelabel[] {
  return (list ?? []).map((r) => ({
    ...(r.sourceLabels ? { source_labels: r.sourceLabels } : {}),
    ...(r.separator !== undefined ? { separator: r.separator } : {}),
    ...(r.targetLabel !== undefined ? { target_label: r.targetLabel } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.modulus !== undefined ? { modulus: r.modulus } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    ...(r.action !== undefined ? { action: r.action.toLowerCase() } : {}),
  }));
}

/** The discovery block of a job: `{kubernetes_sd_configs: [...]}` or `{http_sd_configs: [...]}`. */
export function discoveryFor(
  role: 'endpoints' | 'pod' | 'node',
  names: readonly string[] | undefined,
  access: DiscoveryAccess,
): Record<string, unknown> {
  if (access.httpSd) {
    const q = (names ?? []).map((n) => `namespace=${encodeURIComponent(n)}`).join('&');
    return {
      http_sd_configs: [
        {
          url: `${access.httpSd.replace(/\/+$/, '')}/sd/${role}${q ? `?${q}` : ''}`,
          refresh_interval: access.httpSdRefresh ?? '10s',
        },
      ],
    };
  }
  return {
    kubernetes_sd_configs: [
      {
        role,
        ...(names ? { namespaces: { names } } : {}),
        ...(access.apiServer ? { api_server: access.apiServer } : {}),
        ...(access.caFile ? { tls_config: { ca_file: access.caFile } } : {}),
        ...(access.bearerTokenFile ? { authorization: { credentials_file: access.bearerTokenFile } } : {}),
      },
    ],
  };
}

function sdConfig(
  role: 'endpoints' | 'pod',
  ns: string,
  sel: NamespaceSelector | undefined,
  access: DiscoveryAccess,
): Record<string, unknown> {
  return discoveryFor(role, sel?.any ? undefined : sel?.matchNames?.length ? sel.matchNames : [ns], access);
}

/** Scrape-level settings of an endpoint shared by both monitor kinds. */
function endpointSettings(ep: Endpoint, defaults: { interval?: string }): Record<string, unknown> {
  const interval = ep.interval ?? defaults.interval;
  return {
    honor_labels: ep.honorLabels ?? false,
    ...(ep.honorTimestamps !== undefined ? { honor_timestamps: ep.honorTimestamps } : {}),
    ...(interval ? { scrape_interval: interval } : {}),
    ...(ep.scrapeTimeout ? { scrape_timeout: ep.scrapeTimeout } : {}),
    metrics_path: ep.path ?? '/metrics',
    ...(ep.params ? { params: ep.params } : {}),
    ...(ep.scheme ? { scheme: ep.scheme } : {}),
    ...(ep.followRedirects !== undefined ? { follow_redirects: ep.followRedirects } : {}),
    ...(ep.enableHttp2 !== undefined ? { enable_http2: ep.enableHttp2 } : {}),
    ...(ep.tlsConfig
      ? {
          tls_config: {
            ...(ep.tlsConfig.insecureSkipVerify !== undefined
              ? { insecure_skip_verify: ep.tlsConfig.insecureSkipVerify }
              : {}),
            ...(ep.tlsConfig.serverName ? { server_name: ep.tlsConfig.serverName } : {}),
            ...(ep.tlsConfig.caFile ? { ca_file: ep.tlsConfig.caFile } : {}),
            ...(ep.tlsConfig.certFile ? { cert_file: ep.tlsConfig.certFile } : {}),
            ...(ep.tlsConfig.keyFile ? { key_file: ep.tlsConfig.keyFile } : {}),
          },
        }
      : {}),
    ...(ep.bearerTokenFile ? { authorization: { type: 'Bearer', credentials_file: ep.bearerTokenFile } } : {}),
  };
}

const limits = (spec: { sampleLimit?: number; targetLimit?: number }): Record<string, unknown> => ({
  ...(spec.sampleLimit !== undefined ? { sample_limit: spec.sampleLimit } : {}),
  ...(spec.targetLimit !== undefined ? { target_limit: spec.targetLimit } : {}),
});

export interface ScrapeDefaults {
  /** @default Prometheus's global scrape_interval */
  readonly interval?: string;
}

export function serviceMonitorJobs(
  sm: ServiceMonitor,
  access: DiscoveryAccess,
  defaults: ScrapeDefaults = {},
): ScrapeConfig[] {
  const ns = sm.metadata.namespace ?? 'default';
  const name = sm.metadata.name ?? '';
  return (sm.spec.endpoints ?? []).map((ep, i) => {
    const relabel: PromRelabel[] = [
      { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
      ...selectorRelabels(sm.spec.selector, 'service'),
    ];
    if (ep.port)
      relabel.push({ action: 'keep', source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: ep.port });
    else if (ep.targetPort !== undefined) {
      relabel.push(
        typeof ep.targetPort === 'number'
          ? {
              action: 'keep',
              source_labels: ['__meta_kubernetes_pod_container_port_number'],
              regex: String(ep.targetPort),
            }
          : { action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: ep.targetPort },
      );
    }
    relabel.push(
      {
        source_labels: [
          '__meta_kubernetes_endpoint_address_target_kind',
          '__meta_kubernetes_endpoint_address_target_name',
        ],
        separator: ';',
        regex: 'Node;(.*)',
        replacement: '${1}',
        target_label: 'node',
      },
      {
        source_labels: [
          '__meta_kubernetes_endpoint_address_target_kind',
          '__meta_kubernetes_endpoint_address_target_name',
        ],
        separator: ';',
        regex: 'Pod;(.*)',
        replacement: '${1}',
        target_label: 'pod',
      },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
    );
    if (ep.filterRunning !== false)
      relabel.push({ action: 'drop', source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)' });
    for (const l of sm.spec.targetLabels ?? [])
      relabel.push({
        source_labels: [`__meta_kubernetes_service_label_${sanitize(l)}`],
        target_label: sanitize(l),
        regex: '(.+)',
        replacement: '${1}',
      });
    for (const l of sm.spec.podTargetLabels ?? [])
      relabel.push({
        source_labels: [`__meta_kubernetes_pod_label_${sanitize(l)}`],
        target_label: sanitize(l),
        regex: '(.+)',
        replacement: '${1}',
      });
    relabel.push({ source_labels: ['__meta_kubernetes_service_name'], target_label: 'job', replacement: '${1}' });
    if (sm.spec.jobLabel)
      relabel.push({
        source_labels: [`__meta_kubernetes_service_label_${sanitize(sm.spec.jobLabel)}`],
        target_label: 'job',
        regex: '(.+)',
        replacement: '${1}',
      });
    relabel.push({ target_label: 'endpoint', replacement: ep.port ?? String(ep.targetPort ?? '') });
    relabel.push(...toPromRelabels(ep.relabelings));
    return {
      job_name: `serviceMonitor/${ns}/${name}/${i}`,
      ...endpointSettings(ep, defaults),
      ...sdConfig('endpoints', ns, sm.spec.namespaceSelector, access),
      relabel_configs: relabel,
      ...(ep.metricRelabelings?.length ? { metric_relabel_configs: toPromRelabels(ep.metricRelabelings) } : {}),
      ...limits(sm.spec),
    };
  });
}

export function podMonitorJobs(pm: PodMonitor, access: DiscoveryAccess, defaults: ScrapeDefaults = {}): ScrapeConfig[] {
  const ns = pm.metadata.namespace ?? 'default';
  const name = pm.metadata.name ?? '';
  return (pm.spec.podMetricsEndpoints ?? []).map((ep, i) => {
    const relabel: PromRelabel[] = [
      { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
      ...selectorRelabels(pm.spec.selector, 'pod'),
    ];
    if (ep.filterRunning !== false)
      relabel.push({ action: 'drop', source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)' });
    if (ep.port)
      relabel.push({ action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: ep.port });
    else if (ep.targetPort !== undefined) {
      relabel.push(
        typeof ep.targetPort === 'number'
          ? {
              action: 'keep',
              source_labels: ['__meta_kubernetes_pod_container_port_number'],
              regex: String(ep.targetPort),
            }
          : { action: 'keep', source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: ep.targetPort },
      );
    }
    relabel.push(
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
    );
    for (const l of pm.spec.podTargetLabels ?? [])
      relabel.push({
        source_labels: [`__meta_kubernetes_pod_label_${sanitize(l)}`],
        target_label: sanitize(l),
        regex: '(.+)',
        replacement: '${1}',
      });
    relabel.push({ target_label: 'job', replacement: `${ns}/${name}` });
    if (pm.spec.jobLabel)
      relabel.push({
        source_labels: [`__meta_kubernetes_pod_label_${sanitize(pm.spec.jobLabel)}`],
        target_label: 'job',
        regex: '(.+)',
        replacement: '${1}',
      });
    relabel.push({ target_label: 'endpoint', replacement: ep.port ?? String(ep.targetPort ?? '') });
    relabel.push(...toPromRelabels(ep.relabelings));
    return {
      job_name: `podMonitor/${ns}/${name}/${i}`,
      ...endpointSettings(ep, defaults),
      ...sdConfig('pod', ns, pm.spec.namespaceSelector, access),
      relabel_configs: relabel,
      ...(ep.metricRelabelings?.length ? { metric_relabel_configs: toPromRelabels(ep.metricRelabelings) } : {}),
      ...limits(pm.spec),
    };
  });
}
