// The audit log backend: one audit.k8s.io/v1 Event a line, appended to a file (0600). When a
// line would take the file past maxSizeBytes it is rotated as kube-apiserver's
// --audit-log-maxsize/--audit-log-maxbackup do: audit.log → audit.log.1 → … → audit.log.N, the
// oldest dropped. Writes are synchronous so no event is lost in a crash and rotation needs no lock.
import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { AuditBackend, AuditEvent } from './event.js';

export interface LogBackendOptions {
  readonly path: string;
  /** Rotate when the file would pass this size; 0 for never. @default 100 MiB */
  readonly maxSizeBytes?: number;
  /** Rotated files kept. @default 10 */
  readonly maxBackups?: number;
}

export class LogBackend implements AuditBackend {
  private fd: number;
  private size: number;

  constructor(private readonly o: LogBackendOptions) {
    this.fd = openSync(o.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  process(events: readonly AuditEvent[]): void {
    for (const e of events) {
      const line = Buffer.from(`${JSON.stringify(e)}\n`);
      const max = this.o.maxSizeBytes ?? 100 * 1024 * 1024;
      if (max > 0 && this.size > 0 && this.size + line.length > max) this.rotate();
      writeSync(this.fd, line);
      this.size += line.length;
    }
  }

  async close(): Promise<void> {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    const keep = this.o.maxBackups ?? 10;
    const name = (i: number): string => `${this.o.path}.${i}`;
    if (keep > 0) {
      if (existsSync(name(keep))) rmSync(name(keep));
      for (let i = keep - 1; i >= 1; i--) if (existsSync(name(i))) renameSync(name(i), name(i + 1));
      renameSync(this.o.path, name(1));
    } else rmSync(this.o.path);
    this.fd = openSync(this.o.path, 'a', 0o600);
    this.size = 0;
  }
}
