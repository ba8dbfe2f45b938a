// The log of `wharf up`: JSON lines for machines (stdout not a terminal, or --log-format json),
// readable lines for people on a terminal (pino-pretty, in this process: no worker thread).
import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** --log-format when given, else text on a terminal and JSON otherwise. */
export function chooseLogFormat(flag: string | undefined, isTTY: boolean): LogFormat {
  if (flag === undefined) return isTTY ? 'text' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(flag))
    throw new Error(`--log-format must be one of ${LOG_FORMATS.join(', ')}, got "${flag}"`);
  return flag as LogFormat;
}

export function checkLogLevel(flag: string | undefined): string {
  const level = flag ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return level;
}

/** The fields saying where a line comes from, shown before the message in text lines. */
const WHERE = ['component', 'controller', 'node', 'pod'];

export interface CliLoggerOptions {
  readonly format: LogFormat;
  readonly level: string;
  /** @default standard output */
  readonly destination?: NodeJS.WritableStream;
  /** Colours in text lines. @default false */
  readonly colorize?: boolean;
}

export function cliLogger(o: CliLoggerOptions): Logger {
  const opts = { name: 'wharf', level: o.level, base: undefined };
  if (o.format === 'json') return o.destination ? pino(opts, o.destination) : pino(opts);
  // One line each: `[10:31:02.123] WARN: node-agent node-1: heartbeat failed {"err":…}`.
  const pretty = PinoPretty({
    colorize: o.colorize ?? false,
    translateTime: 'SYS:HH:MM:ss.l',
    sync: true,
    singleLine: true,
    ignore: ['pid', 'hostname', 'name', ...WHERE].join(','),
    messageFormat: (line, messageKey) => {
      const where = WHERE.map((k) => line[k])
        .filter((v) => typeof v === 'string' && v)
        .join(' ');
      return `${where ? `${where}: ` : ''}${String(line[messageKey] ?? '')}`;
    },
    ...(o.destination ? { destination: o.destination } : {}),
  });
  return pino(opts, pretty);
}
