// @wharf/platform-monitoring: kube-state-metrics, the monitoring.coreos.com operator, the default
// rules and the namespace-enforcing query proxy. Speaks only the Kubernetes API (and Prometheus's).
export * from './ksm/index.js';
export * from './operator/index.js';
export { defaultRules, DEFAULT_RULE_GROUPS, type DefaultRulesOptions } from './rules/default-rules.js';
export { KubernetesSd, serveSd, SD_ROLES, type SdRole } from './sd/server.js';
export { MonitoringStack, type MonitoringStackOptions } from './stack/stack.js';
export { ensureObjects, prometheusRbac } from './stack/rbac.js';
export { manifestObjects, type ManifestObject } from './stack/manifests.js';
export { monitoringServices, monitoringWorkloads, type WorkloadsOptions } from './stack/workloads.js';
export {
  QueryProxy,
  enforceParams,
  filterToNamespace,
  QUERY_GROUP,
  QUERY_VERSION,
  type QueryProxyOptions,
} from './query/proxy.js';
export { enforceNamespace, QueryParseError } from './query/enforce.js';
