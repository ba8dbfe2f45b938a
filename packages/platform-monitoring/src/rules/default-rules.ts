// Wharf's default alerts as one PrometheusRule (what `wharf up` and deploy/monitoring/ install):
// the kubernetes-mixin alerts the issue names, under their upstream names and expressions where
// one exists (KubePodCrashLooping, KubeNodeNotReady, TargetDown, Watchdog, ...), and Wharf's own
// for Applications, the gateway, serving certificates and node problems. Each has a
// `promtool test rules` case in default-rules.tests.yaml.
import type { PrometheusRule, Rule } from '../operator/types.js';

export interface DefaultRulesOptions {
  /** Replaces every alert's `for` (tests and demos that cannot wait 15 minutes). @default each rule's own */
  readonly forOverride?: string;
  /** @default 'wharf-monitoring' */
  readonly namespace?: string;
}

const runbook = (name: string): string =>
  `https://runbooks.prometheus-operator.dev/runbooks/kubernetes/${name.toLowerCase()}`;

const alert = (
  name: string,
  expr: string,
  forDuration: string,
  severity: string,
  summary: string,
  description: string,
): Rule => ({
  alert: name,
  expr,
  ...(forDuration ? { for: forDuration } : {}),
  labels: { severity },
  annotations: { summary, description, runbook_url: runbook(name) },
});

