// Recurring maintenance windows with the real Alertmanager (Debian's prometheus-alertmanager 0.25):
// an AlertmanagerConfig's muteTimeIntervals (nights, weekends...) rendered by the operator into
// `time_intervals` + a route's `mute_time_intervals`. An alert whose route is inside its window
// reaches no receiver; the same alert on a route whose window is not now is delivered.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { eventually, freePort, toolUnavailable } from '@wharf/testing';
import { renderAlertmanagerConfig } from './render-alertmanager.js';
import type { AlertmanagerConfig } from './types.js';

const AM_BIN = '/usr/bin/prometheus-alertmanager';
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** A team's route to the webhook at `path`, muted during `window` (Alertmanager time_interval fields). */
const team = (
  name: string,
  hook: string,
  window: NonNullable<AlertmanagerConfig['spec']['muteTimeIntervals']>[number]['timeIntervals'],
): AlertmanagerConfig => ({
  metadata: { name, namespace: 'shop' },
  spec: {
    route: {
      receiver: 'hook',
      groupBy: ['alertname'],
      groupWait: '1s',
      groupInterval: '1s',
      muteTimeIntervals: ['maintenance'],
    },
    receivers: [{ name: 'hook', webhookConfigs: [{ url: hook }] }],
    muteTimeIntervals: [{ name: 'maintenance', timeIntervals: window }],
  },
});

// As root or in CI a missing Alertmanager fails the suite (toolUnavailable throws); elsewhere it skips with the reason.
const skip = toolUnavailable([AM_BIN], 'scripts/setup.sh --test installs prometheus-alertmanager');

describe.skipIf(skip !== '')(
  `recurring maintenance windows (muteTimeIntervals) in the real Alertmanager ${skip}`,
  () => {
    const received: string[] = [];
    let hook: http.Server;
    let am: ChildProcess;
    let amUrl = '';
    let output = '';
    let dir = '';

    beforeAll(async () => {
      hook = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          received.push(req.url ?? '');
          res.end('ok');
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
      const base = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
      const now = new Date();
      const otherMonth = MONTHS[(now.getUTCMonth() + 6) % 12]!;
      const config = renderAlertmanagerConfig({}, [
        // Every day of the week, all day: this route is always in its window.
        team('always-in-maintenance', `${base}/muted`, [
          { weekdays: ['sunday:saturday'], times: [{ startTime: '00:00', endTime: '24:00' }] },
        ]),
        // Its window is half a year away: not now.
        team('maintenance-later', `${base}/open`, [{ months: [otherMonth] }]),
      ]);
      dir = mkdtempSync(join(tmpdir(), 'wharf-mute-window-'));
      writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
      const port = await freePort();
      amUrl = `http://127.0.0.1:${port}`;
      am = spawn(
        AM_BIN,
        [
          `--config.file=${join(dir, 'alertmanager.yml')}`,
          `--storage.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      am.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      am.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      await eventually(
        async () => {
          if (am.exitCode !== null) throw new Error(`Alertmanager exited ${am.exitCode}:\n${output}`);
          return (await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined;
        },
        30_000,
        'Alertmanager ready',
      );
    }, 40_000);

    afterAll(async () => {
      if (am && am.exitCode === null) {
        const exited = new Promise((r) => am.once('exit', r));
        am.kill('SIGTERM');
        await exited;
      }
      await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('delivers an alert on the route outside its window and mutes it on the route inside', async () => {
      const alert = [
        {
          labels: { alertname: 'NodeNotReady', namespace: 'shop', node: 'node-1', severity: 'critical' },
          startsAt: new Date().toISOString(),
        },
      ];
      const posted = await fetch(`${amUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alert),
      });
      expect(posted.status).toBe(200);
      await eventually(
        () => (received.includes('/open') ? true : undefined),
        30_000,
        `the alert on the route outside its window:\n${output}`,
      );
      // An absence has no event to wait for: both routes flush on the same schedule (groupWait and
      // groupInterval 1s), so two more flushes after the open route's delivery would have sent it.
      await new Promise((r) => setTimeout(r, 2000));
      expect(received.filter((p) => p === '/muted')).toEqual([]);
      expect(output).not.toMatch(/level=error/);
    });
  },
);
