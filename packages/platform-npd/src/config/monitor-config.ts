// node-problem-detector's monitor configs, read as its users write them: system-log monitors
// (plugin kmsg or filelog) and custom-plugin monitors (scripts). Validated once, with errors that
// name the file and field. Wharf adds two optional fields per condition, ignored by upstream's
// JSON decoding: `recoveryPattern` (a log line that clears it) and `ttl` (it clears after this
// long without a new problem), because upstream's conditions never clear until a reboot.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration } from './duration.js';
import { ConfigError } from './errors.js';
import { goTimeParser } from './go-time.js';

/** A condition the monitor owns, with its healthy (False) reason and message. */
export interface ConditionSpec {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  /** Wharf: a line matching this clears the condition. */
  readonly recoveryPattern?: RegExp;
  /** Wharf: the condition clears this long after its last problem. */
  readonly ttlMs?: number;
}

export type RuleType = 'temporary' | 'permanent';

export interface LogRule {
  readonly type: RuleType;
  /** The condition a permanent rule sets. */
  readonly condition?: string;
  readonly reason: string;
  /** Anchored at the end of the buffer: the newest line completes the match (multi-line with \n). */
  readonly pattern: RegExp;
}

export interface SystemLogMonitorConfig {
  readonly kind: 'system-log';
  readonly file: string;
  readonly plugin: 'kmsg' | 'filelog';
  readonly logPath: string;
  /** Lines older than this when first read are skipped. */
  readonly lookbackMs: number;
  /** Lines a multi-line pattern may span. */
  readonly bufferSize: number;
  readonly source: string;
  /** filelog: how to split a line into time and message. */
  readonly timestamp?: RegExp;
  readonly message?: RegExp;
  readonly parseTime?: (text: string) => number | undefined;
  readonly conditions: readonly ConditionSpec[];
  readonly rules: readonly LogRule[];
}

export interface PluginRule {
  readonly type: RuleType;
  readonly condition?: string;
  readonly reason: string;
  readonly path: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
}

export interface CustomPluginMonitorConfig {
  readonly kind: 'custom-plugin';
  readonly file: string;
  readonly source: string;
  readonly invokeIntervalMs: number;
  readonly timeoutMs: number;
  readonly maxOutputLength: number;
  readonly conditions: readonly ConditionSpec[];
  readonly rules: readonly PluginRule[];
}

export type MonitorConfig = SystemLogMonitorConfig | CustomPluginMonitorConfig;

type Json = Record<string, unknown>;

const str = (o: Json, key: string, at: string, fallback?: string): string => {
  const v = o[key] ?? fallback;
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${at}.${key}: required, a non-empty string`);
  return v;
};

const regex = (source: string, at: string, anchor = ''): RegExp => {
  try {
    return new RegExp(source + anchor);
  } catch (e) {
    throw new ConfigError(`${at}: invalid regular expression: ${(e as Error).message}`);
  }
};

const list = (o: Json, key: string, at: string): Json[] => {
  const v = o[key] ?? [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null))
    throw new ConfigError(`${at}.${key}: want a list of objects`);
  return v as Json[];
};

function conditions(o: Json, file: string): ConditionSpec[] {
  return list(o, 'conditions', file).map((c, i) => {
    const at = `${file}: conditions[${i}]`;
    return {
      type: str(c, 'type', at),
      reason: str(c, 'reason', at),
      message: typeof c.message === 'string' ? c.message : '',
      ...(c.recoveryPattern !== undefined
        ? { recoveryPattern: regex(str(c, 'recoveryPattern', at), `${at}.recoveryPattern`, '$') }
        : {}),
      ...(c.ttl !== undefined ? { ttlMs: parseDuration(c.ttl, `${at}.ttl`) } : {}),
    };
  });
}

function ruleHead(
  r: Json,
  at: string,
  conds: readonly ConditionSpec[],
): { type: RuleType; condition?: string; reason: string } {
  const type = r.type;
  if (type !== 'temporary' && type !== 'permanent')
    throw new ConfigError(`${at}.type: want "temporary" or "permanent", got ${JSON.stringify(type)}`);
  const reason = str(r, 'reason', at);
  if (type === 'temporary') return { type, reason };
  const condition = str(r, 'condition', at);
  if (!conds.some((c) => c.type === condition))
    throw new ConfigError(`${at}.condition: ${JSON.stringify(condition)} is not one of this monitor's conditions`);
  return { type, condition, reason };
}

