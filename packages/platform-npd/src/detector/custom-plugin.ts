// A custom-plugin rule run once, as node-problem-detector runs its scripts: exit 0 is OK, 1 a
// problem, anything else (2, a timeout, a script that cannot start) unknown. The first
// `max_output_length` characters of stdout are the message.
import { execFile } from 'node:child_process';
import type { CustomPluginMonitorConfig, PluginRule } from '../config/monitor-config.js';
import type { Finding } from '../problems/finding.js';

export type PluginResult = { readonly code: 0 | 1 | 2; readonly output: string };

export function runPlugin(rule: PluginRule, maxOutputLength: number): Promise<PluginResult> {
  return new Promise((resolve) => {
    execFile(
      rule.path,
      [...rule.args],
      { timeout: rule.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (err, stdout) => {
        const output = String(stdout).trim().slice(0, maxOutputLength);
        if (!err) return resolve({ code: 0, output });
        const code = (err as { code?: unknown }).code;
        if (code === 1) return resolve({ code: 1, output });
        resolve({
          code: 2,
          output:
            output || (err.killed ? `timed out after ${rule.timeoutMs} ms` : err.message.slice(0, maxOutputLength)),
        });
      },
    );
  });
}

/** What one result of a rule means for the node. */
export function pluginFinding(
  rule: PluginRule,
  result: PluginResult,
  monitor: Pick<CustomPluginMonitorConfig, 'conditions'>,
  timeMs: number,
): Finding | undefined {
  if (rule.type === 'temporary')
    return result.code === 1 ? { kind: 'temporary', reason: rule.reason, message: result.output, timeMs } : undefined;
  const condition = rule.condition ?? '';
  if (!monitor.conditions.some((c) => c.type === condition)) return undefined;
  if (result.code === 0) return { kind: 'recovered', condition, timeMs };
  if (result.code === 1) return { kind: 'permanent', condition, reason: rule.reason, message: result.output, timeMs };
  return { kind: 'unknown', condition, reason: rule.reason, message: result.output, timeMs };
}
