// @wharf/platform-monitoring: kube-state-metrics, the monitoring.coreos.com operator, the default
// rules and the namespace-enforcing query proxy. Speaks only the Kubernetes API (and Prometheus's).
export * from './ksm/index.js';
export * from './operator/index.js';
