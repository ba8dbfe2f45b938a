// The audit log without an audit policy: one JSON line per mutating request (who with their
// groups, verb, resource, namespace/name, code), appended to DIR/audit.log. Bodies are never
// written, so no secret value reaches it. With --audit-policy-file the Auditor writes
// audit.k8s.io/v1 Events instead. Lines are written synchronously, as log-backend.ts writes them:
// a line is in the file as its request completes, and none takes a hop to the thread pool and back
// (an fs.WriteStream did: 7 % of the main thread's busy time in a burst of 100 pod starts).
import { closeSync, openSync, writeSync } from 'node:fs';

export interface AuditRecord {
  user: string;
  groups: string[];
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  code: number;
  uri: string;
  sourceIP: string;
}

const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export class AuditLog {
  private fd: number | undefined;

  constructor(path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }

  static isMutating(verb: string): boolean {
    return MUTATING.has(verb);
  }

  /** A request still finishing while the server stops is not recorded once the file is closed. */
  record(r: AuditRecord): void {
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify({ ts: new Date().toISOString(), ...r })}\n`);
  }

  close(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    return Promise.resolve();
  }
}
