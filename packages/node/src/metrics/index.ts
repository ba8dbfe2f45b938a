// Node metrics: cgroup v1 and /proc readers, the kubelet's /metrics/resource and cAdvisor's
// /metrics/cadvisor in the Prometheus text format.
export {
  MetricsCollector,
  type MetricsCollectorOptions,
  type MetricsRuntime,
  type NodeSample,
  type PodSample,
  type ContainerSample,
} from './collector.js';
export { MetricsEndpoint, type MetricsPage } from './endpoint.js';
export {
  renderExposition,
  formatValue,
  EXPOSITION_CONTENT_TYPE,
  type MetricFamily,
  type Sample,
} from './exposition.js';
