// A log file followed by polling, as `tail -F` does: it resumes at a saved inode and offset,
// starts over when the file was rotated (new inode) or truncated, and holds back a last line
// without its newline until the writer finishes it.
import { open, stat } from 'node:fs/promises';
import type { Cursor, LogLine, LogSource } from './log-line.js';

export interface FileLogSourceOptions {
  readonly path: string;
  /** A line → its time and message, or undefined to skip it (e.g. does not fit the format). */
  readonly parse: (line: string) => LogLine | undefined;
  readonly cursor?: Cursor;
  /** @default 500 */
  readonly pollMs?: number;
  readonly onError?: (e: unknown) => void;
}

export class FileLogSource implements LogSource {
  private timer: NodeJS.Timeout | undefined;
  private inode = -1;
  private offset = 0;
  private reading: Promise<void> | undefined;

  constructor(private readonly opts: FileLogSourceOptions) {
    if (opts.cursor?.kind === 'file') {
      this.inode = opts.cursor.inode;
      this.offset = opts.cursor.offset;
    }
  }

  start(onLines: (lines: readonly LogLine[], cursor: Cursor) => void): void {
    const tick = (): void => {
      this.reading = this.readMore(onLines)
        .catch((e: unknown) => this.opts.onError?.(e))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.opts.pollMs ?? 500);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.reading;
  }

  private async readMore(onLines: (lines: readonly LogLine[], cursor: Cursor) => void): Promise<void> {
    const st = await stat(this.opts.path).catch(() => undefined);
    if (!st) return; // not written yet
    if (st.ino !== this.inode || st.size < this.offset) {
      this.inode = st.ino;
      this.offset = 0;
    }
    if (st.size === this.offset) return;
    const fh = await open(this.opts.path, 'r');
    try {
      const buf = Buffer.alloc(Math.min(st.size - this.offset, 4 << 20));
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (end < 0) return;
      const text = buf.subarray(0, end).toString('utf8');
      this.offset += end + 1;
      const lines = text
        .split('\n')
        .map((l) => this.opts.parse(l))
        .filter((l): l is LogLine => l !== undefined);
      onLines(lines, { kind: 'file', inode: this.inode, offset: this.offset });
    } finally {
      await fh.close();
    }
  }
}
