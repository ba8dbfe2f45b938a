// The monitoring.coreos.com kinds as this operator reads them: the commonly used fields of
// prometheus-operator's v1 ServiceMonitor, PodMonitor, PrometheusRule and v1alpha1
// AlertmanagerConfig. Anything else an object carries is kept by the API server and listed in its
// status (fields.ts), never silently dropped.

export const MONITORING_GROUP = 'monitoring.coreos.com';

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  generation?: number;
  labels?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface NamespaceSelector {
  any?: boolean;
  matchNames?: string[];
}

/** A Prometheus relabel_config in the operator's camelCase. */
export interface RelabelConfig {
  sourceLabels?: string[];
  separator?: string;
  targetLabel?: string;
  regex?: string;
  modulus?: number;
  replacement?: string;
  action?: string;
}

export interface SafeTlsConfig {
  insecureSkipVerify?: boolean;
  serverName?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface Endpoint {
  port?: string;
  targetPort?: string | number;
  path?: string;
  scheme?: string;
  params?: Record<string, string[]>;
  interval?: string;
  scrapeTimeout?: string;
  honorLabels?: boolean;
  honorTimestamps?: boolean;
  relabelings?: RelabelConfig[];
  metricRelabelings?: RelabelConfig[];
  tlsConfig?: SafeTlsConfig;
  bearerTokenFile?: string;
  filterRunning?: boolean;
  followRedirects?: boolean;
  enableHttp2?: boolean;
}

export interface ServiceMonitorSpec {
  jobLabel?: string;
  targetLabels?: string[];
  podTargetLabels?: string[];
  endpoints: Endpoint[];
  selector: LabelSelector;
  namespaceSelector?: NamespaceSelector;
  sampleLimit?: number;
  targetLimit?: number;
}

export interface PodMonitorSpec {
  jobLabel?: string;
  podTargetLabels?: string[];
  podMetricsEndpoints: Endpoint[];
  selector: LabelSelector;
  namespaceSelector?: NamespaceSelector;
  sampleLimit?: number;
  targetLimit?: number;
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string | number;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  limit?: number;
  partial_response_strategy?: string;
  rules: Rule[];
}

export interface PrometheusRuleSpec {
  groups?: RuleGroup[];
}

export interface Matcher {
  name: string;
  value?: string;
  matchType?: '=' | '!=' | '=~' | '!~';
  /** v1alpha1's older boolean form of matchType. */
  regex?: boolean;
}

export interface AmRoute {
  receiver?: string;
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  matchers?: Matcher[];
  continue?: boolean;
  routes?: AmRoute[];
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
}

export interface WebhookConfig {
  url?: string;
  sendResolved?: boolean;
  maxAlerts?: number;
}

export interface EmailConfig {
  to?: string;
  from?: string;
  smarthost?: string;
  hello?: string;
  requireTLS?: boolean;
  sendResolved?: boolean;
  headers?: { key: string; value: string }[];
}

export interface Receiver {
  name: string;
  webhookConfigs?: WebhookConfig[];
  emailConfigs?: EmailConfig[];
}

export interface TimeInterval {
  name: string;
  timeIntervals?: {
    times?: { startTime?: string; endTime?: string }[];
    weekdays?: string[];
    daysOfMonth?: { start?: number; end?: number }[];
    months?: string[];
    years?: string[];
  }[];
}

export interface InhibitRule {
  sourceMatch?: Matcher[];
  targetMatch?: Matcher[];
  equal?: string[];
}

export interface AlertmanagerConfigSpec {
  route?: AmRoute;
  receivers?: Receiver[];
  inhibitRules?: InhibitRule[];
  muteTimeIntervals?: TimeInterval[];
}

export interface MonitoringObject<S> {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: S;
  status?: Record<string, unknown>;
}

export type ServiceMonitor = MonitoringObject<ServiceMonitorSpec>;
export type PodMonitor = MonitoringObject<PodMonitorSpec>;
export type PrometheusRule = MonitoringObject<PrometheusRuleSpec>;
export type AlertmanagerConfig = MonitoringObject<AlertmanagerConfigSpec>;
