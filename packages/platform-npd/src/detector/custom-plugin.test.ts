import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMonitorConfig, type CustomPluginMonitorConfig } from '../config/monitor-config.js';
import { pluginFinding, runPlugin } from './custom-plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'npd-plugin-'));
const script = (name: string, body: string): string => {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
};

describe('custom plugins', () => {
  it('maps exit 0, 1, 2 and a timeout to recovered, problem and unknown', async () => {
    const monitor = parseMonitorConfig(
      JSON.stringify({
        plugin: 'custom',
        pluginConfig: { invoke_interval: '10s', timeout: '2s', max_output_length: 20 },
        source: 'ntp-custom-plugin-monitor',
        conditions: [{ type: 'NTPProblem', reason: 'NTPIsUp', message: 'ntp service is up' }],
        rules: [
          {
            type: 'permanent',
            condition: 'NTPProblem',
            reason: 'NTPIsDown',
            path: script('ok.sh', 'echo fine; exit 0'),
          },
          {
            type: 'permanent',
            condition: 'NTPProblem',
            reason: 'NTPIsDown',
            path: script('bad.sh', 'echo "ntp is down and this message is long"; exit 1'),
          },
          {
            type: 'permanent',
            condition: 'NTPProblem',
            reason: 'NTPIsDown',
            path: script('unsure.sh', 'echo cannot tell; exit 2'),
          },
          {
            type: 'permanent',
            condition: 'NTPProblem',
            reason: 'NTPIsDown',
            path: script('slow.sh', 'sleep 5'),
            timeout: '200ms',
          },
          { type: 'temporary', reason: 'NTPBlip', path: script('blip.sh', 'echo blip; exit 1') },
        ],
      }),
      'ntp.json',
    ) as CustomPluginMonitorConfig;
    const results = await Promise.all(
      monitor.rules.map(async (r) => pluginFinding(r, await runPlugin(r, monitor.maxOutputLength), monitor, 7)),
    );
    expect(results).toEqual([
      { kind: 'recovered', condition: 'NTPProblem', timeMs: 7 },
      { kind: 'permanent', condition: 'NTPProblem', reason: 'NTPIsDown', message: 'ntp is down and this', timeMs: 7 },
      { kind: 'unknown', condition: 'NTPProblem', reason: 'NTPIsDown', message: 'cannot tell', timeMs: 7 },
      { kind: 'unknown', condition: 'NTPProblem', reason: 'NTPIsDown', message: 'timed out after 200 ms', timeMs: 7 },
      { kind: 'temporary', reason: 'NTPBlip', message: 'blip', timeMs: 7 },
    ]);
  });
});
