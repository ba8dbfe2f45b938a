// A logger whose lines a test can read: components log through a pino Logger, and tests assert
// what a user of `wharf up` would see (level, message, fields), not how a callback was called.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@wharf/client';

/** One JSON line as pino writes it. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly err?: { readonly message: string; readonly type?: string };
  readonly [field: string]: unknown;
}

/** pino's numeric levels. */
export const LEVEL = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** A Logger (level debug by default) and the lines it wrote, parsed. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}
