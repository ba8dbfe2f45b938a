// Monitoring stack footprint: Wharf's Prometheus and Alertmanager pods (Debian 2.42 / 0.25, from
// `wharf up --nodes 2`) against the reference, Prometheus + Alertmanager + node-exporter run
// directly on the host with the same scrape configuration (the operator's prometheus.yml, with
// the service-account files replaced by the host's copies) and the same alertmanager.yml.
// Memory (RSS, PSS) and CPU over a window, idle and with 100 pods running. The operator runs
// inside `wharf up` (reported separately); kube-state-metrics, the discovery and the query proxy
// (one platform image pod, monitoring-components) and the node-exporter pods are counted in rows
// of their own (found through their pods' containerIDs in the nodes' runc state), beside the two
// the reference has.
// Alert latency: from a crash-looping pod created to the test's webhook receiving its alert from
// the Alertmanager pod, with the default rule (`for: 15m`, Alertmanager's group_wait 30s) and with
// a short one (the same expression, `for: 5s`, group_wait 1s). BENCH_ALERT_DEFAULT=0 skips the
// default row (it takes over 15 minutes); BENCH_ONLY=latency skips the footprint. And from
// `wharf node fail node-1` to the webhook receiving a short node-not-ready rule's alert.
// Writes docs/benchmarks/monitoring.md. Run: `npm run bench:monitoring`.
import { spawn, execFile } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanup, onCleanup, startWharfCleanly } from './lib/cleanup.mjs';
import { freePort, stopProcess, tempDir, WHARF_BIN } from './lib/procs.mjs';
import { cpuTimes, descendants, memory, processTable } from './lib/mem.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';

const run = promisify(execFile);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 60_000);
const PODS = 100;
const facts = machineFacts();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, timeoutMs, what) {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** CPU (cores, averaged) and memory (MB, at the end) of each named process set over one window. */
async function measure(sets) {
  const cpu0 = Object.fromEntries(
    Object.entries(sets).map(([k, pids]) => [k, pids().reduce((n, p) => n + (cpuTimes(p)?.selfMs ?? 0), 0)]),
  );
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  const secs = (performance.now() - t0) / 1000;
  const out = {};
  for (const [k, pids] of Object.entries(sets)) {
    const ps = pids();
    const cpuMs = ps.reduce((n, p) => n + (cpuTimes(p)?.selfMs ?? 0), 0) - cpu0[k];
    const mem = ps.map(memory).filter(Boolean);
    out[k] = {
      cores: cpuMs / 1000 / secs,
      rssMb: mem.reduce((n, m) => n + m.rssMb, 0),
      pssMb: mem.reduce((n, m) => n + m.pssMb, 0),
    };
  }
  return out;
}

const ONLY_LATENCY = process.env.BENCH_ONLY === 'latency';
const ALERT_DEFAULT = process.env.BENCH_ALERT_DEFAULT !== '0';

/** A webhook on the address pods reach this host on, noting when a firing alert `match`es. */
async function alertHook(kubectl, match) {
  const host = (await kubectl('get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}')).trim();
  const hook = { url: '', receivedAt: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (!hook.receivedAt && JSON.parse(body).alerts.some((a) => a.status === 'firing' && match(a.labels)))
        hook.receivedAt = performance.now();
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, host, r));
  onCleanup(() => new Promise((r) => server.close(r)));
  hook.url = `http://${host}:${server.address().port}/`;
  return hook;
}

