// Wharf's Prometheus query API (the aggregated APIService v1alpha1.monitoring.wharf.dev, see
// packages/platform-monitoring/src/query/proxy.ts): the same RBAC as everything else, and queries
// restricted to the namespace when asked through one. Without a namespace (cluster-wide RBAC)
// queries pass as written.
import { api } from './client.js';

const base = (ns: string): string =>
  `/apis/monitoring.wharf.dev/v1alpha1${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/prometheuses/wharf/api/v1`;

export interface Series {
  /** The series' labels, to name it. */
  readonly metric: Record<string, string>;
  /** [unix seconds, value as text]. */
  readonly values: [number, string][];
}

interface PromAnswer<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

export async function queryRange(
  ns: string,
  query: string,
  start: number,
  end: number,
  step: number,
  signal?: AbortSignal,
): Promise<Series[]> {
  const q = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
  const r = await api<PromAnswer<{ result: Series[] }>>(`${base(ns)}/query_range?${q}`, { signal });
  return r.data.result;
}

export interface Alert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'firing' | 'pending' | 'inactive';
  readonly activeAt?: string;
  readonly value?: string;
}

export async function alerts(ns: string, signal?: AbortSignal): Promise<Alert[]> {
  return (await api<PromAnswer<{ alerts: Alert[] }>>(`${base(ns)}/alerts`, { signal })).data.alerts;
}

/** A label value inside a PromQL string literal. */
const lit = (v: string): string => JSON.stringify(v);

/** The queries behind each chart, by what is watched; cAdvisor's and the gateway's metric names. */
export const QUERIES = {
  nodeCpu: (node: string): string =>
    `sum by (node) (rate(container_cpu_usage_seconds_total{id="/",node=${lit(node)}}[2m]))`,
  nodeMemory: (node: string): string => `sum by (node) (container_memory_working_set_bytes{id="/",node=${lit(node)}})`,
  podCpu: (ns: string, pod: string): string =>
    `sum by (pod) (rate(container_cpu_usage_seconds_total{namespace=${lit(ns)},pod=${lit(pod)},container!="",container!="POD"}[2m]))`,
  podMemory: (ns: string, pod: string): string =>
    `sum by (pod) (container_memory_working_set_bytes{namespace=${lit(ns)},pod=${lit(pod)},container!="",container!="POD"})`,
  appQps: (ns: string, app: string): string =>
    `sum by (ingress) (rate(nginx_ingress_controller_requests{namespace=${lit(ns)},ingress=~${lit(`${app}(-.*)?`)}}[2m]))`,
} as const;
