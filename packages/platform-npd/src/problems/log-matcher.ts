// Rules of a system-log monitor applied to its lines, as node-problem-detector does: the last
// `bufferSize` messages joined by "\n" form the text, and a rule matches when its pattern ends at
// the newest line, so a multi-line kernel report (a hung task's message and the stack after it)
// matches once, when its last line arrives. The matched text is the problem's message.
import type { SystemLogMonitorConfig } from '../config/monitor-config.js';
import type { LogLine } from '../logs/log-line.js';
import type { Finding } from './finding.js';

export class LogMatcher {
  private readonly buffer: string[] = [];

  constructor(private readonly config: Pick<SystemLogMonitorConfig, 'bufferSize' | 'rules' | 'conditions'>) {}

  /** Findings for one new line, in rule order. */
  push(line: LogLine): Finding[] {
    this.buffer.push(line.message);
    if (this.buffer.length > this.config.bufferSize) this.buffer.shift();
    const text = this.buffer.join('\n');
    const found: Finding[] = [];
    for (const r of this.config.rules) {
      const m = r.pattern.exec(text);
      if (!m) continue;
      found.push(
        r.type === 'temporary'
          ? { kind: 'temporary', reason: r.reason, message: m[0], timeMs: line.timeMs }
          : { kind: 'permanent', condition: r.condition ?? '', reason: r.reason, message: m[0], timeMs: line.timeMs },
      );
    }
    for (const c of this.config.conditions) {
      if (c.recoveryPattern?.test(line.message))
        found.push({ kind: 'recovered', condition: c.type, timeMs: line.timeMs });
    }
    return found;
  }
}
