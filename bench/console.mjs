// Web console benchmark: Debian's Chromium (headless, playwright-core) against `wharf up` on
// loopback. Measures a cold first load to interactive (the pod list live), the JavaScript shipped
// on that first load (gzip, as sent) against the whole build, and a list of 1,000 pods: time to
// render it and frame times while scrolling it (pods without nodes stay Pending, which is fine).
// Reference: `kubectl get pods` of the same 1,000 pods. Then, on a second `wharf up --nodes 1`, the
// log view following a runc pod that writes about 5,000 lines a second: the lines the page shows a
// second against those the pod wrote, how far behind it ends, and its frame times meanwhile.
// Writes docs/benchmarks/console.md. Run: `npm run bench:console` (`BENCH_PART=logs`: the log view
// alone, printed, no report).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { Client } from './lib/http.mjs';
import { cleanup, startWharfCleanly } from './lib/cleanup.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { freePort, REPO_ROOT, WHARF_BIN } from './lib/procs.mjs';
import { fmtMs, fmtNum, summarize } from './lib/stats.mjs';

const run = promisify(execFile);
const PODS = 1000;
const LOADS = 5;
const NS = 'bench';
const facts = machineFacts();
/** The log writer: LOG_BATCH numbered 90-byte lines, then 100 ms asleep (about 5,000 lines a second). */
const LOG_BATCH = 550;
const LOG_SECONDS = 10;

async function createPods(api) {
  await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  let next = 0;
  const worker = async () => {
    while (next < PODS) {
      const i = next++;
      await api.request('POST', `/api/v1/namespaces/${NS}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p-${String(i).padStart(4, '0')}`, namespace: NS, labels: { app: 'bench' } },
        spec: { containers: [{ name: 'c', image: 'busybox:1' }] },
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** A fresh browser context (empty cache) already signed in, looking at namespace `ns`. */
async function signedInPage(browser, token, ns) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
  await context.addInitScript(
    ([t, n]) => {
      sessionStorage.setItem('wharf.token', t);
      sessionStorage.setItem('wharf.namespace', n);
      localStorage.setItem('wharf.lang', 'en');
    },
    [token, ns],
  );
  return { context, page: await context.newPage() };
}

/** Cold load of the pod list: ms until the list is live and shows `rows` objects; JS bytes as sent. */
async function coldLoad(browser, url, token, ns, rows) {
  const { context, page } = await signedInPage(browser, token, ns);
  const sizes = [];
  page.on('requestfinished', (req) => {
    if (req.resourceType() === 'script') sizes.push(req.sizes().then((s) => s.responseBodySize));
  });
  const t0 = performance.now();
  await page.goto(`${url}/r/pods`);
  await page.getByTestId('watch-state').getByText('Live').waitFor({ timeout: 60_000 });
  await page.getByTestId('row-count').getByText(`${rows} objects`).waitFor({ timeout: 60_000 });
  const ms = performance.now() - t0;
  const scripts = await Promise.all(sizes);
  const jsBytes = scripts.reduce((a, b) => a + b, 0);
  return { ms, jsBytes, scripts: scripts.length, context, page };
}

/** Scrolls the virtual table to its end, one step a frame; returns frame intervals (ms). */
function scrollFrames(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const holder =
          document.querySelector('.ant-table-tbody-virtual-holder') ?? document.querySelector('.ant-table-body');
        const frames = [];
        let last = performance.now();
        const step = () => {
          const now = performance.now();
          frames.push(now - last);
          last = now;
          holder.scrollTop += 400;
          if (holder.scrollTop + holder.clientHeight >= holder.scrollHeight - 2) resolve(frames);
          else requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }),
  );
}

/** A pod printing `%09d xxx…` lines, LOG_BATCH at a time with 100 ms between batches. */
function chattyPod() {
  const awk = `BEGIN { pad = sprintf("%80s", ""); gsub(/ /, "x", pad);
    for (i = 0; ; i++) { printf "%09d %s\\n", i, pad; if (i % ${LOG_BATCH} == ${LOG_BATCH - 1}) { fflush(); system("usleep 100000") } } }`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'chatty', namespace: 'default' },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'busybox:1', command: ['awk', awk] }] },
  };
}

/** The number of the last line the pod has written, as the API serves it. */
async function lastWritten(api) {
  const tail = await api.request('GET', '/api/v1/namespaces/default/pods/chatty/log?tailLines=1', undefined, {
    Accept: 'text/plain',
  });
  return Number(/^(\d{9}) /.exec(tail)?.[1] ?? -1);
}

/**
 * The pod's Logs tab, followed for LOG_SECONDS: every frame's interval, the time in long tasks
 * (over 50 ms), and the last line shown at the start and the end (read 4 times a second).
 */
