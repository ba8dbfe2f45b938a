// Notifications that arrive: the real Alertmanager (Debian's prometheus-alertmanager) on loopback
// posts its webhook to the notification gateway (`wharf notify-gateway`, a real process), which
// reads NotificationChannels and their Secrets from a real `wharf up` and delivers to local
// receivers that check DingTalk/WeCom/Feishu signatures and body shapes, a Slack-shaped and a
// generic webhook, and an SMTP server. Firing, then resolved; a half-failing channel is retried;
// a channel whose signature is refused falls back; attempts and history are read with kubectl.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, Kubectl, WHARF_BIN, WharfProcess } from '@wharf/testing';
import { SECRETS, startReceivers, type Receivers } from './notify-receivers.js';

const AM_BIN = '/usr/bin/prometheus-alertmanager';
const NS = 'ops';
const CHANNELS = ['dingtalk', 'wecom', 'feishu', 'slack', 'webhook', 'email', 'flaky', 'dingtalk-badsign'];

interface Proc {
  child: ChildProcess;
  output: () => string;
}

function start(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function stop(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (p.child.exitCode === null) p.child.kill('SIGKILL');
}

/** Runs the CLI without blocking this process, whose receivers the gateway is calling meanwhile. */
function wharfCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const p = start(process.execPath, [WHARF_BIN, ...args]);
  let stdout = '';
  let stderr = '';
  p.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  p.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => p.child.on('close', (status) => resolve({ status, stdout, stderr })));
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function channelsYaml(r: Receivers): string {
  const ref = (key: string) => ({ name: 'robots', key });
  const ch = (name: string, spec: Record<string, unknown>) =>
    JSON.stringify({
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'NotificationChannel',
      metadata: { name, namespace: NS },
      spec: { retry: { maxAttempts: 3, backoffMs: 200 }, ...spec },
    });
  const secret = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'robots', namespace: NS },
    data: {
      dingtalkToken: b64(SECRETS.dingtalkToken),
      dingtalkSign: b64(SECRETS.dingtalkSign),
      wrongSign: b64('SECnot-the-robots-secret'),
      wecomKey: b64(SECRETS.wecomKey),
      feishuToken: b64(SECRETS.feishuToken),
      feishuSign: b64(SECRETS.feishuSign),
      slackUrl: b64(`${r.httpUrl}${SECRETS.slackPath}`),
      webhookBearer: b64(SECRETS.webhookBearer),
      smtpPassword: b64(SECRETS.smtpPassword),
    },
  });
  return [
    secret,
    ch('dingtalk', {
      type: 'dingtalk',
      dingtalk: {
        url: `${r.httpUrl}/dingtalk/robot/send`,
        accessTokenSecretRef: ref('dingtalkToken'),
        signSecretRef: ref('dingtalkSign'),
      },
    }),
    ch('wecom', {
      type: 'wecom',
      locale: 'zh-CN',
      wecom: { url: `${r.httpUrl}/wecom/cgi-bin/webhook/send`, keySecretRef: ref('wecomKey') },
    }),
    ch('feishu', {
      type: 'feishu',
      locale: 'zh-CN',
      feishu: {
        url: `${r.httpUrl}/feishu/open-apis/bot/v2/hook/`,
        tokenSecretRef: ref('feishuToken'),
        signSecretRef: ref('feishuSign'),
      },
    }),
    ch('slack', { type: 'slack', slack: { urlSecretRef: ref('slackUrl') } }),
    ch('webhook', {
      type: 'webhook',
      webhook: { url: `${r.httpUrl}/webhook`, bearerTokenSecretRef: ref('webhookBearer') },
    }),
    ch('email', {
      type: 'email',
      email: {
        smarthost: `127.0.0.1:${r.smtpPort}`,
        from: 'wharf@example.com',
        to: ['ops@example.com'],
        username: 'wharf',
        passwordSecretRef: ref('smtpPassword'),
      },
    }),
    ch('flaky', { type: 'webhook', webhook: { url: `${r.httpUrl}/flaky` } }),
    ch('dingtalk-badsign', {
      type: 'dingtalk',
      fallback: 'webhook',
      retry: { maxAttempts: 2, backoffMs: 100 },
      dingtalk: {
        url: `${r.httpUrl}/dingtalk/robot/send`,
        accessTokenSecretRef: ref('dingtalkToken'),
        signSecretRef: ref('wrongSign'),
      },
    }),
  ].join('\n');
}

