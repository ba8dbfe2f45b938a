export { MonitoringOperator, type MonitoringOperatorOptions } from './operator.js';
export { MONITORING_CRDS, MONITORING_KINDS } from './crds.js';
export { renderPrometheusConfig, type PrometheusSettings } from './render-prometheus.js';
export { renderAlertmanagerConfig, type BaseAlertmanagerConfig } from './render-alertmanager.js';
export { serviceMonitorJobs, podMonitorJobs, type DiscoveryAccess, type ScrapeConfig } from './render-scrape.js';
export { realTools, type Tools } from './tools.js';
export * from './types.js';
