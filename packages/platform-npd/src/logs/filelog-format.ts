// A filelog line split as node-problem-detector's filelog plugin does: the `timestamp` regex
// finds the time text (parsed with `timestampFormat`), the first group of `message` is the message.
import type { SystemLogMonitorConfig } from '../config/monitor-config.js';
import type { LogLine } from './log-line.js';

export function filelogParser(
  c: Pick<SystemLogMonitorConfig, 'timestamp' | 'message' | 'parseTime'>,
): (line: string) => LogLine | undefined {
  return (line) => {
    const ts = c.timestamp?.exec(line)?.[0];
    const timeMs = ts === undefined ? undefined : c.parseTime?.(ts);
    const message = c.message?.exec(line)?.[1];
    if (timeMs === undefined || message === undefined) return undefined;
    return { timeMs, message };
  };
}
