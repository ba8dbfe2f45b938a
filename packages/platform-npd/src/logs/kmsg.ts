// /dev/kmsg records ("<prio>,<seq>,<usec since boot>,<flags>[,...];<message>" plus " KEY=value"
// continuation lines), as the kernel documents in Documentation/ABI/testing/dev-kmsg. Each read()
// returns one record; a reader that fell behind gets EPIPE once and carries on from the oldest
// record still buffered. The sequence number and the boot id make a cursor that survives restarts.
import { open, readFile } from 'node:fs/promises';
import { uptime } from 'node:os';
import type { Cursor, LogLine, LogSource } from './log-line.js';

export interface KmsgRecord {
  readonly seq: number;
  readonly usecSinceBoot: number;
  readonly message: string;
}

/** One record, or undefined for text that is not one. Non-printable bytes arrive as \xNN. */
export function parseKmsgRecord(record: string): KmsgRecord | undefined {
  const semi = record.indexOf(';');
  if (semi < 0) return undefined;
  const [, seq, usec] = record.slice(0, semi).split(',');
  if (seq === undefined || usec === undefined || !/^\d+$/.test(seq) || !/^\d+$/.test(usec)) return undefined;
  const text = record.slice(semi + 1).split('\n')[0] ?? '';
  return {
    seq: Number(seq),
    usecSinceBoot: Number(usec),
    message: text.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
  };
}

export async function currentBootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '')).trim();
}

export interface KmsgSourceOptions {
  readonly path: string;
  /** Resume after this cursor when it is of the same boot. */
  readonly cursor?: Cursor;
}

export class KmsgSource implements LogSource {
  private stopped = false;
  private running: Promise<void> | undefined;
  private handle: Awaited<ReturnType<typeof open>> | undefined;

  constructor(private readonly opts: KmsgSourceOptions) {}

  start(onLines: (lines: readonly LogLine[], cursor: Cursor) => void): void {
    this.running ??= this.loop(onLines);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // A blocking read of /dev/kmsg only returns with the next record; closing ends the wait.
    await this.handle?.close().catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  private async loop(onLines: (lines: readonly LogLine[], cursor: Cursor) => void): Promise<void> {
    const bootId = await currentBootId();
    const after = this.opts.cursor?.kind === 'kmsg' && this.opts.cursor.bootId === bootId ? this.opts.cursor.seq : -1;
    const bootMs = Date.now() - uptime() * 1000;
    this.handle = await open(this.opts.path, 'r');
    const buf = Buffer.alloc(8192);
    while (!this.stopped) {
      let n: number;
      try {
        n = (await this.handle.read(buf, 0, buf.length, null)).bytesRead;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EPIPE') continue; // records overwritten before we read them
        if (this.stopped) return;
        throw e;
      }
      if (n === 0) continue;
      const rec = parseKmsgRecord(buf.subarray(0, n).toString('utf8'));
      if (!rec || rec.seq <= after) continue;
      onLines([{ timeMs: bootMs + rec.usecSinceBoot / 1000, message: rec.message }], {
        kind: 'kmsg',
        bootId,
        seq: rec.seq,
      });
    }
  }
}