async function followLogs(browser, url, token, api) {
  const { context, page } = await signedInPage(browser, token, 'default');
  try {
    await page.goto(`${url}/r/pods/default/chatty`);
    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.waitForFunction(
      () => /\d{9} x/.test(document.querySelector('[data-testid="pod-logs"]')?.textContent ?? ''),
      undefined,
      { timeout: 60_000 },
    );
    const wroteBefore = await lastWritten(api);
    const t0 = performance.now();
    const seen = await page.evaluate(
      (seconds) =>
        new Promise((resolve) => {
          const pre = document.querySelector('[data-testid="pod-logs"]');
          const shown = () => Number(/(\d{9}) x+\s*$/.exec((pre.textContent ?? '').slice(-200))?.[1] ?? -1);
          const frames = [];
          let longTasks = 0;
          const observer = new PerformanceObserver((list) => {
            for (const e of list.getEntries()) longTasks += e.duration;
          });
          observer.observe({ type: 'longtask' });
          const start = performance.now();
          const first = shown();
          let last = start;
          const step = () => {
            const now = performance.now();
            frames.push(now - last);
            last = now;
            if (now - start < seconds * 1000) requestAnimationFrame(step);
            else {
              observer.disconnect();
              resolve({ frames, first, end: shown(), ms: now - start, longTasks });
            }
          };
          requestAnimationFrame(step);
        }),
      LOG_SECONDS,
    );
    const wroteAfter = await lastWritten(api);
    const wallMs = performance.now() - t0;
    return {
      written: ((wroteAfter - wroteBefore) * 1000) / wallMs,
      shown: ((seen.end - seen.first) * 1000) / seen.ms,
      behind: wroteAfter - seen.end,
      frames: summarize(seen.frames.slice(1)),
      longTaskMs: seen.longTasks,
      seconds: seen.ms / 1000,
    };
  } finally {
    await context.close();
  }
}

/** A one-node `wharf up`, the busybox image, the chatty pod running: the log view followed. */
async function logViewRun(browser) {
  const w = await startWharfCleanly(['--nodes', '1', '--console-port', String(await freePort())], {
    readyTimeoutMs: 120_000,
  });
  const api = new Client({
    host: '127.0.0.1',
    port: w.port,
    ca: w.ca,
    headers: { Authorization: `Bearer ${w.token}` },
  });
  try {
    await run(
      process.execPath,
      [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', w.dataDir],
      { timeout: 300_000 },
    );
    await api.request('POST', '/api/v1/namespaces/default/pods', chattyPod());
    await run(
      '/usr/bin/kubectl',
      ['--kubeconfig', join(w.dataDir, 'kubeconfig'), 'wait', '--for=condition=Ready', 'pod/chatty', '--timeout=180s'],
      { timeout: 200_000 },
    );
    const url = JSON.parse(readFileSync(join(w.dataDir, 'endpoints.json'), 'utf8')).console;
    return await followLogs(browser, url, w.token, api);
  } finally {
    api.close();
  }
}

function distGzip() {
  const dir = join(REPO_ROOT, 'packages/console/dist/assets');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .reduce((n, f) => n + gzipSync(readFileSync(join(dir, f))).length, 0);
}

async function main() {
  const w = await startWharfCleanly(['--console-port', String(await freePort())]);
  const api = new Client({
    host: '127.0.0.1',
    port: w.port,
    ca: w.ca,
    headers: { Authorization: `Bearer ${w.token}` },
    maxSockets: 16,
  });
  const url = JSON.parse(readFileSync(join(w.dataDir, 'endpoints.json'), 'utf8')).console;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    // First load of a small list: the shell, the list page and its data.
    const first = [];
    for (let i = 0; i < LOADS; i++) {
      const r = await coldLoad(browser, url, w.token, 'kube-system', 0);
      first.push(r);
      await r.context.close();
    }
    const t0 = performance.now();
    await createPods(api);
    const createMs = performance.now() - t0;
    // 1,000 pods: cold load to all rows listed, then a scroll to the end.
    const big = [];
    for (let i = 0; i < 3; i++) {
      const r = await coldLoad(browser, url, w.token, NS, PODS);
      const frames = await scrollFrames(r.page);
      const domRows = await r.page.locator('.ant-table-row').count();
      big.push({ ms: r.ms, frames: summarize(frames.slice(1)), scrollMs: frames.reduce((a, b) => a + b, 0), domRows });
      await r.context.close();
    }
    const kubectl = [];
    for (let i = 0; i < 3; i++) {
      const k0 = performance.now();
      await run('/usr/bin/kubectl', ['--kubeconfig', join(w.dataDir, 'kubeconfig'), 'get', 'pods', '-n', NS], {
        maxBuffer: 1 << 24,
      });
      kubectl.push(performance.now() - k0);
    }
    console.log('the log view: a one-node wharf up and a pod writing about 5,000 lines a second');
    const logs = await logViewRun(browser);
    const report = render({
      logs,
      first,
      big,
      kubectl: summarize(kubectl),
      createMs,
      distGzip: distGzip(),
      chromium: browser.version(),
    });
    mkdirSync(join(REPO_ROOT, 'docs/benchmarks'), { recursive: true });
    writeFileSync(join(REPO_ROOT, 'docs/benchmarks/console.md'), report);
    console.log(report);
  } finally {
    await browser.close();
  }
}

const range = (xs) => `${fmtMs(Math.min(...xs))}–${fmtMs(Math.max(...xs))}`;
const kb = (b) => `${(b / 1024).toFixed(0)} KB`;

