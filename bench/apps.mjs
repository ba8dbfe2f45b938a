// Applications benchmarks (issue 12), each its own section of docs/benchmarks/apps.md:
// 1. deploy: the seed's M+N app (a Debian-built Tomcat runtime, two .war artifacts) from
//    `kubectl apply` of the Application until both contexts answer through the Ingress, with the
//    artifacts as image volumes and with the init-copy fallback (same images, same app);
// 2. config: a config change until every replica serves the new value, `rollout` (3 replicas,
//    canary then steps) and `inPlace`, beside `kubectl rollout restart` + `kubectl rollout status`
//    of the same Deployment;
// 3. controllers: 200 Applications of 2 components on simulated nodes, with the platform
//    controllers as their own `wharf platform` process: its CPU and memory, and the time from a
//    change to the status reporting it.
// Run after a build: `npm run bench:apps` (BENCH_PART=deploy|config|controllers for one part, the
// other sections kept; BENCH_REPS, BENCH_CHANGES, BENCH_APPS to change the sizes).
import { execFile, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onCleanup, startWharfCleanly, runBench } from './lib/cleanup.mjs';
import { Client } from './lib/http.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { freePort, procStats, REPO_ROOT, stopProcess, tempDir, WHARF_BIN } from './lib/procs.mjs';
import { fmtMs, fmtNum, fmtRatio, quantile } from './lib/stats.mjs';
import {
  buildWar,
  importImage,
  Kubectl,
  ociArchive,
  tomcatImage,
  TOMCAT_PORT,
} from '../packages/testing/dist/index.js';

