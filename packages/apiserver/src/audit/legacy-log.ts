// The audit log without an audit policy: one JSON line per mutating request (who with their
// groups, verb, resource, namespace/name, code), appended to DIR/audit.log. Bodies are never
// written, so no secret value reaches it. With --audit-policy-file the Auditor writes
// audit.k8s.io/v1 Events instead.
import { createWriteStream, type WriteStream } from 'node:fs';

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
  private readonly out: WriteStream;

  constructor(path: string) {
    this.out = createWriteStream(path, { flags: 'a', mode: 0o600 });
  }

  static isMutating(verb: string): boolean {
    return MUTATING.has(verb);
  }

  record(r: AuditRecord): void {
    this.out.write(`${JSON.stringify({ ts: new Date().toISOString(), ...r })}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