function systemLog(o: Json, file: string): SystemLogMonitorConfig {
  const plugin = o.plugin;
  if (plugin === 'journald')
    throw new ConfigError(`${file}: plugin "journald" is not supported; use "kmsg" or "filelog"`);
  if (plugin !== 'kmsg' && plugin !== 'filelog')
    throw new ConfigError(`${file}: plugin: want "kmsg", "filelog" or "custom", got ${JSON.stringify(plugin)}`);
  const conds = conditions(o, file);
  const pc = (o.pluginConfig ?? {}) as Json;
  const bufferSize = o.bufferSize ?? 10;
  if (typeof bufferSize !== 'number' || !Number.isInteger(bufferSize) || bufferSize < 1)
    throw new ConfigError(`${file}: bufferSize: want a whole number of lines >= 1`);
  return {
    kind: 'system-log',
    file,
    plugin,
    logPath: str(o, 'logPath', file, plugin === 'kmsg' ? '/dev/kmsg' : undefined),
    lookbackMs: o.lookback === undefined ? 0 : parseDuration(o.lookback, `${file}: lookback`),
    bufferSize,
    source: str(o, 'source', file),
    ...(plugin === 'filelog'
      ? {
          timestamp: regex(str(pc, 'timestamp', `${file}: pluginConfig`), `${file}: pluginConfig.timestamp`),
          message: regex(str(pc, 'message', `${file}: pluginConfig`), `${file}: pluginConfig.message`),
          parseTime: goTimeParser(
            str(pc, 'timestampFormat', `${file}: pluginConfig`),
            `${file}: pluginConfig.timestampFormat`,
          ),
        }
      : {}),
    conditions: conds,
    rules: list(o, 'rules', file).map((r, i) => {
      const at = `${file}: rules[${i}]`;
      return { ...ruleHead(r, at, conds), pattern: regex(str(r, 'pattern', at), `${at}.pattern`, '$') };
    }),
  };
}

function customPlugin(o: Json, file: string): CustomPluginMonitorConfig {
  const pc = (o.pluginConfig ?? {}) as Json;
  const conds = conditions(o, file);
  const timeoutMs = parseDuration(pc.timeout ?? '5s', `${file}: pluginConfig.timeout`);
  return {
    kind: 'custom-plugin',
    file,
    source: str(o, 'source', file),
    invokeIntervalMs: parseDuration(pc.invoke_interval ?? '30s', `${file}: pluginConfig.invoke_interval`),
    timeoutMs,
    maxOutputLength: typeof pc.max_output_length === 'number' ? pc.max_output_length : 80,
    conditions: conds,
    rules: list(o, 'rules', file).map((r, i) => {
      const at = `${file}: rules[${i}]`;
      const args = r.args ?? [];
      if (!Array.isArray(args) || args.some((a) => typeof a !== 'string'))
        throw new ConfigError(`${at}.args: want a list of strings`);
      return {
        ...ruleHead(r, at, conds),
        path: str(r, 'path', at),
        args: args as string[],
        timeoutMs: r.timeout === undefined ? timeoutMs : parseDuration(r.timeout, `${at}.timeout`),
      };
    }),
  };
}

/** One monitor config from its JSON text; `file` names it in errors. */
export function parseMonitorConfig(text: string, file: string): MonitorConfig {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not JSON: ${(e as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ConfigError(`${file}: want a JSON object`);
  return (o as Json).plugin === 'custom' ? customPlugin(o as Json, file) : systemLog(o as Json, file);
}

/** Every `*.json` in `dir`, in name order. A directory without any is an error: nothing to watch. */
export function loadMonitorConfigs(dir: string): MonitorConfig[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (e) {
    throw new ConfigError(
      `--config ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`,
    );
  }
  if (names.length === 0) throw new ConfigError(`--config ${dir}: no monitor configs (*.json) in it`);
  const configs = names.map((n) => parseMonitorConfig(readFileSync(join(dir, n), 'utf8'), join(dir, n)));
  const sources = new Set<string>();
  for (const c of configs) {
    for (const cond of c.conditions) {
      if (sources.has(cond.type))
        throw new ConfigError(`${c.file}: condition ${cond.type} is already owned by another monitor`);
      sources.add(cond.type);
    }
  }
  return configs;
}