const run = promisify(execFile);
const OUT = join(REPO_ROOT, 'docs/benchmarks/apps.md');
const PART = process.env.BENCH_PART ?? 'all';
const REPS = Number(process.env.BENCH_REPS ?? 3);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 10);
const APPS = Number(process.env.BENCH_APPS ?? 200);
const NS = 'bench';

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const p = (xs, q) => quantile(sorted(xs), q);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it answers a truthy value; throws naming `what` after `timeoutMs`. */
async function until(check, timeoutMs, what, everyMs = 100) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One GET (fresh connection): the status and body, or status 0 on a network error. */
const fetchText = (host, port, path, headers = {}) =>
  new Promise((resolve) => {
    const req = get({ host, port, path, headers, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
  });

/** The API (admin token) and kubectl of a started Wharf. */
function clients(wharf) {
  const api = new Client({
    host: '127.0.0.1',
    port: wharf.port,
    ca: wharf.ca,
    headers: { Authorization: `Bearer ${wharf.token}` },
  });
  const k = new Kubectl(join(wharf.dataDir, 'kubeconfig'));
  return { api, k };
}

const cli = (wharf, ...args) =>
  run(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 900_000, maxBuffer: 16 << 20 });

/** The `## ` section of `md` starting with `heading`, or '' (to keep a part not re-run). */
function section(md, heading) {
  const at = md.indexOf(`\n## ${heading}`);
  if (at < 0) return '';
  const next = md.indexOf('\n## ', at + 4);
  return md.slice(at + 1, next < 0 ? undefined : next + 1).trimEnd() + '\n';
}

/** Ready, serving pods of an Application (the label the controller drains pods by). */
async function servingPods(api, app) {
  const list = await api.json(
    'GET',
    `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`app.kubernetes.io/instance=${app},platform.wharf.dev/serving=true`)}`,
  );
  return list.items.filter(
    (x) =>
      !x.metadata.deletionTimestamp &&
      x.status?.podIP &&
      (x.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}

// --- 1. Deploy of the M+N app until serving -------------------------------------------------

const tomcatApp = (name, delivery) =>
  JSON.stringify({
    apiVersion: 'platform.wharf.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: NS },
    spec: {
      artifactDelivery: delivery,
      rollout: { analysisSeconds: 1 },
      components: [
        {
          name: 'web',
          runtime: { image: 'tomcat:10' },
          // Exploded .wars (a directory each): Tomcat deploys a directory in appBase as a context.
          artifacts: ['shop', 'admin'].map((a) => ({
            name: a,
            image: `${a}-app:1`,
            path: '/app',
            mountPath: `/usr/local/tomcat/webapps/${a}`,
          })),
          replicas: 1,
          ports: [{ name: 'http', port: TOMCAT_PORT }],
          expose: { host: 'tomcat.localhost' },
          probes: {
            readiness: { httpGet: { path: '/shop/', port: TOMCAT_PORT }, periodSeconds: 1, timeoutSeconds: 5 },
          },
        },
      ],
    },
  });

async function deploySection() {
  const ingressPort = await freePort();
  const wharf = await startWharfCleanly(
    ['--nodes', '1', '--ingress-port', String(ingressPort), '--ingress-https-port', String(await freePort())],
    { readyTimeoutMs: 300_000 },
  );
  const { api, k } = clients(wharf);
  const work = tempDir('wharf-bench-apps-');
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  await cli(wharf, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static');
  const tomcat = await tomcatImage(wharf);
  // The same artifact images for both deliveries: an exploded .war under /app on busybox (the
  // init-copy fallback needs `cp` in the artifact image; image volumes would take FROM scratch).
  for (const name of ['shop', 'admin']) {
    buildWar(work, { name, file: `/etc/${name}/greeting` });
    const content = join(work, `${name}-content`);
    cpSync(join(work, `${name}-war`), join(content, 'app'), { recursive: true });
    await importImage(
      wharf,
      ociArchive(
        { contentDir: content, base: { layout: join(wharf.dataDir, 'images'), ref: 'busybox:1' } },
        join(work, `${name}.tar`),
      ),
      `${name}-app:1`,
    );
  }
  await k.ok(['create', 'namespace', NS]);
  const serving = async () => {
    for (const ctx of ['shop', 'admin']) {
      const r = await fetchText('127.0.0.1', ingressPort, `/${ctx}/`, { host: 'tomcat.localhost' });
      if (r.status !== 200 || !r.body.startsWith(`${ctx} says`)) return false;
    }
    return true;
  };
  const once = async (delivery) => {
    const name = 'shop';
    const t0 = performance.now();
    await k.ok(['apply', '-f', '-'], { stdin: tomcatApp(name, delivery) });
    await until(serving, 300_000, `both contexts through the Ingress (${delivery})`, 100);
    const ms = performance.now() - t0;
    const app = await api.json('GET', `/apis/platform.wharf.dev/v1alpha1/namespaces/${NS}/applications/${name}`);
    if (app.status?.artifactDelivery !== delivery)
      throw new Error(`status says ${app.status?.artifactDelivery}, asked for ${delivery}`);
    await k.ok(['delete', 'application', name, '-n', NS, '--wait=true'], { timeoutMs: 120_000 });
    await until(
      async () => (await api.json('GET', `/api/v1/namespaces/${NS}/pods`)).items.length === 0,
      120_000,
      'the pods gone',
    );
    return ms;
  };
  // Warm-up (not counted): the node pulls and unpacks the ~300 MB runtime and the artifacts once.
  const warm = await once('imageVolume');
  process.stderr.write(`warm-up deploy (first pull): ${fmtNum(warm)} ms\n`);
  const times = { imageVolume: [], initCopy: [] };
  for (let i = 0; i < REPS; i++) {
    for (const d of ['initCopy', 'imageVolume']) {
      times[d].push(await once(d));
      process.stderr.write(`rep ${i + 1}/${REPS} ${d}: ${fmtNum(times[d].at(-1))} ms\n`);
    }
  }
  const med = (d) => p(times[d], 0.5);
  return `## Deploy of the M+N app until serving: image volumes vs the init-copy fallback

The seed's app: one Application whose component runs the Tomcat runtime image built from Debian
packages (M = 1, ${tomcat.cached ? 'from the test cache' : 'built for this run'}) with two artifacts (N = 2), each an exploded .war
compiled with Debian's JDK. Timed from \`kubectl apply\` of the Application to both contexts
(\`/shop/\`, \`/admin/\`) answering 200 through the Ingress gateway; the app is deleted (and its pod
gone) between runs. The same artifact images serve both deliveries (busybox plus the .war under
/app: the init-copy fallback needs \`cp\` in the artifact image, image volumes would also take
FROM scratch ones), so the difference is the delivery alone: image volumes mount the image's
directory read-only (\`subPath\`), the fallback runs one init container per artifact copying it
into an emptyDir. A first deploy (not counted: ${fmtNum(warm)} ms) pulled and unpacked the images on
the node. Median of ${REPS} runs each, alternating. 1 node (runc), 1 replica.

| delivery | median ms | runs (ms) |
|---|---:|---|
| image volumes | ${fmtNum(med('imageVolume'))} | ${times.imageVolume.map(fmtNum).join(', ')} |
| init-copy fallback | ${fmtNum(med('initCopy'))} | ${times.initCopy.map(fmtNum).join(', ')} |
| ratio (init-copy / image volumes) | ${fmtRatio(med('initCopy') / med('imageVolume'))} | |

Most of either time is Tomcat starting and deploying the two contexts on a loaded 2-core machine.
`;
}

// --- 2. Config change until every replica serves the new value --------------------------------

/** A site image: busybox plus /site, whose CGI prints the config from the env and a conf file. */
function siteImage(wharf, work) {
  const content = join(work, 'site-content');
  const site = join(content, 'site');
  mkdirSync(join(site, 'cgi-bin'), { recursive: true });
  writeFileSync(join(site, 'index.html'), 'site\n');
  writeFileSync(
    join(site, 'cgi-bin/greet'),
    '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "$GREETING"\n',
  );
  chmodSync(join(site, 'cgi-bin/greet'), 0o755);
  // The inPlace file lives outside the artifact (an image volume is read-only: nothing mounts inside it).
  writeFileSync(
    join(site, 'cgi-bin/value'),
    '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\ncat /etc/cfg/value.txt\n',
  );
  chmodSync(join(site, 'cgi-bin/value'), 0o755);
  return ociArchive(
    { contentDir: content, base: { layout: join(wharf.dataDir, 'images'), ref: 'busybox:1' } },
    join(work, 'site.tar'),
  );
}

const configApp = (analysisSeconds) => `
apiVersion: platform.wharf.dev/v1alpha1
kind: ConfigSet
metadata: {name: cfg-env, namespace: ${NS}}
spec: {data: {GREETING: v0}}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: ConfigSet
metadata: {name: cfg-files, namespace: ${NS}}
spec: {data: {value.txt: f0}}
---
apiVersion: platform.wharf.dev/v1alpha1
kind: Application
metadata: {name: cfg, namespace: ${NS}}
spec:
  rollout: {analysisSeconds: ${analysisSeconds}, batchSeconds: 0}
  components:
  - name: web
    runtime: {image: "busybox:1", command: [httpd, -f, -p, "8080", -h, /www]}
    artifacts: [{image: "cfg-site:1", path: /site, mountPath: /www}]
    replicas: 3
    ports: [{name: http, port: 8080}]
    probes: {readiness: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1, timeoutSeconds: 2}}
    config:
    - {configSet: cfg-env, as: env}
    - {configSet: cfg-files, as: file, mountPath: /etc/cfg, update: inPlace}
`;

async function configSection() {
  const ANALYSIS = 5;
  const wharf = await startWharfCleanly(
    ['--nodes', '1', '--ingress-port', String(await freePort()), '--ingress-https-port', String(await freePort())],
    { readyTimeoutMs: 300_000 },
  );
  const { api, k } = clients(wharf);
  const work = tempDir('wharf-bench-apps-');
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  await cli(wharf, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static');
  await importImage(wharf, siteImage(wharf, work), 'cfg-site:1');
  await k.ok(['create', 'namespace', NS]);
  await k.ok(['apply', '-f', '-'], { stdin: configApp(ANALYSIS) });
  const appPath = `/apis/platform.wharf.dev/v1alpha1/namespaces/${NS}/applications/cfg`;
  const settled = async () => {
    const a = await api.json('GET', appPath);
    return a.status?.revision &&
      !a.status.rollout &&
      (a.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
      ? a
      : undefined;
  };
  await until(settled, 300_000, 'the app rolled out', 500).catch(async (e) => {
    throw new Error(`${e.message}: ${JSON.stringify((await api.json('GET', appPath)).status)}`);
  });
  /** Every replica (3 Ready, serving pods) answers `want` at `path`. */
  const everyReplica = (path, want) => async () => {
    const pods = await servingPods(api, 'cfg');
    if (pods.length !== 3) return false;
    for (const pod of pods) if ((await fetchText(pod.status.podIP, 8080, path)).body.trim() !== want) return false;
    return true;
  };
  const patch = (cs, data) =>
    api.json(
      'PATCH',
      `/apis/platform.wharf.dev/v1alpha1/namespaces/${NS}/configsets/${cs}`,
      { spec: { data } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
  const rollout = [];
  for (let i = 1; i <= CHANGES; i++) {
    const t0 = performance.now();
    await patch('cfg-env', { GREETING: `v${i}` });
    await until(everyReplica('/cgi-bin/greet', `v${i}`), 300_000, `v${i} on every replica`, 100);
    rollout.push(performance.now() - t0);
    await until(settled, 120_000, 'the rollout finished', 200); // the old pods are drained and gone
    process.stderr.write(`rollout ${i}/${CHANGES}: ${fmtNum(rollout.at(-1))} ms\n`);
  }
  const inPlace = [];
  for (let i = 1; i <= CHANGES; i++) {
    const t0 = performance.now();
    await patch('cfg-files', { 'value.txt': `f${i}` });
    await until(everyReplica('/cgi-bin/value', `f${i}`), 120_000, `f${i} on every replica`, 100);
    inPlace.push(performance.now() - t0);
    process.stderr.write(`inPlace ${i}/${CHANGES}: ${fmtNum(inPlace.at(-1))} ms\n`);
  }
  // The reference: a restart of the same Deployment (the app's current revision), as a user of
  // plain Deployments would roll a changed ConfigMap out.
  const revision = (await api.json('GET', appPath)).status.revision;
  const deployment = `deploy/cfg-web-r${revision}`;
  const restart = [];
  for (let i = 1; i <= CHANGES; i++) {
    const t0 = performance.now();
    await k.ok(['rollout', 'restart', deployment, '-n', NS]);
    await k.ok(['rollout', 'status', deployment, '-n', NS, '--timeout=300s'], { timeoutMs: 310_000 });
    restart.push(performance.now() - t0);
    process.stderr.write(`kubectl rollout restart ${i}/${CHANGES}: ${fmtNum(restart.at(-1))} ms\n`);
  }
  const row = (what, xs) =>
    `| ${what} | ${fmtNum(p(xs, 0.5))} | ${fmtNum(p(xs, 0.99))} | ${xs.map(fmtNum).join(', ')} |`;
  return `## Config change → every replica serving the new value

One Application (busybox httpd, 3 replicas, an HTTP readiness probe every second) reading one
ConfigSet as env (\`update: rollout\`) and another as files (\`update: inPlace\`). Each of ${CHANGES}
changes is a merge patch of the ConfigSet's \`spec.data\`; the time runs until all 3 Ready,
serving pods of the app answer the new value when asked directly (pod IP). \`rollout\` publishes
a version, makes a revision, starts one canary pod, holds it Ready for \`analysisSeconds: ${ANALYSIS}\`
(default 30), then replaces the old pods in 2 steps (\`maxSurge\` 25% = 1 pod, old pods taken
out of the Service 3 s before they go), the last step analysed again; \`batchSeconds: 0\` (default
5 batches edits). \`inPlace\` updates the mirror ConfigMap, which the node agent re-projects into
the running pods (every 2 s). The reference is \`kubectl rollout restart\` + \`kubectl rollout
status\` of the same Deployment (the app's current revision: \`maxSurge\` 1, \`maxUnavailable\` 0,
no analysis): the time a plain-Deployment user waits for a changed ConfigMap to be read again.
1 node (runc).

| how | p50 ms | p99 ms | runs (ms) |
|---|---:|---:|---|
${row('`rollout` (health-gated: canary + analysis, 2 steps, analysis)', rollout)}
${row('`inPlace` (files, no restart)', inPlace)}
${row('reference: `kubectl rollout restart` + `rollout status`', restart)}

The rollout pays for its health gates: 2 × ${ANALYSIS} s of analysis and the drain of the old pods are
in its time; less the analysis its p50 is ${fmtRatio((p(rollout, 0.5) - 2 * ANALYSIS * 1000) / p(restart, 0.5))} the reference's. With ${CHANGES} changes the p99 is the slowest run.
`;
}

// --- 3. Controller cost: 200 Applications × 2 components on simulated nodes -------------------

const simApp = (i) => ({
  apiVersion: 'platform.wharf.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: `app-${i}`, namespace: NS },
  spec: {
    rollout: { analysisSeconds: 1, batchSeconds: 1 },
    components: ['web', 'worker'].map((c) => ({
      name: c,
      runtime: { image: 'busybox:1', command: ['httpd', '-f', '-p', '8080'] },
      artifacts: c === 'web' ? [{ image: 'site:1', path: '/site', mountPath: '/www' }] : [],
      replicas: 1,
      ports: [{ name: 'http', port: 8080 }],
      ...(c === 'web' ? { expose: { host: `app-${i}.localhost` } } : {}),
      config: [{ configSet: `settings-${i}`, as: 'env' }],
    })),
  },
});

async function controllersSection() {
  const wharf = await startWharfCleanly(['--simulated-nodes', '10', '--no-platform'], { readyTimeoutMs: 300_000 });
  const { api } = clients(wharf);
  const platform = spawn(
    process.execPath,
    [
      WHARF_BIN,
      'platform',
      '--kubeconfig',
      join(wharf.dataDir, 'kubeconfig'),
      '--artifact-delivery',
      'image-volume',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  platform.output = '';
  platform.exited = new Promise((r) => platform.on('exit', r));
  for (const s of [platform.stdout, platform.stderr])
    s.on('data', (d) => (platform.output = (platform.output + d).slice(-20_000)));
  onCleanup(() => stopProcess(platform));
  await until(
    async () => (await api.json('GET', '/apis/platform.wharf.dev/v1alpha1/applications')).items,
    60_000,
    'the platform CRDs',
    200,
  );
  await api.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await sleep(2000); // the controllers' informers are up
  const cpu = () => procStats(platform.pid).cpuMs;
  const base = procStats(platform.pid);
  const appsPath = `/apis/platform.wharf.dev/v1alpha1/namespaces/${NS}/applications`;
  const t0 = performance.now();
  const c0 = cpu();
  // 8 clients creating at once, each a ConfigSet then its Application.
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < APPS; i = next++) {
        await api.json('POST', `/apis/platform.wharf.dev/v1alpha1/namespaces/${NS}/configsets`, {
          apiVersion: 'platform.wharf.dev/v1alpha1',
          kind: 'ConfigSet',
          metadata: { name: `settings-${i}`, namespace: NS },
          spec: { data: { GREETING: 'hello' } },
        });
        await api.json('POST', appsPath, simApp(i));
      }
    }),
  );
  const created = performance.now() - t0;
  const ready = (a) =>
    a.status?.revision &&
    !a.status.rollout &&
    (a.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  await until(
    async () => (await api.json('GET', appsPath)).items.filter(ready).length === APPS,
    1_200_000,
    `${APPS} Applications Ready`,
    1000,
  );
  const allReady = performance.now() - t0;
  const deployCpu = cpu() - c0;
  // Idle: informers and resyncs only.
  const IDLE_S = 30;
  const c1 = cpu();
  await sleep(IDLE_S * 1000);
  const idleCpu = (cpu() - c1) / (IDLE_S * 1000);
  // A change → the status saying so: scale one component of one app, until its status reports the
  // new replicas Ready (the controller, the Deployment and ReplicaSet controllers, the scheduler and
  // a simulated node in between).
  const scale = [];
  for (let n = 0; n < CHANGES; n++) {
    const name = `app-${Math.floor((n * APPS) / CHANGES)}`;
    const tc = performance.now();
    await api.json('PATCH', `${appsPath}/${name}`, [{ op: 'replace', path: '/spec/components/1/replicas', value: 2 }], {
      'Content-Type': 'application/json-patch+json',
    });
    await until(
      async () => {
        const a = await api.json('GET', `${appsPath}/${name}`);
        return a.status?.observedGeneration === a.metadata.generation && a.status.components?.[1]?.readyReplicas === 2;
      },
      120_000,
      `${name} scaled`,
      50,
    );
    scale.push(performance.now() - tc);
  }
  const stats = procStats(platform.pid);
  return `## Controller cost: ${APPS} Applications × 2 components on simulated nodes

\`wharf up --simulated-nodes 10 --no-platform\` (KWOK-style nodes: pods report Running and Ready
without containers) with the platform controllers as their own process (\`wharf platform
--kubeconfig\`), so their CPU and memory are measured apart from the API server's. Each
Application has 2 components of 1 replica (one with an artifact and exposed: Service + Ingress)
and reads its own ConfigSet as env: ${APPS} ConfigSets and ${APPS} Applications created by 8
clients at once, giving ${APPS} revisions, ${APPS * 2} Deployments and pods, ${APPS * 2} Services and ${APPS} Ingresses.

| what | value |
|---|---:|
| create ${APPS} ConfigSets + Applications (8 clients) | ${fmtNum(created)} ms |
| from the first create until all ${APPS} Applications report Ready (rolled out) | ${fmtNum(allReady)} ms |
| from the last create until all report Ready | ${fmtNum(allReady - created)} ms |
| platform controllers' CPU for that | ${fmtNum(deployCpu)} ms (${fmtNum(deployCpu / APPS)} ms per Application) |
| platform controllers' CPU idle afterwards (${IDLE_S} s) | ${(idleCpu * 100).toFixed(1)}% of one core |
| platform controllers' memory: RSS at the end / peak | ${fmtNum(stats.rssMb)} MB / ${fmtNum(stats.peakRssMb)} MB |
| platform controllers' RSS before any Application | ${fmtNum(base.rssMb)} MB |
| change → status updated: scale a component 1 → 2 until status shows 2 Ready, p50 | ${fmtMs(p(scale, 0.5))} ms |
| same, p99 (${CHANGES} changes) | ${fmtMs(p(scale, 0.99))} ms |
| load average (1 min) at the end | ${loadavg()[0].toFixed(1)} |

The platform process used ${fmtNum(deployCpu)} ms of CPU over ${fmtNum(allReady)} ms: the time to all Ready is mostly its
4 workers waiting on API writes (a revision, 2 Deployments, 2 Services, an Ingress, statuses per
Application), so it follows the API server's latency on the shared machine rather than the
controllers' own cost.
`;
}

async function main() {
  const facts = machineFacts();
  const wanted = (name) => PART === 'all' || PART === name;
  const fresh = {
    deploy: wanted('deploy') ? await deploySection() : undefined,
    config: wanted('config') ? await configSection() : undefined,
    controllers: wanted('controllers') ? await controllersSection() : undefined,
  };
  // The sections not re-run come from the file as it is now (another part may have run meanwhile).
  let old = '';
  try {
    old = readFileSync(OUT, 'utf8');
  } catch {
    // first run
  }
  const deploy = fresh.deploy ?? section(old, 'Deploy of the M+N app');
  const config = fresh.config ?? section(old, 'Config change');
  const controllers = fresh.controllers ?? section(old, 'Controller cost');
  const md = `# Applications benchmarks

Generated by \`npm run bench:apps\` (bench/apps.mjs); \`BENCH_PART=deploy|config|controllers\` re-runs
one section and keeps the others.

${machineTable(
  facts,
  [
    [
      'kubectl (reference client)',
      await run('/usr/bin/kubectl', ['version', '--client', '-o', 'json'])
        .then((r) => JSON.parse(r.stdout).clientVersion.gitVersion)
        .catch(() => 'unknown'),
    ],
  ],
  'see each section',
)}

${deploy}
${config}
${controllers}`;
  writeFileSync(OUT, md);
  process.stdout.write(md);
}

runBench(main);
