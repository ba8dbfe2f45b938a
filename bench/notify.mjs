// Notification gateway benchmark: 1,000 alerts in 100 groups.
// 1. Straight into the gateway (`wharf notify-gateway`, a real process against a real `wharf up`):
//    100 Alertmanager v4 payloads of 10 alerts each, posted at once to a webhook channel; time
//    until the receiver has all 100 messages, and the answer time of each post (alert history
//    written before the answer).
// 2. Through the real Alertmanager (Debian prometheus-alertmanager): the same 1,000 alerts posted
//    to its API, delivered by its own webhook straight to the receiver (the reference) and through
//    the gateway; time from the post to the 100th group received.
// 3. A channel failing every other request (retry: 3 attempts, 100 ms back-off, fallback to a
//    second channel): attempts, retries, fallbacks and time for 100 groups.
// Writes docs/benchmarks/notify.md. Run: `npm run bench:notify`.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { freePort, startWharf, stopProcess, tempDir, WHARF_BIN } from './lib/procs.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { memory } from './lib/mem.mjs';
import { fmtMs, summarize } from './lib/stats.mjs';

const run = promisify(execFile);
const AM_BIN = '/usr/bin/prometheus-alertmanager';
const GROUPS = 100;
const PER_GROUP = 10;
const NS = 'bench';
const facts = machineFacts();
const started = performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, timeoutMs, what) {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A receiver counting messages per path; `/flaky` answers 500 to every other request. */
async function startReceiver() {
  const got = { ok: [], backup: [], direct: [], flakyRequests: 0, flakyFailed: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const at = performance.now();
      if (req.url === '/flaky') {
        got.flakyRequests += 1;
        if (got.flakyRequests % 2 === 1) {
          got.flakyFailed += 1;
          return res.writeHead(500).end('failing this one');
        }
        got.ok.push(at);
      } else if (req.url === '/ok') got.ok.push(at);
      else if (req.url === '/backup') got.backup.push(at);
      else if (req.url === '/direct') got.direct.push(at);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    got,
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(r);
      }),
  };
}

function launch(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => (child.output += d));
  child.stderr.on('data', (d) => (child.output += d));
  child.exited = new Promise((r) => child.on('exit', r));
  return child;
}

const hex = (n) => n.toString(16).padStart(16, '0');
function payloads(prefix) {
  const now = new Date().toISOString();
  return Array.from({ length: GROUPS }, (_, g) => {
    const name = `${prefix}${g}`;
    return {
      version: '4',
      groupKey: `{}:{alertname="${name}"}`,
      status: 'firing',
      receiver: 'bench',
      externalURL: 'http://alertmanager',
      groupLabels: { alertname: name },
      commonLabels: { alertname: name, severity: 'warning' },
      commonAnnotations: {},
      alerts: Array.from({ length: PER_GROUP }, (_, i) => ({
        status: 'firing',
        labels: { alertname: name, severity: 'warning', pod: `p-${i}` },
        annotations: { summary: `alert ${i} of ${name}` },
        startsAt: now,
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: hex(g * 1000 + i + (prefix === 'flaky' ? 500_000 : 0)),
      })),
    };
  });
}

async function postAll(url, bodies) {
  return Promise.all(
    bodies.map(async (b) => {
      const t = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(b),
      });
      await res.text();
      if (!res.ok) throw new Error(`POST ${url}: ${res.status}`);
      return performance.now() - t;
    }),
  );
}

