// @wharf/platform-npd: the node problem detector (node-problem-detector's config formats; Events
// and NodeConditions that clear when the problem is gone) and guarded node remediation
// (RemediationPolicy). Speaks only the Kubernetes API, so it runs unchanged on a real cluster.
export { ConfigError } from './config/errors.js';
export { parseDuration } from './config/duration.js';
export { goTimeParser } from './config/go-time.js';
export {
  loadMonitorConfigs,
  parseMonitorConfig,
  type ConditionSpec,
  type CustomPluginMonitorConfig,
  type LogRule,
  type MonitorConfig,
  type PluginRule,
  type SystemLogMonitorConfig,
} from './config/monitor-config.js';
export { parseKmsgRecord, type KmsgRecord } from './logs/kmsg.js';
export type { Cursor, LogLine } from './logs/log-line.js';
export { LogMatcher } from './problems/log-matcher.js';
export {
  applyFindings,
  initialConditions,
  nextExpiry,
  type ConditionChange,
  type ConditionState,
  type Conditions,
} from './problems/conditions.js';
export type { Finding } from './problems/finding.js';
export { NodeProblemDetector, type NodeProblemDetectorOptions } from './detector/detector.js';
export { RemediationController, type RemediationControllerOptions } from './remediation/controller.js';
export {
  reconcileRemediation,
  evictable,
  remediationState,
  type RemediationAction,
  type RemediationInput,
} from './remediation/reconcile.js';
export {
  withDefaults,
  POLICIES_PATH,
  STATE_ANNOTATION,
  type Policy,
  type RemediationPolicy,
  type RemediationPolicySpec,
} from './remediation/policy.js';