/** Applies YAML documents and waits for the AlertmanagerConfig `id` in `ns` to be accepted. */
async function applyRouting(kubectl, docs, ns, id) {
  const apply = spawn('kubectl', ['--kubeconfig', kubectl.kubeconfig, 'apply', '-f', '-'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  apply.stdin.end(docs.join('---\n'));
  await new Promise((r) => apply.on('close', r));
  await until(
    async () =>
      (await kubectl('get', 'alertmanagerconfig', id, '-n', ns, '-o', 'jsonpath={.status.conditions[0].status}')) ===
      'True',
    60_000,
    `AlertmanagerConfig ${id} accepted`,
  );
}

/**
 * Node-failure latency: `wharf node fail node-1` (its agent and containers stop, as on power
 * loss) to the node seen NotReady and to the webhook receiving a short rule's alert (for: 5s,
 * group_wait 1s) on kube-state-metrics' Ready condition. kube-state-metrics' series carry
 * namespace wharf-monitoring, so the route lives there. The node is restored after.
 */
async function nodeFailLatency(kubectl, dataDir) {
  const id = 'latency-node';
  const hook = await alertHook(kubectl, (l) => l.alertname === 'BenchNodeNotReady' && l.node === 'node-1');
  await applyRouting(
    kubectl,
    [
      `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: ${id}, namespace: wharf-monitoring}\nspec:\n  groups:\n  - name: ${id}\n    rules:\n    - {alert: BenchNodeNotReady, expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0', for: 5s, labels: {severity: warning}}\n`,
      `apiVersion: monitoring.coreos.com/v1alpha1\nkind: AlertmanagerConfig\nmetadata: {name: ${id}, namespace: wharf-monitoring}\nspec:\n  route: {receiver: hook, groupBy: [alertname, node], groupWait: 1s, groupInterval: 5s, matchers: [{name: alertname, value: BenchNodeNotReady}]}\n  receivers: [{name: hook, webhookConfigs: [{url: '${hook.url}', sendResolved: false}]}]\n`,
    ],
    'wharf-monitoring',
    id,
  );
  // The node's failure must not take kube-state-metrics or the discovery with it (their pod would
  // come back only after the 300 s eviction): move it off node-1 first.
  await kubectl('cordon', 'node-1');
  await kubectl(
    'delete',
    'pod',
    '-n',
    'wharf-monitoring',
    '-l',
    'app.kubernetes.io/name=monitoring-components',
    '--field-selector',
    'spec.nodeName=node-1',
    '--wait=false',
  );
  await until(
    async () =>
      (await kubectl(
        'get',
        'deploy',
        'monitoring-components',
        '-n',
        'wharf-monitoring',
        '-o',
        'jsonpath={.status.readyReplicas}',
      )) === '1' &&
      !(
        await kubectl('get', 'pods', '-n', 'wharf-monitoring', '--field-selector', 'spec.nodeName=node-1', '-o', 'name')
      ).includes('monitoring-components'),
    300_000,
    'kube-state-metrics and the discovery on node-0',
  );
  await kubectl('uncordon', 'node-1');
  await sleep(30_000); // a few scrapes of the moved kube-state-metrics before the failure
  const t0 = performance.now();
  await run(process.execPath, [WHARF_BIN, 'node', 'fail', 'node-1', '--data-dir', dataDir]);
  onCleanup(() =>
    run(process.execPath, [WHARF_BIN, 'node', 'restore', 'node-1', '--data-dir', dataDir]).catch(() => undefined),
  );
  let notReadyAt = 0;
  await until(
    async () => {
      if (
        !notReadyAt &&
        (await kubectl('get', 'node', 'node-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) !==
          'True'
      )
        notReadyAt = performance.now();
      return hook.receivedAt > 0;
    },
    10 * 60_000,
    'BenchNodeNotReady for node-1 at the webhook',
  );
  await run(process.execPath, [WHARF_BIN, 'node', 'restore', 'node-1', '--data-dir', dataDir]);
  return { notReadyS: notReadyAt ? (notReadyAt - t0) / 1000 : NaN, webhookS: (hook.receivedAt - t0) / 1000 };
}

/**
 * One alert-latency run: a pod that exits at once (CrashLoopBackOff after its restarts) and an
 * AlertmanagerConfig routing `alertname` to a webhook on the address pods reach this host on.
 * Answers seconds from the pod created to CrashLoopBackOff seen, and to the webhook receiving it.
 */
async function alertLatency(kubectl, { id, alertname, groupWait, rule }) {
  const hook = await alertHook(kubectl, (l) => l.alertname === alertname && l.pod === id);
  await applyRouting(
    kubectl,
    [
      ...(rule
        ? [
            `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: ${id}, namespace: default}\nspec:\n  groups:\n  - name: ${id}\n    rules:\n    - {alert: ${alertname}, expr: '${rule.expr}', for: ${rule.for}, labels: {severity: warning}}\n`,
          ]
        : []),
      `apiVersion: monitoring.coreos.com/v1alpha1\nkind: AlertmanagerConfig\nmetadata: {name: ${id}, namespace: default}\nspec:\n  route: {receiver: hook, groupBy: [alertname, pod], groupWait: ${groupWait}, groupInterval: 5s, matchers: [{name: alertname, value: ${alertname}}, {name: pod, value: ${id}}]}\n  receivers: [{name: hook, webhookConfigs: [{url: '${hook.url}', sendResolved: false}]}]\n`,
    ],
    'default',
    id,
  );
  const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: ${id}, namespace: default}\nspec:\n  nodeName: node-0\n  terminationGracePeriodSeconds: 1\n  containers: [{name: app, image: busybox:1, command: [sh, -c, 'exit 3']}]\n`;
  const create = spawn('kubectl', ['--kubeconfig', kubectl.kubeconfig, 'create', '-f', '-'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const t0 = performance.now();
  create.stdin.end(pod);
  await new Promise((r) => create.on('close', r));
  let crashAt = 0;
  await until(
    async () => {
      if (
        !crashAt &&
        (await kubectl('get', 'pod', id, '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}')) ===
          'CrashLoopBackOff'
      )
        crashAt = performance.now();
      return hook.receivedAt > 0;
    },
    30 * 60_000,
    `${alertname} for ${id} at the webhook`,
  );
  await kubectl('delete', 'pod', id, '--wait=false');
  return { crashLoopS: crashAt ? (crashAt - t0) / 1000 : NaN, webhookS: (hook.receivedAt - t0) / 1000 };
}

const byArg = (pred) => () =>
  processTable()
    .filter(pred)
    .map((p) => p.pid);

/**
 * The host pids of a namespace's pods matching `selector`: each container's init process (from the
 * nodes' runc state, by the containerID the pod reports) and its descendants.
 */
async function podPids(kubectl, dataDir, ns, selector) {
  const pods = JSON.parse(await kubectl('get', 'pods', '-n', ns, '-l', selector, '-o', 'json')).items;
  const ids = new Set(
    pods.flatMap((p) =>
      (p.status?.containerStatuses ?? []).map((c) => (c.containerID ?? '').replace(/^runc:\/\//, '')),
    ),
  );
  const nodes = readdirSync(join(dataDir, 'nodes')).filter((n) => /^node-\d+$/.test(n));
  const table = processTable();
  const pids = [];
  for (const node of nodes) {
    const list =
      JSON.parse(
        (await run('runc', ['--root', join(dataDir, 'nodes', node, 'run', 'runc'), 'list', '--format', 'json']))
          .stdout || 'null',
      ) ?? [];
    for (const c of list)
      if (ids.has(c.id) && c.pid > 0) pids.push(c.pid, ...descendants(table, c.pid).map((d) => d.pid));
  }
  return pids;
}

/** Fixed pid sets (pods keep their processes across a window) for the platform's own monitoring pods. */
async function platformPodSets(kubectl, dataDir) {
  const set = async (app) => {
    const pids = await podPids(kubectl, dataDir, 'wharf-monitoring', `app.kubernetes.io/name=${app}`);
    if (!pids.length) throw new Error(`no process found for the ${app} pods`);
    return () => pids;
  };
  return { wharfNodeExporter: await set('node-exporter'), wharfComponents: await set('monitoring-components') };
}

async function main() {
  // Two nodes: node-1 fails in the node-failure latency run (the monitoring pods are on node-0).
  const wharf = await startWharfCleanly(
    ['--nodes', '2', '--scrape-interval', '15s', '--ingress-port', '0', '--ingress-https-port', '0'],
    { monitoring: true, readyTimeoutMs: 120_000 },
  );
  const kc = join(wharf.dataDir, 'kubeconfig');
  const kubectl = (...args) =>
    run('kubectl', ['--kubeconfig', kc, ...args], { timeout: 300_000 }).then((r) => r.stdout);
  kubectl.kubeconfig = kc;
  await run(
    process.execPath,
    [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', wharf.dataDir],
    { timeout: 300_000 },
  );
  // Alerts need kube-state-metrics and the discovery too (a platform image pod, deployed after Debian's images).
  await until(
    async () =>
      (await kubectl(
        'get',
        'deploy',
        'prometheus',
        'alertmanager',
        'monitoring-components',
        '-n',
        'wharf-monitoring',
        '-o',
        'jsonpath={.items[*].status.readyReplicas}',
      )) === '1 1 1',
    1_200_000,
    'the monitoring pods',
  );
  const crashExpr = 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1';
  const latency = {
    short: await alertLatency(kubectl, {
      id: 'latency-short',
      alertname: 'BenchPodCrashLooping',
      groupWait: '1s',
      rule: { expr: crashExpr, for: '5s' },
    }),
    ...(ALERT_DEFAULT
      ? {
          default: await alertLatency(kubectl, {
            id: 'latency-default',
            alertname: 'KubePodCrashLooping',
            groupWait: '30s',
          }),
        }
      : {}),
    node: await nodeFailLatency(kubectl, wharf.dataDir),
  };
  if (ONLY_LATENCY) return { latency };
  const promDir = join(wharf.dataDir, 'monitoring', 'prometheus');
  const amDir = join(wharf.dataDir, 'monitoring', 'alertmanager');

  // The reference on the host: the same prometheus.yml, the SA files swapped for the host's copies.
  const refDir = tempDir('wharf-bench-ref-');
  onCleanup(() => run('rm', ['-rf', refDir]));
  const neBin = '/usr/bin/prometheus-node-exporter';
  const [promPort, amPort, nePort] = [await freePort(), await freePort(), await freePort()];
  // The platform pod's Service names resolve only in pods: the host's Prometheus uses its pod IP.
  const componentsIp = (
    await kubectl(
      'get',
      'pods',
      '-n',
      'wharf-monitoring',
      '-l',
      'app.kubernetes.io/name=monitoring-components',
      '-o',
      'jsonpath={.items[0].status.podIP}',
    )
  ).trim();
  const refConfig = readFileSync(join(promDir, 'prometheus.yml'), 'utf8')
    .replaceAll('kube-state-metrics.wharf-monitoring.svc:8080', `${componentsIp}:8080`)
    .replaceAll('prometheus-sd.wharf-monitoring.svc:8081', `${componentsIp}:8081`)
    .replaceAll('/var/run/secrets/kubernetes.io/serviceaccount/token', join(promDir, 'token'))
    .replaceAll('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', join(wharf.dataDir, 'pki', 'ca.crt'))
    .replace(/targets:\n(\s+)- [\d.]+:9093/, `targets:\n$1- 127.0.0.1:${amPort}`)
    // The API's pod-facing address (with server_name kubernetes) is a host address too; the
    // reference scrapes itself, not the pod.
    .replace(
      /job_name: prometheus\n(\s+)static_configs:\n(\s+)- targets:\n(\s+)- [\d.]+:9090/,
      `job_name: prometheus\n$1static_configs:\n$2- targets:\n$3- 127.0.0.1:${promPort}`,
    )
    .replace(
      'scrape_configs:\n',
      `scrape_configs:\n  - job_name: node-exporter\n    static_configs: [{targets: ["127.0.0.1:${nePort}"]}]\n`,
    );
  writeFileSync(join(refDir, 'prometheus.yml'), refConfig);
  const ref = [
    spawn(
      'prometheus',
      [
        `--config.file=${join(refDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(refDir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    ),
    spawn(
      '/usr/bin/prometheus-alertmanager',
      [
        `--config.file=${join(amDir, 'alertmanager.yml')}`,
        `--storage.path=${join(refDir, 'am')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    ),
    spawn(neBin, [`--web.listen-address=127.0.0.1:${nePort}`, '--log.level=warn'], { stdio: 'ignore' }),
  ];
  for (const c of ref) onCleanup(() => stopProcess(c));
  await until(async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok, 60_000, 'the reference Prometheus');
  // Both scrape a while before the window, so neither is measured while starting.
  await sleep(30_000);
  const refUp = await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=count(up==1)`)).json();
  const targets = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()).data.activeTargets;
  const down = targets.filter((t) => t.health !== 'up');
  if (down.length)
    throw new Error(`reference targets down: ${JSON.stringify(down.map((t) => `${t.scrapeUrl}: ${t.lastError}`))}`);

  const inPod = (bin) =>
    byArg(
      (p) =>
        p.argv[0] === bin &&
        p.argv.some((a) => a.startsWith('--config.file=') && a.includes(wharf.dataDir)) &&
        !p.argv.some((a) => a.includes(refDir)),
    );
  const sets = {
    wharfPrometheus: inPod('/usr/bin/prometheus'),
    wharfAlertmanager: inPod('/usr/bin/prometheus-alertmanager'),
    wharfUp: () => [wharf.pid],
    refPrometheus: () => [ref[0].pid],
    refAlertmanager: () => [ref[1].pid],
    refNodeExporter: () => [ref[2].pid],
  };
  if (!sets.wharfPrometheus().length) throw new Error("the Prometheus pod's process was not found");
  const idle = await measure({ ...sets, ...(await platformPodSets(kubectl, wharf.dataDir)) });

  const manifests = Array.from(
    { length: PODS },
    (_, i) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: load-${i}, namespace: default}\nspec:\n  nodeName: node-0\n  terminationGracePeriodSeconds: 1\n  containers: [{name: c, image: busybox:1, command: [sleep, '3600'], resources: {requests: {cpu: 1m}}}]\n`,
  ).join('---\n');
  const apply = spawn('kubectl', ['--kubeconfig', kc, 'apply', '-f', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
  apply.stdin.end(manifests);
  await new Promise((r) => apply.on('close', r));
  await until(
    async () =>
      (await kubectl('get', 'pods', '-n', 'default', '--field-selector=status.phase=Running', '-o', 'name'))
        .split('\n')
        .filter(Boolean).length >= PODS,
    600_000,
    `${PODS} pods running`,
  );
  await sleep(30_000);
  const loaded = await measure({ ...sets, ...(await platformPodSets(kubectl, wharf.dataDir)) });
  const series = async (port) =>
    Number(
      (await (await fetch(`http://${port}/api/v1/query?query=prometheus_tsdb_head_series`)).json()).data.result[0]
        ?.value[1] ?? 0,
    );
  const promIp = (
    await kubectl('get', 'svc', 'prometheus', '-n', 'wharf-monitoring', '-o', 'jsonpath={.spec.clusterIP}')
  ).trim();
  const heads = { wharf: await series(`${promIp}:9090`), ref: await series(`127.0.0.1:${promPort}`) };
  return { latency, idle, loaded, heads, refTargetsUp: Number(refUp.data.result[0]?.value[1] ?? 0) };
}

function row(name, m) {
  return `| ${name} | ${m.cores.toFixed(3)} | ${m.rssMb.toFixed(0)} | ${Number.isNaN(m.pssMb) ? '–' : m.pssMb.toFixed(0)} |`;
}

function table(title, m) {
  const sum = (keys) =>
    keys.reduce((a, k) => ({ cores: a.cores + m[k].cores, rssMb: a.rssMb + m[k].rssMb, pssMb: a.pssMb + m[k].pssMb }), {
      cores: 0,
      rssMb: 0,
      pssMb: 0,
    });
  // Like for like: Prometheus, Alertmanager and one node-exporter per node on both sides.
  const w = sum(['wharfPrometheus', 'wharfAlertmanager', 'wharfNodeExporter']);
  const r = sum(['refPrometheus', 'refAlertmanager', 'refNodeExporter']);
  const extra = m.wharfComponents;
  const all = { cores: w.cores + extra.cores, rssMb: w.rssMb + extra.rssMb, pssMb: w.pssMb + extra.pssMb };
  return [
    `### ${title}`,
    '',
    '| Process | CPU (cores) | RSS (MB) | PSS (MB) |',
    '|---|---:|---:|---:|',
    row('Wharf: Prometheus pod', m.wharfPrometheus),
    row('Wharf: Alertmanager pod', m.wharfAlertmanager),
    row('Wharf: node-exporter pods (one per node, 2 nodes)', m.wharfNodeExporter),
    row('**Wharf stack (pods)**', w),
    row('Reference: Prometheus (host)', m.refPrometheus),
    row('Reference: Alertmanager (host)', m.refAlertmanager),
    row('Reference: node-exporter (host)', m.refNodeExporter),
    row('**Reference stack**', r),
    row('Wharf: monitoring-components pod (kube-state-metrics, discovery, query proxy)', m.wharfComponents),
    row('**Wharf stack with its platform pod**', all),
    row('`wharf up` (API server, controllers, agents, operator)', m.wharfUp),
    '',
    `Wharf's pods / reference: ${(w.rssMb / r.rssMb).toFixed(2)}× RSS, ${(w.cores / Math.max(r.cores, 1e-6)).toFixed(2)}× CPU (Prometheus, Alertmanager and node-exporter on both sides);`,
    `with kube-state-metrics, the discovery and the query proxy, which the reference has no counterpart for: ${(all.rssMb / r.rssMb).toFixed(2)}× RSS.`,
    '',
  ].join('\n');
}

function latencyTable(l) {
  const line = (name, m) =>
    m
      ? `| ${name} | ${m.crashLoopS.toFixed(1)} | ${m.webhookS.toFixed(1)} |`
      : `| ${name} | not run (BENCH_ALERT_DEFAULT=0) | |`;
  return [
    '### Alert latency (crash-looping pod → webhook)',
    '',
    "Seconds from the pod created (its container exits at once) to its CrashLoopBackOff seen, and to the test's webhook",
    'receiving the firing alert from the Alertmanager pod (scrape and evaluation every 15 s).',
    '',
    '| Settings | CrashLoopBackOff (s) | Webhook (s) |',
    '|---|---:|---:|',
    line('Default: KubePodCrashLooping `for: 15m`, group_wait 30s', l.default),
    line('Short: same expression `for: 5s`, group_wait 1s', l.short),
    '',
    '### Alert latency (node failure → webhook)',
    '',
    'Seconds from `wharf node fail node-1` to the node seen NotReady, and to the webhook receiving a rule on',
    "kube-state-metrics' Ready condition (`for: 5s`, group_wait 1s; the default KubeNodeNotReady waits `for: 15m`).",
    '',
    '| Settings | NotReady (s) | Webhook (s) |',
    '|---|---:|---:|',
    l.node
      ? `| Short: \`kube_node_status_condition{condition="Ready",status="true"} == 0\` \`for: 5s\` | ${l.node.notReadyS.toFixed(1)} | ${l.node.webhookS.toFixed(1)} |`
      : '| not run | | |',
    '',
  ].join('\n');
}

try {
  const r = await main();
  if (ONLY_LATENCY) {
    console.log(latencyTable(r.latency));
  } else {
    mkdirSync('docs/benchmarks', { recursive: true });
    writeFileSync(
      'docs/benchmarks/monitoring.md',
      [
        '# Monitoring stack footprint',
        '',
        'Generated by `bench/monitoring.mjs` (`npm run bench:monitoring`). Wharf: `wharf up --nodes 2 --scrape-interval 15s`,',
        'its Prometheus and Alertmanager pods (Debian 2.42 / 0.25 images). Reference: the same Debian binaries',
        'plus prometheus-node-exporter run on the host with the same prometheus.yml (plus a node-exporter job)',
        `and alertmanager.yml. CPU is averaged over ${WINDOW_MS / 1000} s; memory read at the end of the window.`,
        '',
        machineTable(
          facts,
          [
            ['prometheus', '2.42 (Debian)'],
            ['prometheus-alertmanager', '0.25 (Debian)'],
            ['prometheus-node-exporter', 'Debian'],
          ],
          'runc',
        ),
        '',
        table("Idle (the platform's own pods only)", r.idle),
        table(`With ${PODS} pods running`, r.loaded),
        latencyTable(r.latency),
        `Head series at the end: Wharf's Prometheus ${r.heads.wharf}, the reference ${r.heads.ref} (the reference also scrapes node-exporter). Targets up in the reference: ${r.refTargetsUp}.`,
        '',
        "Wharf runs node-exporter on each of its 2 nodes (a DaemonSet of Debian's binary), the reference one on the host.",
        '',
      ].join('\n'),
    );
    console.log(readFileSync('docs/benchmarks/monitoring.md', 'utf8'));
  }
} finally {
  await cleanup();
}