function render(r) {
  const load = summarize(r.first.map((x) => x.ms));
  const js = r.first[0].jsBytes;
  const bigLoad = summarize(r.big.map((x) => x.ms));
  const p95 = Math.max(...r.big.map((x) => x.frames.p99 ?? 0));
  return `# Web console benchmark

${machineTable(
  facts,
  [
    ['browser', `Debian Chromium ${r.chromium}, headless`],
    ['kubectl', '/usr/bin/kubectl (reference for the list)'],
  ],
  'no nodes (pods stay Pending)',
)}

The console is served by \`wharf up\` on loopback (HTTP, gzip); each load is a fresh browser context
(empty cache), signed in, opening \`/r/pods\`. "Interactive" = the list is live (its watch open) and
shows every object.

## First load

| what | value | target |
|---|---:|---:|
| first load to interactive, p50 of ${r.first.length} (min–max) | ${fmtMs(load.p50)} ms (${range(r.first.map((x) => x.ms))}) | ≤ 1,500 ms |
| JavaScript on first load, gzip as sent (${r.first[0].scripts} files) | ${kb(js)} | ≤ 350 KB |
| the whole build's JavaScript, gzip (every route, the YAML editor) | ${kb(r.distGzip)} | |

Route-level code splitting keeps the YAML editor (CodeMirror), the log view, the detail pages,
the Applications, Builds and Monitoring pages (uPlot) out of the first load; the chunk of the page
being opened is fetched as soon as the app's entry runs, not after React's first render, and the
lists start in the remembered namespace without waiting for the access review.

## A list of ${PODS.toLocaleString('en-US')} pods

${PODS.toLocaleString('en-US')} pods created through the API in ${fmtMs(r.createMs)} ms.

| what | value |
|---|---:|
| cold load to all ${PODS.toLocaleString('en-US')} rows listed and live, p50 of ${r.big.length} (min–max) | ${fmtMs(bigLoad.p50)} ms (${range(r.big.map((x) => x.ms))}) |
| \`kubectl get pods\` of the same pods (reference), p50 of 3 | ${fmtMs(r.kubectl.p50)} ms |
| console / kubectl | ${(bigLoad.p50 / r.kubectl.p50).toFixed(1)}× |
| scroll to the end, 400 px a frame: total | ${fmtMs(r.big[0].scrollMs)} ms |
| frame interval while scrolling: p50 / p99 (worst run) / max | ${fmtMs(r.big[0].frames.p50)} / ${fmtMs(p95)} / ${fmtMs(Math.max(...r.big.map((x) => x.frames.max)))} ms |
| table rows in the DOM (virtualised) | ${r.big[0].domRows} of ${PODS} |

A 60 Hz display paints every 16.7 ms; frame intervals near that mean the scroll never stalls.

## The log view at about 5,000 lines a second

A second \`wharf up --nodes 1\`: a runc pod (busybox awk) writes numbered 90-byte lines,
${LOG_BATCH} at a time with 100 ms between batches; the pod's Logs tab follows it (one streaming
\`GET …/log?follow=true\`, the last 5,000 lines kept, painted once per animation frame) for
${r.logs.seconds.toFixed(1)} s. "Written" counts the pod's lines over the same window through the
API (\`tailLines=1\` before and after); "shown" the line numbers the page displayed.

| what | value | target |
|---|---:|---:|
| lines written by the pod, a second | ${fmtNum(r.logs.written)} | ≈ 5,000 |
| lines the page showed, a second | ${fmtNum(r.logs.shown)} | keeps up |
| lines behind the pod at the end | ${fmtNum(Math.max(0, r.logs.behind))} (${fmtMs((Math.max(0, r.logs.behind) * 1000) / r.logs.written)} ms of writing) | |
| frame interval while following: p50 / p99 / max | ${fmtMs(r.logs.frames.p50)} / ${fmtMs(r.logs.frames.p99)} / ${fmtMs(r.logs.frames.max)} ms | no freeze |
| time in long tasks (over 50 ms), of the window | ${fmtMs(r.logs.longTaskMs)} ms of ${fmtMs(r.logs.seconds * 1000)} ms | |
${busyNote(r.kubectl.p50)}`;
}

/** A loaded machine makes every time here slower: say so in the report, with the reference's time. */
function busyNote(kubectlMs) {
  const load = Number(facts.load.split(',')[0]);
  if (!(load > facts.nproc)) return '';
  return `
**Read the times with the load in the machine table**: this run shared ${facts.nproc} cores with a
load average of ${load} (other builds and suites), so even \`kubectl get pods\` took ${fmtMs(kubectlMs)} ms.
Only the bytes shipped do not depend on it; a quiet re-run is owed before the 1.5 s first-load
target can be judged.
`;
}

/** `BENCH_PART=logs`: only the log view, printed (the report needs every part). */
async function logsOnly() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    console.log(await logViewRun(browser));
  } finally {
    await browser.close();
  }
}

(process.env.BENCH_PART === 'logs' ? logsOnly() : main()).then(
  () => cleanup(),
  async (e) => {
    console.error(e);
    await cleanup();
    process.exit(1);
  },
);
