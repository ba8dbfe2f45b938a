import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { goTimeParser } from './go-time.js';
import { loadMonitorConfigs, parseMonitorConfig } from './monitor-config.js';

// Upstream's kernel-monitor.json, as shipped with node-problem-detector (the fields users copy).
export const KERNEL_MONITOR = {
  plugin: 'kmsg',
  logPath: '/dev/kmsg',
  lookback: '5m',
  bufferSize: 10,
  source: 'kernel-monitor',
  conditions: [
    { type: 'KernelDeadlock', reason: 'KernelHasNoDeadlock', message: 'kernel has no deadlock' },
    { type: 'ReadonlyFilesystem', reason: 'FilesystemIsNotReadOnly', message: 'Filesystem is not read-only' },
  ],
  rules: [
    {
      type: 'temporary',
      reason: 'OOMKilling',
      pattern: 'Killed process \\d+ (.+) total-vm:\\d+kB, anon-rss:\\d+kB, file-rss:\\d+kB.*',
    },
    { type: 'temporary', reason: 'TaskHung', pattern: 'task [\\S ]+:\\w+ blocked for more than \\w+ seconds\\.' },
    {
      type: 'permanent',
      condition: 'KernelDeadlock',
      reason: 'DockerHung',
      pattern: 'task docker:\\w+ blocked for more than \\w+ seconds\\.',
    },
    {
      type: 'permanent',
      condition: 'ReadonlyFilesystem',
      reason: 'FilesystemIsReadOnly',
      pattern: 'Remounting filesystem read-only',
    },
  ],
};

describe('monitor configs', () => {
  it("reads upstream's kernel-monitor.json unchanged", () => {
    const c = parseMonitorConfig(JSON.stringify(KERNEL_MONITOR), 'kernel-monitor.json');
    expect(c.kind).toBe('system-log');
    if (c.kind !== 'system-log') return;
    expect(c).toMatchObject({
      plugin: 'kmsg',
      logPath: '/dev/kmsg',
      lookbackMs: 300_000,
      bufferSize: 10,
      source: 'kernel-monitor',
    });
    expect(c.rules.map((r) => `${r.type}/${r.condition ?? ''}/${r.reason}`)).toEqual([
      'temporary//OOMKilling',
      'temporary//TaskHung',
      'permanent/KernelDeadlock/DockerHung',
      'permanent/ReadonlyFilesystem/FilesystemIsReadOnly',
    ]);
  });

  it('reads a custom-plugin monitor with its interval, timeout and per-rule timeout', () => {
    const c = parseMonitorConfig(
      JSON.stringify({
        plugin: 'custom',
        pluginConfig: { invoke_interval: '30s', timeout: '5s', max_output_length: 80, concurrency: 3 },
        source: 'ntp-custom-plugin-monitor',
        conditions: [{ type: 'NTPProblem', reason: 'NTPIsUp', message: 'ntp service is up' }],
        rules: [
          { type: 'permanent', condition: 'NTPProblem', reason: 'NTPIsDown', path: './check_ntp.sh', timeout: '3s' },
        ],
      }),
      'ntp.json',
    );
    expect(c).toMatchObject({
      kind: 'custom-plugin',
      invokeIntervalMs: 30_000,
      timeoutMs: 5000,
      rules: [{ path: './check_ntp.sh', timeoutMs: 3000, args: [] }],
    });
  });

  it("reads Wharf's clearing fields: recoveryPattern and ttl", () => {
    const c = parseMonitorConfig(
      JSON.stringify({
        ...KERNEL_MONITOR,
        conditions: [
          {
            type: 'KernelDeadlock',
            reason: 'KernelHasNoDeadlock',
            message: 'ok',
            recoveryPattern: 'deadlock resolved',
            ttl: '1h',
          },
        ],
        rules: [],
      }),
      'k.json',
    );
    expect(c.conditions[0]).toMatchObject({ ttlMs: 3_600_000 });
    expect(c.conditions[0]?.recoveryPattern?.test('x: deadlock resolved')).toBe(true);
  });

  it.each([
    [{ ...KERNEL_MONITOR, plugin: 'journald' }, 'k.json: plugin "journald" is not supported'],
    [{ ...KERNEL_MONITOR, plugin: 'syslog' }, 'k.json: plugin: want "kmsg", "filelog" or "custom", got "syslog"'],
    [{ ...KERNEL_MONITOR, lookback: '5 minutes' }, 'k.json: lookback: "5 minutes" is not a duration'],
    [
      { ...KERNEL_MONITOR, rules: [{ type: 'sometimes', reason: 'X', pattern: 'x' }] },
      'k.json: rules[0].type: want "temporary" or "permanent", got "sometimes"',
    ],
    [
      { ...KERNEL_MONITOR, rules: [{ type: 'permanent', condition: 'Nope', reason: 'X', pattern: 'x' }] },
      'k.json: rules[0].condition: "Nope" is not one of',
    ],
    [
      { ...KERNEL_MONITOR, rules: [{ type: 'temporary', reason: 'X', pattern: '(' }] },
      'k.json: rules[0].pattern: invalid regular expression',
    ],
    [{ ...KERNEL_MONITOR, source: '' }, 'k.json.source: required'],
    [
      {
        ...KERNEL_MONITOR,
        plugin: 'filelog',
        pluginConfig: { timestamp: '^.{15}', message: '(.*)', timestampFormat: '15:04:05' },
      },
      'has no month and day',
    ],
  ])('refuses a bad config, naming the field (%#)', (config, error) => {
    expect(() => parseMonitorConfig(JSON.stringify(config), 'k.json')).toThrow(error);
  });

  it('loads every *.json of a directory and refuses one without any, or two monitors owning a condition', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npd-config-'));
    expect(() => loadMonitorConfigs(dir)).toThrow('no monitor configs (*.json)');
    writeFileSync(join(dir, 'a.json'), JSON.stringify(KERNEL_MONITOR));
    writeFileSync(join(dir, 'README'), 'not a config');
    expect(loadMonitorConfigs(dir)).toHaveLength(1);
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...KERNEL_MONITOR, source: 'again' }));
    expect(() => loadMonitorConfigs(dir)).toThrow('condition KernelDeadlock is already owned by another monitor');
    expect(() => loadMonitorConfigs(join(dir, 'missing'))).toThrow('no such directory');
  });
});

describe('durations and timestamps', () => {
  it('parses Go durations', () => {
    expect(parseDuration('1h30m', 'x')).toBe(5_400_000);
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('0', 'x')).toBe(0);
    expect(() => parseDuration('10', 'x')).toThrow('x: "10" is not a duration');
  });

  it("parses syslog's year-less time and RFC 3339 with Go layouts", () => {
    const syslog = goTimeParser('Jan _2 15:04:05', 'f');
    const t = new Date(syslog('Mar  7 09:05:03')!);
    expect([t.getMonth(), t.getDate(), t.getHours(), t.getMinutes(), t.getSeconds()]).toEqual([2, 7, 9, 5, 3]);
    expect(goTimeParser('2006-01-02T15:04:05.999999999Z07:00', 'f')('2026-12-05T10:00:00.250+01:00')).toBe(
      Date.UTC(2026, 11, 5, 9, 0, 0, 250),
    );
    expect(syslog('not a time')).toBeUndefined();
  });
});
