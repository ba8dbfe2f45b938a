// One levelled, structured logger for every Wharf component (pino). A component receives a
// Logger and makes children carrying its fields (component, node, pod), so a line says where it
// came from without string prefixes. Normal events are info or debug; error is for failures.
import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** Least level written: trace, debug, info, warn, error, fatal or silent. */
  readonly level?: string;
  /** Fields on every line, such as `{ component: 'platform' }`. */
  readonly base?: Record<string, unknown>;
  /** Where lines go; standard output by default. */
  readonly destination?: NodeJS.WritableStream;
}

/** A JSON-lines logger. `wharf up` on a terminal renders these lines for people (see the CLI). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = { level: options.level ?? 'info', base: options.base ?? null };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** A logger that writes nothing: the default for library users and unit tests that do not read logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