function alertmanagerConfig(gateway: string): string {
  // One receiver, one webhook per channel; short group timings so the suite does not wait minutes.
  return JSON.stringify({
    route: { receiver: 'all', group_by: ['alertname'], group_wait: '1s', group_interval: '2s', repeat_interval: '1h' },
    receivers: [
      {
        name: 'all',
        webhook_configs: CHANNELS.map((c) => ({ url: `${gateway}/webhook/${NS}/${c}`, send_resolved: true })),
      },
    ],
  });
}

describe('notification gateway with the real Alertmanager', () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let r: Receivers;
  let gw: Proc | undefined;
  let am: Proc | undefined;
  let gwUrl = '';
  let amUrl = '';
  const startsAt = new Date().toISOString();
  const alertBody = (endsAt?: string) => [
    {
      labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'web-1', severity: 'critical' },
      annotations: { summary: 'Pod shop/web-1 is crash looping' },
      startsAt,
      ...(endsAt ? { endsAt } : {}),
    },
  ];
  const postAlerts = async (body: unknown): Promise<void> => {
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };
  const texts = (channel: string) => r.received.filter((m) => m.channel === channel).map((m) => m.text);
  const status = async (name: string) =>
    JSON.parse(await k.ok(['get', 'notificationchannel', name, '-n', NS, '-o', 'json'])) as {
      status?: {
        attempts?: { success: boolean; httpStatus?: number; code?: string; status: string; fallbackFor?: string }[];
        consecutiveFailures?: number;
      };
    };

  beforeAll(async () => {
    wharf = await WharfProcess.start();
    k = new Kubectl(wharf.kubeconfig);
    r = await startReceivers();
    const gwPort = await freePort();
    gwUrl = `http://127.0.0.1:${gwPort}`;
    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    gw = start(process.execPath, [
      WHARF_BIN,
      'notify-gateway',
      '--kubeconfig',
      wharf.kubeconfig,
      '--port',
      String(gwPort),
      '--alertmanager',
      amUrl,
    ]);
    await eventually(async () => (await fetch(`${gwUrl}/healthz`)).ok, 30_000, 'the gateway to listen');
    await k.ok(['create', 'namespace', NS]);
    await k.ok(['apply', '-f', '-'], { stdin: channelsYaml(r) });

    const dir = mkdtempSync(join(tmpdir(), 'wharf-am-'));
    writeFileSync(join(dir, 'alertmanager.yml'), alertmanagerConfig(gwUrl));
    am = start(AM_BIN, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
    await eventually(async () => (await fetch(`${amUrl}/-/ready`)).ok, 30_000, 'Alertmanager to be ready');
  }, 120_000);

  afterAll(async () => {
    await stop(am);
    await stop(gw);
    await r?.close();
    await wharf?.stop();
  });

  it('shows channels with their type, and refuses one without the settings of its type', async () => {
    const out = await k.ok(['get', 'notificationchannels', '-n', NS]);
    expect(out).toMatch(/NAME\s+TYPE\s+LOCALE\s+FALLBACK\s+LAST-SUCCESS\s+FAILURES\s+AGE/);
    expect(out).toMatch(/dingtalk-badsign\s+dingtalk\s+en\s+webhook/);
    const bad = await k.run(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'NotificationChannel',
        metadata: { name: 'bad', namespace: NS },
        spec: { type: 'dingtalk', wecom: { keySecretRef: { name: 'robots', key: 'wecomKey' } } },
      }),
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('the settings block named by spec.type must be set');
  });

  it('delivers a firing group to every channel, signed and shaped as each vendor requires', async () => {
    await postAlerts(alertBody());
    await eventually(
      () => ['dingtalk', 'wecom', 'feishu', 'slack', 'webhook', 'email', 'flaky'].every((c) => texts(c).length > 0),
      60_000,
      'firing messages at every receiver',
    );
    expect(texts('dingtalk')[0]).toContain('### [FIRING:1] alertname=KubePodCrashLooping');
    expect(texts('dingtalk')[0]).toContain('Pod shop/web-1 is crash looping');
    expect(texts('wecom')[0]).toContain('【告警:1】');
    expect(texts('feishu')[0]).toContain('【告警:1】 alertname=KubePodCrashLooping');
    expect(texts('slack')[0]).toContain('*[FIRING:1] alertname=KubePodCrashLooping*');
    const hook = r.received.find((m) => m.channel === 'webhook')!.body as {
      version: string;
      status: string;
      alerts: { labels: Record<string, string> }[];
    };
    expect(hook).toMatchObject({ version: '4', status: 'firing' });
    expect(hook.alerts[0]?.labels.pod).toBe('web-1');
    expect(texts('email')[0]).toContain('Subject: [FIRING:1] alertname=KubePodCrashLooping');
  }, 90_000);

  it('retries a channel that fails every other request, and records both attempts in its status', async () => {
    expect(r.flaky.failed).toBeGreaterThanOrEqual(1);
    const s = await eventually(
      async () => {
        const st = await status('flaky');
        return st.status?.attempts?.some((a) => a.success) ? st : undefined;
      },
      20_000,
      'flaky status',
    );
    const firing = s.status!.attempts!.filter((a) => a.status === 'firing');
    expect(firing[0]).toMatchObject({ success: false, httpStatus: 500 });
    expect(firing[1]).toMatchObject({ success: true, httpStatus: 200 });
  });

  it('falls back when a channel keeps failing, recording the vendor error code and a Warning event', async () => {
    const s = await eventually(
      async () => {
        const st = await status('dingtalk-badsign');
        return (st.status?.attempts?.length ?? 0) >= 2 ? st : undefined;
      },
      20_000,
      'badsign attempts',
    );
    expect(s.status!.attempts![0]).toMatchObject({ success: false, httpStatus: 200, code: '310000' });
    expect(s.status!.consecutiveFailures).toBeGreaterThanOrEqual(2);
    const hook = await eventually(
      async () => (await status('webhook')).status?.attempts?.find((a) => a.fallbackFor === 'dingtalk-badsign'),
      20_000,
      'a fallback attempt on the webhook channel',
    );
    expect(hook.success).toBe(true);
    const events = await eventually(
      async () => {
        const out = await k.ok([
          'get',
          'events',
          '-n',
          NS,
          '--field-selector',
          'involvedObject.name=dingtalk-badsign',
          '-o',
          'json',
        ]);
        const items = (JSON.parse(out) as { items: { reason: string; type: string; message: string }[] }).items;
        return items.some((e) => e.reason === 'FallbackDelivered') ? items : undefined;
      },
      20_000,
      'events on the failing channel',
    );
    expect(events.find((e) => e.reason === 'DeliveryFailed')).toMatchObject({
      type: 'Warning',
      message: expect.stringContaining('code 310000'),
    });
  });

  it('delivers the resolved message when the alert ends, and keeps the history in ConfigMaps', async () => {
    await postAlerts(alertBody(new Date().toISOString()));
    await eventually(
      () =>
        ['dingtalk', 'wecom', 'feishu', 'slack', 'webhook', 'email'].every((c) =>
          texts(c).some((t) => t.includes('RESOLVED') || t.includes('已恢复')),
        ),
      60_000,
      'resolved messages at every receiver',
    );
    expect(texts('feishu').at(-1)).toContain('【已恢复】 alertname=KubePodCrashLooping');
    expect(texts('dingtalk').at(-1)).toContain('### [RESOLVED] alertname=KubePodCrashLooping');
    const history = await eventually(
      async () => {
        const out = await wharfCli(['alerts', 'history', '--kubeconfig', wharf.kubeconfig]);
        return out.status === 0 && /KubePodCrashLooping\s+resolved/.test(out.stdout) ? out.stdout : undefined;
      },
      20_000,
      'resolved entry in wharf alerts history',
    );
    expect(history).toMatch(/ALERTNAME\s+STATUS\s+FIRED\s+RESOLVED\s+RECEIVER/);
    const cms = await k.ok([
      'get',
      'configmaps',
      '-n',
      'wharf-monitoring',
      '-l',
      'platform.wharf.dev/alert-history=true',
      '-o',
      'name',
    ]);
    expect(cms).toContain(`configmap/alert-history-${startsAt.slice(0, 10)}`);
  }, 90_000);

  it('test-sends a channel from the CLI, and fails in one line for a channel that does not exist', async () => {
    const ok = await wharfCli(['alerts', 'test-channel', 'wecom', '-n', NS, '--gateway', gwUrl]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('test notification delivered by wecom after 1 attempt(s)\n');
    expect(texts('wecom').at(-1)).toContain('WharfTestNotification');
    const missing = await wharfCli(['alerts', 'test-channel', 'nope', '-n', NS, '--gateway', gwUrl]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(
      `wharf: POST /api/v1/namespaces/${NS}/notificationchannels/nope/test: 404 notificationchannel ${NS}/nope not found\n`,
    );
  });

  it('keeps the attempts of a channel across a gateway restart, adding new ones after them', async () => {
    const before = (await status('wecom')).status?.attempts ?? [];
    expect(before.map((a) => a.status)).toEqual(expect.arrayContaining(['firing', 'resolved', 'test']));
    await stop(gw);
    gw = start(process.execPath, [
      WHARF_BIN,
      'notify-gateway',
      '--kubeconfig',
      wharf.kubeconfig,
      '--port',
      new URL(gwUrl).port,
      '--alertmanager',
      amUrl,
    ]);
    await eventually(async () => (await fetch(`${gwUrl}/healthz`)).ok, 30_000, 'the gateway to listen again');
    expect((await wharfCli(['alerts', 'test-channel', 'wecom', '-n', NS, '--gateway', gwUrl])).status).toBe(0);
    const after = await eventually(
      async () => {
        const a = (await status('wecom')).status?.attempts ?? [];
        return a.length === before.length + 1 ? a : undefined;
      },
      20_000,
      'one more attempt in the status',
    );
    expect(after.slice(0, before.length)).toEqual(before);
  });

  it('silences, lists and unsilences through the real Alertmanager, and keeps who silenced in the history', async () => {
    await postAlerts([
      {
        labels: { alertname: 'NodeNotReady', node: 'node-1', severity: 'warning' },
        annotations: {},
        startsAt: new Date().toISOString(),
      },
    ]);
    const sil = await wharfCli([
      'alerts',
      'silence',
      'alertname=NodeNotReady',
      'node=node-1',
      '--duration',
      '1h',
      '--comment',
      'maintenance',
      '--author',
      'alice',
      '--alertmanager',
      amUrl,
    ]);
    expect(sil.status).toBe(0);
    const id = sil.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const ls = await eventually(
      async () => {
        const out = (await wharfCli(['alerts', 'ls', '--alertmanager', amUrl])).stdout;
        return out.includes(id) ? out : undefined;
      },
      20_000,
      'the alert listed as silenced',
    );
    expect(ls).toMatch(/NodeNotReady\s+suppressed\s+warning/);
    // Who silenced what stays in the history the gateway keeps, whatever Alertmanager forgets.
    const history = await eventually(
      async () => {
        const out = (await wharfCli(['alerts', 'history', '--kubeconfig', wharf.kubeconfig])).stdout;
        return out.includes(`silence ${id.slice(0, 8)}`) ? out : undefined;
      },
      40_000,
      'the silence in wharf alerts history',
    );
    expect(history).toMatch(
      new RegExp(
        `silence ${id.slice(0, 8)}\\s+silenced \\(active\\).*by alice\\s+alertname="NodeNotReady",node="node-1" "maintenance"`,
      ),
    );
    expect((await wharfCli(['alerts', 'unsilence', id, '--alertmanager', amUrl])).stdout).toBe(
      `silence ${id} expired\n`,
    );
    const bad = await wharfCli(['alerts', 'silence', 'alertname', '--alertmanager', amUrl]);
    expect(bad.stderr).toBe("wharf: matcher 'alertname' must be name=value, name!=value, name=~regex or name!~regex\n");
  });

  it('answers a malformed webhook with a 400 Status naming the field, and never logs a secret', async () => {
    const res = await fetch(`${gwUrl}/webhook/${NS}/dingtalk`, {
      method: 'POST',
      body: JSON.stringify({ version: '3', alerts: [] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      code: 400,
      reason: 'BadRequest',
      message: expect.stringContaining('version must be "4"'),
    });
    for (const v of Object.values(SECRETS)) expect(gw!.output()).not.toContain(v);
  });
});
