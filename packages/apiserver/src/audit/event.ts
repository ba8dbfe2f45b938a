// The audit.k8s.io/v1 Event a backend receives, and what a backend is.
import type { Level, Stage } from './policy.js';

export interface AuditEvent {
  readonly kind: 'Event';
  readonly apiVersion: 'audit.k8s.io/v1';
  readonly level: Exclude<Level, 'None'>;
  readonly auditID: string;
  readonly stage: Stage;
  readonly requestURI: string;
  readonly verb: string;
  readonly user: { readonly username: string; readonly uid?: string; readonly groups: readonly string[] };
  readonly impersonatedUser?: { readonly username: string; readonly groups: readonly string[] };
  readonly sourceIPs: readonly string[];
  readonly userAgent?: string;
  readonly objectRef?: {
    readonly resource: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly apiGroup?: string;
    readonly apiVersion: string;
    readonly subresource?: string;
  };
  readonly responseStatus?: {
    readonly metadata: Record<string, never>;
    readonly code: number;
    readonly status?: string;
    readonly reason?: string;
  };
  readonly requestObject?: unknown;
  readonly responseObject?: unknown;
  readonly requestReceivedTimestamp: string;
  readonly stageTimestamp: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Where events go (a log file, a webhook). `process` must not throw nor block on the network. */
export interface AuditBackend {
  process(events: readonly AuditEvent[]): void;
  close(): Promise<void>;
}
