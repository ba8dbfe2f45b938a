// The scrape jobs of the platform's own endpoints: the API server's /metrics, each node's kubelet
// pages (cAdvisor's and the kubelet's own), kube-state-metrics, the Ingress gateway and Prometheus
// itself. A Prometheus in a pod scrapes the kubelets as on a real cluster, at InternalIP:10250 with
// its service account's token and the cluster CA; one on the host, and nodes whose InternalIP is
// loopback (joined agents without --node-ip), go through the API server's node proxy (as
// Prometheus's example kubernetes config does). Pure.
import { discoveryFor, type DiscoveryAccess, type PromRelabel, type ScrapeConfig } from '../operator/render-scrape.js';

export interface HostJobsOptions {
  /** https://127.0.0.1:6443 */
  readonly apiServer: string;
  readonly caFile: string;
  readonly tokenFile: string;
  /** The name to verify the API server's certificate for, when apiServer's host is not on it. @default none */
  readonly serverName?: string;
  readonly discovery: DiscoveryAccess;
  /** host:port of kube-state-metrics. */
  readonly kubeStateMetrics: string;
  /** host:port of the Ingress gateway's metrics. @default none */
  readonly gateway?: string;
  /** host:port of Prometheus. @default none */
  readonly prometheus?: string;
  /** Scrape the kubelets at InternalIP:10250, verified with caFile, signed in with tokenFile. @default false */
  readonly kubeletDirect?: boolean;
}

/** The kubelet's port, where role node finds it (InternalIP:10250). */
const KUBELET_PORT = 10250;
/** InternalIPs pods cannot reach: those nodes' pages come through the API server. */
const LOOPBACK = '127\\..*';

export function hostJobs(o: HostJobsOptions): ScrapeConfig[] {
  const api = new URL(o.apiServer);
  const tls = {
    tls_config: { ca_file: o.caFile, ...(o.serverName ? { server_name: o.serverName } : {}) },
    authorization: { type: 'Bearer', credentials_file: o.tokenFile },
    scheme: 'https',
  };
  const nodeLabel: PromRelabel = { source_labels: ['__meta_kubernetes_node_name'], target_label: 'node' };
  const labelled = (path: string): PromRelabel[] => [
    { target_label: 'metrics_path', replacement: path },
    { target_label: 'job', replacement: 'kubelet' },
  ];
  const internalIP = '__meta_kubernetes_node_address_InternalIP';
  const proxied = (name: string, path: string, extra: Partial<ScrapeConfig>): ScrapeConfig => ({
    job_name: name,
    ...tls,
    metrics_path: path,
    honor_labels: true,
    ...extra,
    ...discoveryFor('node', undefined, o.discovery),
    relabel_configs: [
      ...(o.kubeletDirect ? [{ action: 'keep', source_labels: [internalIP], regex: LOOPBACK }] : []),
      nodeLabel,
      { target_label: '__address__', replacement: api.host },
      {
        source_labels: ['__meta_kubernetes_node_name'],
        regex: '(.+)',
        target_label: '__metrics_path__',
        replacement: `/api/v1/nodes/\${1}/proxy${path}`,
      },
      ...labelled(path),
    ],
  });
  const direct = (name: string, path: string, extra: Partial<ScrapeConfig>): ScrapeConfig => ({
    job_name: name,
    scheme: 'https',
    tls_config: { ca_file: o.caFile },
    authorization: tls.authorization,
    metrics_path: path,
    honor_labels: true,
    ...extra,
    ...discoveryFor('node', undefined, o.discovery),
    relabel_configs: [
      { action: 'drop', source_labels: [internalIP], regex: LOOPBACK },
      nodeLabel,
      { source_labels: [internalIP], regex: '(.+)', target_label: '__address__', replacement: `\${1}:${KUBELET_PORT}` },
      ...labelled(path),
    ],
  });
  const kubeletJob = (name: string, path: string, extra: Partial<ScrapeConfig>): ScrapeConfig[] =>
    o.kubeletDirect
      ? [direct(name, path, extra), proxied(`${name}-proxied`, path, extra)]
      : [proxied(name, path, extra)];
  const jobs: ScrapeConfig[] = [
    {
      job_name: 'apiserver',
      ...tls,
      static_configs: [
        { targets: [api.host], labels: { namespace: 'default', service: 'kubernetes', endpoint: 'https' } },
      ],
    },
    // The kubelet's pages as kube-prometheus scrapes them (one job label, `kubelet`, told apart by
    // metrics_path): cAdvisor's container metrics, and the kubelet's own /metrics
    // (kubelet_volume_stats_*, which KubePersistentVolumeFillingUp reads).
    ...kubeletJob('kubelet', '/metrics/cadvisor', { honor_timestamps: false }),
    ...kubeletJob('kubelet-metrics', '/metrics', {}),
    {
      job_name: 'kube-state-metrics',
      honor_labels: true,
      static_configs: [
        { targets: [o.kubeStateMetrics], labels: { namespace: 'wharf-monitoring', service: 'kube-state-metrics' } },
      ],
    },
  ];
  // honor_labels: `namespace` stays the Ingress's (the app's), as the default rules and the
  // query proxy's per-namespace matcher read it; the target's own is the series' default.
  if (o.gateway)
    jobs.push({
      job_name: 'ingress-gateway',
      honor_labels: true,
      static_configs: [{ targets: [o.gateway], labels: { namespace: 'wharf-system', service: 'ingress-gateway' } }],
    });
  if (o.prometheus) jobs.push({ job_name: 'prometheus', static_configs: [{ targets: [o.prometheus] }] });
  return jobs;
}
