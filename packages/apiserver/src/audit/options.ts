// kube-apiserver's --audit-* flags, and the Auditor they make.
import { readFileSync } from 'node:fs';
import { Auditor } from './auditor.js';
import type { AuditBackend } from './event.js';
import { LogBackend } from './log-backend.js';
import { parsePolicy } from './policy.js';
import { WebhookBackend } from './webhook-backend.js';

export interface AuditOptions {
  /** --audit-policy-file: an audit.k8s.io/v1 Policy (YAML or JSON). */
  readonly policyFile: string;
  /** --audit-log-path; '-' for no log backend. @default DATA_DIR/audit.log */
  readonly logPath?: string;
  /** --audit-log-maxsize, in megabytes; 0 for no rotation. @default 100 */
  readonly logMaxSizeMB?: number;
  /** --audit-log-maxbackup. @default 10 */
  readonly logMaxBackups?: number;
  /** --audit-webhook-config-file: a kubeconfig naming the webhook. @default none */
  readonly webhookConfigFile?: string;
  /** --audit-webhook-batch-max-size. @default 400 */
  readonly webhookBatchMaxSize?: number;
  /** --audit-webhook-batch-max-wait, in ms. @default 30000 */
  readonly webhookBatchMaxWaitMs?: number;
}

/** Reads the policy and opens the backends; a bad file fails here, before the server starts. */
export function createAuditor(o: AuditOptions, defaultLogPath: string, onError: (message: string) => void): Auditor {
  let text: string;
  try {
    text = readFileSync(o.policyFile, 'utf8');
  } catch (e) {
    throw new Error(`--audit-policy-file ${o.policyFile}: ${(e as Error).message}`);
  }
  const policy = parsePolicy(text, `--audit-policy-file ${o.policyFile}`);
  const backends: AuditBackend[] = [];
  const logPath = o.logPath ?? defaultLogPath;
  if (logPath !== '-')
    backends.push(
      new LogBackend({
        path: logPath,
        maxSizeBytes: (o.logMaxSizeMB ?? 100) * 1024 * 1024,
        maxBackups: o.logMaxBackups ?? 10,
      }),
    );
  if (o.webhookConfigFile) {
    backends.push(
      new WebhookBackend({
        configFile: o.webhookConfigFile,
        onError,
        ...(o.webhookBatchMaxSize !== undefined ? { maxBatchSize: o.webhookBatchMaxSize } : {}),
        ...(o.webhookBatchMaxWaitMs !== undefined ? { maxBatchWaitMs: o.webhookBatchMaxWaitMs } : {}),
      }),
    );
  }
  return new Auditor({ policy, backends });
}