export const DEFAULT_RULE_GROUPS: { name: string; rules: Rule[] }[] = [
  {
    name: 'wharf-nodes',
    rules: [
      alert(
        'KubeNodeNotReady',
        'kube_node_status_condition{condition="Ready",status="true"} == 0',
        '15m',
        'warning',
        'Node is not ready.',
        '{{ $labels.node }} has been unready for more than 15 minutes.',
      ),
      alert(
        'KubeNodeUnreachable',
        '(kube_node_spec_taint{key="node.kubernetes.io/unreachable",effect="NoSchedule"} unless ignoring(key,value) kube_node_spec_taint{key=~"ToBeDeletedByClusterAutoscaler|cloud.google.com/impending-node-termination|aws-node-termination-handler/spot-itn"}) == 1',
        '15m',
        'warning',
        'Node is unreachable.',
        '{{ $labels.node }} is unreachable and some workloads may be rescheduled.',
      ),
      alert(
        'KubeNodePressure',
        'kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure",status="true"} == 1',
        '10m',
        'warning',
        'Node has a pressure condition.',
        '{{ $labels.node }} has {{ $labels.condition }}: the kubelet may evict pods.',
      ),
      alert(
        'NodeCPUSaturated',
        'sum by (node) (rate(container_cpu_usage_seconds_total{id="/"}[5m])) / on (node) kube_node_status_capacity{resource="cpu"} > 0.9',
        '15m',
        'warning',
        'Node CPU is saturated.',
        '{{ $labels.node }} has used more than 90% of its CPU for 15 minutes.',
      ),
      alert(
        'NodeProblemDetected',
        'kube_node_status_condition{condition=~"KernelDeadlock|ReadonlyFilesystem|FrequentKubeletRestart|FrequentContainerdRestart|FrequentDockerRestart|CorruptDockerOverlay2",status="true"} == 1',
        '1m',
        'critical',
        'The node problem detector reports a permanent problem.',
        '{{ $labels.node }} has condition {{ $labels.condition }}.',
      ),
      alert(
        'NodeProblemReported',
        'increase(problem_counter[10m]) > 0',
        '',
        'warning',
        'The node problem detector saw a temporary problem.',
        '{{ $labels.reason }} on {{ $labels.node }}{{ $labels.instance }} in the last 10 minutes.',
      ),
    ],
  },
  {
    name: 'wharf-workloads',
    rules: [
      alert(
        'KubePodCrashLooping',
        'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
        '15m',
        'warning',
        'Pod is crash looping.',
        'Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is in waiting state (reason: "CrashLoopBackOff").',
      ),
      alert(
        'KubePodNotReady',
        'sum by (namespace, pod) (max by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Unknown|Failed"}) * on (namespace, pod) group_left(owner_kind) topk by (namespace, pod) (1, max by (namespace, pod, owner_kind) (kube_pod_owner{owner_kind!="Job"}))) > 0',
        '15m',
        'warning',
        'Pod has been in a non-ready state for more than 15 minutes.',
        'Pod {{ $labels.namespace }}/{{ $labels.pod }} has been in a non-ready state for longer than 15 minutes.',
      ),
      alert(
        'KubeDeploymentReplicasMismatch',
        '(kube_deployment_spec_replicas > kube_deployment_status_replicas_available) and (changes(kube_deployment_status_replicas_updated[10m]) == 0)',
        '15m',
        'warning',
        'Deployment has not matched the expected number of replicas.',
        'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has not matched the expected number of replicas for longer than 15 minutes.',
      ),
      alert(
        'KubeStatefulSetReplicasMismatch',
        '(kube_statefulset_status_replicas_ready != kube_statefulset_replicas) and (changes(kube_statefulset_status_replicas_updated[10m]) == 0)',
        '15m',
        'warning',
        'StatefulSet has not matched the expected number of replicas.',
        'StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has not matched the expected number of replicas for longer than 15 minutes.',
      ),
      alert(
        'KubeDaemonSetNotReady',
        'kube_daemonset_status_desired_number_scheduled - kube_daemonset_status_number_ready > 0',
        '15m',
        'warning',
        'DaemonSet pods are not ready.',
        '{{ $value }} pods of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} are not ready.',
      ),
      alert(
        'WharfApplicationReplicasMismatch',
        'wharf_application_component_replicas_ready < wharf_application_component_replicas_desired',
        '15m',
        'warning',
        'Application component has fewer ready replicas than desired.',
        'Application {{ $labels.namespace }}/{{ $labels.application }} component {{ $labels.component }} has had fewer ready replicas than desired for 15 minutes.',
      ),
      alert(
        'KubeJobFailed',
        'kube_job_failed > 0',
        '15m',
        'warning',
        'Job failed to complete.',
        'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed to complete.',
      ),
    ],
  },
  {
    name: 'wharf-storage',
    rules: [
      alert(
        'KubePersistentVolumeFillingUp',
        'kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.03 and kubelet_volume_stats_used_bytes > 0',
        '1m',
        'critical',
        'PersistentVolume is filling up.',
        'The PersistentVolume claimed by {{ $labels.persistentvolumeclaim }} in Namespace {{ $labels.namespace }} is only {{ $value | humanizePercentage }} free.',
      ),
    ],
  },
  {
    name: 'wharf-control-plane',
    rules: [
      alert(
        'KubeAPIErrorsHigh',
        'sum(rate(apiserver_request_total{code=~"5.."}[5m])) / sum(rate(apiserver_request_total[5m])) > 0.03',
        '10m',
        'warning',
        'The API server is erroring for a high share of requests.',
        'The API server is returning errors for {{ $value | humanizePercentage }} of requests.',
      ),
      alert(
        'KubeAPILatencyHigh',
        'histogram_quantile(0.99, sum by (le, verb, resource) (rate(apiserver_request_duration_seconds_bucket{verb!~"WATCH|CONNECT"}[5m]))) > 1',
        '10m',
        'warning',
        'The API server has high latency.',
        'The API server has a 99th percentile latency of {{ $value }} seconds for {{ $labels.verb }} {{ $labels.resource }}.',
      ),
      alert(
        'WharfCertificateExpiry',
        'wharf_certificate_expiration_timestamp_seconds - time() < 30 * 86400',
        '',
        'warning',
        'A Wharf serving certificate expires soon.',
        'The {{ $labels.certificate }} certificate expires in {{ $value | humanizeDuration }}.',
      ),
      alert(
        'WharfCertificateExpiryCritical',
        'wharf_certificate_expiration_timestamp_seconds - time() < 7 * 86400',
        '',
        'critical',
        'A Wharf serving certificate expires within a week.',
        'The {{ $labels.certificate }} certificate expires in {{ $value | humanizeDuration }}.',
      ),
      alert(
        'TargetDown',
        '100 * (count by (job, namespace, service) (up == 0) / count by (job, namespace, service) (up)) > 10',
        '10m',
        'warning',
        'One or more targets are unreachable.',
        '{{ printf "%.4g" $value }}% of the {{ $labels.job }}/{{ $labels.service }} targets in {{ $labels.namespace }} namespace are down.',
      ),
    ],
  },
  {
    name: 'wharf-applications',
    rules: [
      alert(
        'WharfAppHighErrorRatio',
        'sum by (namespace, ingress) (rate(nginx_ingress_controller_requests{status=~"5.."}[5m])) / sum by (namespace, ingress) (rate(nginx_ingress_controller_requests[5m])) > 0.05',
        '5m',
        'warning',
        'An application answers many 5xx.',
        'Ingress {{ $labels.namespace }}/{{ $labels.ingress }} answers {{ $value | humanizePercentage }} of requests with 5xx.',
      ),
      alert(
        'WharfAppHighLatency',
        'histogram_quantile(0.99, sum by (namespace, ingress, le) (rate(nginx_ingress_controller_request_duration_seconds_bucket[5m]))) > 1',
        '10m',
        'warning',
        'An application is slow.',
        'Ingress {{ $labels.namespace }}/{{ $labels.ingress }} has a p99 latency of {{ $value }} s.',
      ),
    ],
  },
  {
    name: 'wharf-general',
    rules: [
      {
        alert: 'Watchdog',
        expr: 'vector(1)',
        labels: { severity: 'none' },
        annotations: {
          summary: 'An alert that should always be firing to certify that Alertmanager is working properly.',
          description: 'This alert is always firing: if it stops, the alerting pipeline is broken.',
          runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/general/watchdog',
        },
      },
    ],
  },
];

/** The default rules as a PrometheusRule object. */
export function defaultRules(opts: DefaultRulesOptions = {}): PrometheusRule {
  const groups = DEFAULT_RULE_GROUPS.map((g) => ({
    ...g,
    rules: g.rules.map((r) =>
      opts.forOverride !== undefined && r.alert && r.for ? { ...r, for: opts.forOverride } : r,
    ),
  }));
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'wharf-default-rules',
      namespace: opts.namespace ?? 'wharf-monitoring',
      labels: { 'app.kubernetes.io/part-of': 'wharf', role: 'alert-rules' },
    },
    spec: { groups },
  };
}
