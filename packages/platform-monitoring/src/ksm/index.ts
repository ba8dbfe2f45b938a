export { KubeStateMetrics, type KubeStateMetricsOptions } from './ksm.js';
export type { Family, Sample } from './family.js';