const wharf = await startWharf();
const kubeconfig = join(wharf.dataDir, 'kubeconfig');
const receiver = await startReceiver();
const gwPort = await freePort();
const gwUrl = `http://127.0.0.1:${gwPort}`;
const gw = launch(process.execPath, [
  WHARF_BIN,
  'notify-gateway',
  '--kubeconfig',
  kubeconfig,
  '--port',
  String(gwPort),
]);
let am;
let amDir;
const result = {};
try {
  await until(async () => (await fetch(`${gwUrl}/healthz`).catch(() => undefined))?.ok, 30_000, 'the gateway');
  result.idleMem = memory(gw.pid);
  const ch = (name, spec) =>
    JSON.stringify({
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'NotificationChannel',
      metadata: { name, namespace: NS },
      spec,
    });
  const manifest = [
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }),
    ch('fast', { type: 'webhook', webhook: { url: `${receiver.url}/ok` } }),
    ch('backup', { type: 'webhook', webhook: { url: `${receiver.url}/backup` } }),
    ch('flaky', {
      type: 'webhook',
      fallback: 'backup',
      retry: { maxAttempts: 3, backoffMs: 100 },
      webhook: { url: `${receiver.url}/flaky` },
    }),
  ].join('\n');
  const apply = spawn('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  apply.stdin.end(manifest);
  await new Promise((r) => apply.on('exit', r));

  // 1. Straight into the gateway.
  {
    const t0 = performance.now();
    const answers = await postAll(`${gwUrl}/webhook/${NS}/fast`, payloads('direct'));
    await until(() => receiver.got.ok.length >= GROUPS, 120_000, 'messages of scenario 1');
    result.direct = { ms: receiver.got.ok[GROUPS - 1] - t0, answers: summarize(answers) };
    result.busyMem = memory(gw.pid);
  }

  // 2. Through Alertmanager: its own webhook to the receiver (reference), and to the gateway.
  {
    const dir = (amDir = tempDir('wharf-bench-am-'));
    const amPort = await freePort();
    const amUrl = `http://127.0.0.1:${amPort}`;
    const cfg = {
      route: {
        receiver: 'direct',
        group_by: ['alertname'],
        group_wait: '1s',
        group_interval: '5m',
        repeat_interval: '1h',
        routes: [{ receiver: 'gateway', matchers: ['via="gateway"'] }],
      },
      receivers: [
        { name: 'direct', webhook_configs: [{ url: `${receiver.url}/direct` }] },
        { name: 'gateway', webhook_configs: [{ url: `${gwUrl}/webhook/${NS}/fast` }] },
      ],
    };
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'am.yml'), JSON.stringify(cfg));
    am = launch(AM_BIN, [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
    await until(async () => (await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.ok, 30_000, 'Alertmanager');
    const alerts = (via) =>
      Array.from({ length: GROUPS * PER_GROUP }, (_, i) => ({
        labels: { alertname: `${via}${i % GROUPS}`, via, pod: `p-${Math.floor(i / GROUPS)}` },
        annotations: { summary: 'bench' },
      }));
    for (const via of ['direct', 'gateway']) {
      const before = via === 'direct' ? receiver.got.direct.length : receiver.got.ok.length;
      const t0 = performance.now();
      const res = await fetch(`${amUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts(via)),
      });
      if (!res.ok) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
      const list = () => (via === 'direct' ? receiver.got.direct : receiver.got.ok);
      await until(() => list().length >= before + GROUPS, 120_000, `100 groups via ${via}`);
      result[`am_${via}`] = list()[before + GROUPS - 1] - t0;
    }
  }

  // 3. A channel failing every other request.
  {
    const okBefore = receiver.got.ok.length;
    const t0 = performance.now();
    await postAll(`${gwUrl}/webhook/${NS}/flaky`, payloads('flaky'));
    await until(
      () => receiver.got.ok.length - okBefore + receiver.got.backup.length >= GROUPS,
      120_000,
      'messages of scenario 3',
    );
    const end = Math.max(receiver.got.ok.at(-1), receiver.got.backup.at(-1) ?? 0);
    await sleep(2000); // let the coalesced status writes land
    const { stdout } = await run('/usr/bin/kubectl', [
      '--kubeconfig',
      kubeconfig,
      'get',
      'notificationchannel',
      'flaky',
      '-n',
      NS,
      '-o',
      'json',
    ]);
    const status = JSON.parse(stdout).status ?? {};
    result.flaky = {
      ms: end - t0,
      requests: receiver.got.flakyRequests,
      failed: receiver.got.flakyFailed,
      byFlaky: receiver.got.ok.length - okBefore,
      byBackup: receiver.got.backup.length,
      kept: status.attempts?.length ?? 0,
    };
  }
} finally {
  if (am) await stopProcess(am);
  await stopProcess(gw);
  await receiver.close();
  await stopProcess(wharf.child);
  for (const d of [amDir, wharf.dataDir]) if (d) rmSync(d, { recursive: true, force: true });
}

const secs = (ms) => (ms / 1000).toFixed(2);
const rate = (n, ms) => Math.round(n / (ms / 1000)).toLocaleString('en-US');
const mb = (m) => (m ? `${m.rssMb.toFixed(0)} MB` : 'n/a');
const f = result.flaky;
const md = `# Notification gateway (1,000 alerts in 100 groups)

\`wharf notify-gateway\` against \`wharf up\` (no nodes), delivering to a webhook channel whose
receiver is a local HTTP server; the reference is Alertmanager's own webhook straight to the same
receiver.

Generated by \`node bench/notify.mjs\` on ${facts.date}. Re-running it overwrites this file.

${machineTable(facts, [['Alertmanager', 'Debian prometheus-alertmanager 0.25']], `${secs(performance.now() - started)} s`)}

## Throughput

| path | 100 groups (1,000 alerts) delivered in | groups/s | alerts/s |
|---|---:|---:|---:|
| 100 payloads posted at once to the gateway | ${secs(result.direct.ms)} s | ${rate(GROUPS, result.direct.ms)} | ${rate(GROUPS * PER_GROUP, result.direct.ms)} |
| Alertmanager → receiver (reference) | ${secs(result.am_direct)} s | ${rate(GROUPS, result.am_direct)} | ${rate(GROUPS * PER_GROUP, result.am_direct)} |
| Alertmanager → gateway → receiver | ${secs(result.am_gateway)} s | ${rate(GROUPS, result.am_gateway)} | ${rate(GROUPS * PER_GROUP, result.am_gateway)} |

Through Alertmanager, both paths include its \`group_wait\` (1 s); the gateway adds
${secs(result.am_gateway - result.am_direct)} s (${(result.am_gateway / result.am_direct).toFixed(2)}× the reference).
The gateway starts delivering at once and answers a webhook once its alerts are in the day's
history ConfigMap (entries arriving during a write go together in the next one): answer time p50 ${fmtMs(result.direct.answers.p50)} ms, p99 ${fmtMs(result.direct.answers.p99)} ms, max ${fmtMs(result.direct.answers.max)} ms
with 100 posts at once. Gateway memory (RSS): ${mb(result.idleMem)} idle, ${mb(result.busyMem)} after the burst.

## A channel failing every other request

Retry policy: 3 attempts, 100 ms back-off doubling; fallback to a second webhook channel.

| groups | requests to the channel | failed (HTTP 500) | delivered by the channel | delivered by the fallback | all delivered in | attempts kept in its status |
|---:|---:|---:|---:|---:|---:|---:|
| ${GROUPS} | ${f.requests} | ${f.failed} | ${f.byFlaky} | ${f.byBackup} | ${secs(f.ms)} s | ${f.kept} |

Every group arrived once: ${f.byFlaky + f.byBackup} of ${GROUPS}. A group goes to the fallback only when its own
3 attempts all failed; the failed attempts are Warning events (\`DeliveryFailed\`) on the channel.

Run it with \`npm run bench:notify\`.
`;
writeFileSync(new URL('../docs/benchmarks/notify.md', import.meta.url), md);
process.stdout.write(md);
