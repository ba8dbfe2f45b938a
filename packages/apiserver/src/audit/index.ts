// Auditing: the policy-driven Auditor with its log and webhook backends, and the log kept
// without a policy.
export { AuditLog, type AuditRecord } from './legacy-log.js';
export { Auditor, carriesSecrets, type AuditedRequest, type AuditorOptions } from './auditor.js';
export {
  evaluatePolicy,
  parsePolicy,
  type AuditPolicy,
  type AuditAttributes,
  type AuditDecision,
  type Level,
  type PolicyRule,
  type Stage,
} from './policy.js';
export { LogBackend, type LogBackendOptions } from './log-backend.js';
export { WebhookBackend, type WebhookBackendOptions } from './webhook-backend.js';
export type { AuditBackend, AuditEvent } from './event.js';
export { createAuditor, type AuditOptions } from './options.js';
