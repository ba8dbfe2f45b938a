// Healing benchmarks on a real 3-node embedded cluster (runc containers): time from a node's
// death to all its pods Running elsewhere (toleration 5 s), the same for 3 replicas spread over
// the zones with nodeTaintsPolicy Honor (repeated; requests through the Service counted), and
// failed requests during a rolling update under steady load through the Service, and requests
// through the Service, the Ingress and cluster DNS while `wharf up` is killed and restarted.
// Writes docs/benchmarks/ha.md.
// Run: `npm run bench:ha` (root, runc and the CNI plugins needed); `BENCH_HA_ONLY=restart` runs
// only the control-plane restart drill and replaces only its section of the file.
import { execFileSync, execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:http';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { freePort, startWharf, stopProcess, WHARF_BIN } from './lib/procs.mjs';
import { restartDrill } from './lib/restart-drill.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { fmtMs, fmtNum, summarize } from './lib/stats.mjs';

const run = promisify(execFile);
const GRACE = 10;
const TOLERATION = 5;
const REPLICAS = 6;
/** Node deaths with the Honor spread constraint (BENCH_HA_REPEAT). */
const HONOR_RUNS = Math.max(1, Number(process.env.BENCH_HA_REPEAT ?? 5));
/** How long `wharf up` stays down in the restart drill. */
const OUTAGE_MS = 20_000;
const ONLY_RESTART = process.env.BENCH_HA_ONLY === 'restart';
const facts = machineFacts();
const started = performance.now();

const INGRESS_PORT = await freePort();
const ARGS = [
  '--nodes',
  '3',
  '--default-toleration-seconds',
  String(TOLERATION),
  '--node-monitor-grace-period',
  String(GRACE),
  '--node-eviction-rate',
  '10',
  '--ingress-port',
  String(INGRESS_PORT),
  '--ingress-https-port',
  String(await freePort()),
];
let wharf = await startWharf({ extraArgs: ARGS });
const kubeconfig = `${wharf.dataDir}/kubeconfig`;
const kubectl = async (...args) =>
  (await run('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 180_000 })).stdout;
const wharfCli = (...args) =>
  run(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 180_000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One GET, settled within 3 s whatever happens (a pod's node may vanish mid-response). */
function httpGet(host, port) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const deadline = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer within 3 s'));
    }, 3000);
    const settle = (f) => {
      clearTimeout(deadline);
      f();
    };
    const req = get({ host, port, path: '/', timeout: 2000, agent: false }, (res) => {
      res.resume();
      res.on('error', (e) => settle(() => reject(e)));
      res.on('end', () =>
        settle(() =>
          res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`HTTP ${res.statusCode}`)),
        ),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => settle(() => reject(e)));
  });
}

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${REPLICAS}
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: busybox:1
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && httpd -f -p 8080 -h /www; exit 1"]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
        lifecycle: {preStop: {exec: {command: [sleep, "2"]}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules: [{host: web.localhost, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;

const honorManifest = (ns) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: spread, namespace: ${ns}}
spec:
  replicas: 3
  selector: {matchLabels: {app: spread}}
  template:
    metadata: {labels: {app: spread}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: spread}}, nodeTaintsPolicy: Honor}
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: ${TOLERATION}}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: ${TOLERATION}}
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: busybox:1
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && httpd -f -p 8080 -h /www"]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: spread, namespace: ${ns}}
spec: {selector: {app: spread}, ports: [{port: 80, targetPort: 8080}]}
`;

const readyPods = async (label, ns = 'default') =>
  JSON.parse(await kubectl('get', 'pods', '-n', ns, '-l', label, '-o', 'json')).items.filter(
    (p) =>
      p.status?.phase === 'Running' &&
      !p.metadata.deletionTimestamp &&
      (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  );
const running = () => readyPods('app=web');
const untainted = async (node) => {
  for (;;) {
    const n = JSON.parse(await kubectl('get', 'node', node, '-o', 'json'));
    if (!(n.spec.taints ?? []).length && n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
      return;
    await sleep(250);
  }
};
const dnatReady = async (ip) => {
  // Only send to a ClusterIP once its DNAT rules exist (nothing may leave the machine).
  while (!execFileSync('iptables-save', ['-t', 'nat']).toString().includes(`${ip}/32`)) await sleep(200);
};

/** One node death under the Honor constraint: when the 3 replicas are Ready in the other zones. */
async function honorRun(i) {
  const ns = `bench-honor-${i}`;
  const file = join(wharf.dataDir, `${ns}.yaml`);
  writeFileSync(file, honorManifest(ns));
  await kubectl('apply', '-f', file);
  await kubectl('rollout', 'status', 'deploy/spread', '-n', ns, '--timeout=120s');
  const ip = (await kubectl('get', 'svc', 'spread', '-n', ns, '-o', 'jsonpath={.spec.clusterIP}')).trim();
  await dnatReady(ip);
  const victim = `node-${i % 3}`;
  let ok = 0;
  let failed = 0;
  let probing = true;
  const probe = (async () => {
    while (probing)
      await httpGet(ip, 80).then(
        () => ok++,
        () => failed++,
      );
  })();
  const t0 = performance.now();
  await wharfCli('node', 'fail', victim);
  let tTerminating = 0;
  let tHealed = 0;
  for (;;) {
    const all = JSON.parse(await kubectl('get', 'pods', '-n', ns, '-o', 'json')).items;
    if (!tTerminating && all.some((p) => p.spec.nodeName === victim && p.metadata.deletionTimestamp))
      tTerminating = performance.now() - t0;
    const ready = all.filter(
      (p) =>
        p.status?.phase === 'Running' &&
        !p.metadata.deletionTimestamp &&
        (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (ready.length === 3 && ready.every((p) => p.spec.nodeName !== victim)) {
      tHealed = performance.now() - t0;
      break;
    }
    if (performance.now() - t0 > 300_000) throw new Error(`${ns}: replicas did not come back within 5 min`);
    await sleep(250);
  }
  // Once healed, the Service must answer every request.
  let after = 0;
  for (let n = 0; n < 50; n++)
    await httpGet(ip, 80).then(
      () => after++,
      () => undefined,
    );
  probing = false;
  await probe;
  await wharfCli('node', 'restore', victim);
  await untainted(victim);
  await kubectl('delete', 'namespace', ns, '--wait=false');
  return { victim, tTerminating, tHealed, ok, failed, after };
}

let result;
try {
  await wharfCli('image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static');
  const file = join(wharf.dataDir, 'ha-bench.yaml');
  writeFileSync(file, manifest);
  await kubectl('apply', '-f', file);
  await kubectl('rollout', 'status', 'deploy/web', '--timeout=120s');
  const ip = (await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
  await dnatReady(ip);
  if (!ONLY_RESTART) result = await healing(ip);
  // 4. The control plane restarts (killed, then stopped) under requests by IP, Ingress and DNS.
  const restarts = [];
  // The DNS server's own port: the host's queries to a bridge gateway are redirected there too, but
  // a redirected local UDP query is answered from the gateway address, which the client ignores.
  const dnsServer = `127.0.0.1:${JSON.parse(readFileSync(join(wharf.dataDir, 'dataplane.json'), 'utf8')).dnsPort}`;
  for (const how of ['SIGKILL', 'SIGTERM']) {
    const r = await restartDrill({
      wharf,
      extraArgs: ARGS,
      how,
      outageMs: OUTAGE_MS,
      clusterIP: ip,
      ingressPort: INGRESS_PORT,
      dnsServer,
    });
    wharf = r.wharf;
    restarts.push(r.row);
  }
  result = { ...result, restarts };
} finally {
  await stopProcess(wharf.child);
  execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
}

/** Sections 1-3: node deaths and a rolling update. */
async function healing(ip) {
  // 1. Node death → its pods Running elsewhere.
  const pods = await running();
  const victim = pods[0].spec.nodeName;
  const onVictim = pods.filter((p) => p.spec.nodeName === victim).length;
  const t0 = performance.now();
  await wharfCli('node', 'fail', victim);
  let tTaint = 0;
  let tHealed = 0;
  for (;;) {
    if (
      !tTaint &&
      (await kubectl('get', 'node', victim, '-o', 'jsonpath={.spec.taints[*].key}')).includes('unreachable')
    )
      tTaint = performance.now() - t0;
    const now = await running();
    if (now.length >= REPLICAS && now.every((p) => p.spec.nodeName !== victim)) {
      tHealed = performance.now() - t0;
      break;
    }
    if (performance.now() - t0 > 300_000) throw new Error('pods did not come back within 5 min');
    await sleep(250);
  }
  await wharfCli('node', 'restore', victim);
  await untainted(victim);

  // 2. Node death with the Honor spread constraint, repeated.
  const honor = [];
  for (let i = 1; i <= HONOR_RUNS; i++) honor.push(await honorRun(i));

  // 3. Rolling update under steady load through the Service.
  let ok = 0;
  let failed = 0;
  const lat = [];
  let loading = true;
  const workers = Array.from({ length: 4 }, async () => {
    while (loading) {
      try {
        lat.push(await httpGet(ip, 80));
        ok++;
      } catch {
        failed++;
      }
    }
  });
  await sleep(2000);
  const tr0 = performance.now();
  await kubectl('set', 'env', 'deploy/web', 'VERSION=2');
  await kubectl('rollout', 'status', 'deploy/web', '--timeout=180s');
  const rolloutMs = performance.now() - tr0;
  await sleep(2000);
  loading = false;
  await Promise.all(workers);
  const loadSeconds = (performance.now() - tr0 + 4000) / 1000;
  return {
    victim,
    onVictim,
    tTaint,
    tHealed,
    honor,
    ok,
    failed,
    rate: (ok + failed) / loadSeconds,
    lat: summarize(lat),
    rolloutMs,
  };
}

const secs = (ms) => (ms / 1000).toFixed(1);
const m = { ...facts, runtimeS: Math.round((performance.now() - started) / 1000) };
const counts = (c) => `${c.ok.toLocaleString('en-US')} / ${c.failed}`;
const restartSection = `## Control plane restart

\`wharf up\` is stopped (SIGKILL as a crash, then SIGTERM as for an upgrade of Wharf itself), stays
down ${OUTAGE_MS / 1000} s and starts again on the same data dir, the same way a newer build would. Three
clients on the host each send a request every 50 ms from 2 s before the stop to 5 s after
Ready: to the ClusterIP (the iptables rules, left in place and adopted), to
\`http://web.localhost:<port>/\` (the Ingress gateway) and a DNS query for
\`web.default.svc.cluster.local\` to cluster DNS (at its own port); the last two run in the
dataplane process that outlives \`wharf up\`.

| stopped by | stop took | restart to Ready | ClusterIP answered / failed | Ingress answered / failed | DNS answered / failed | rules and dataplane adopted | dataplane RSS / PSS |
|---|---:|---:|---:|---:|---:|---|---:|
${result.restarts.map((r) => `| ${r.how} | ${secs(r.stopMs)} s | ${secs(r.restartMs)} s | ${counts(r.service)} | ${counts(r.ingress)} | ${counts(r.dns)} | ${r.adopted ? 'yes' : 'no'} | ${r.mem.rssMb.toFixed(0)} / ${r.mem.pssMb.toFixed(0)} MB |`).join('\n')}

Measured on ${m.date} (${m.nproc} cores, load average ${m.load} when the run started).
`;
const docPath = new URL('../docs/benchmarks/ha.md', import.meta.url);
if (ONLY_RESTART) {
  // Only this section is new: the rest of the file keeps its last full run.
  const old = readFileSync(docPath, 'utf8');
  const at = old.indexOf('## Control plane restart');
  const end = old.indexOf('Run it with');
  const md =
    at >= 0
      ? old.slice(0, at) + restartSection + '\n' + old.slice(end)
      : old.slice(0, end) + restartSection + '\n' + old.slice(end);
  writeFileSync(docPath, md);
  process.stdout.write(restartSection);
  process.exit(0);
}
const healed = summarize(result.honor.map((r) => r.tHealed));
const md = `# Healing benchmarks (3 real nodes)

\`wharf up --nodes 3 --default-toleration-seconds ${TOLERATION} --node-monitor-grace-period ${GRACE} --node-eviction-rate 10\`,
busybox httpd replicas (Debian-built image, runc containers) behind ClusterIP Services.

Generated by \`node bench/ha.mjs\` on ${m.date}. Re-running it overwrites this file.

${machineTable(m, [], `${m.runtimeS} s`)}

## A node dies

\`wharf node fail\` stops the node's agent and removes its containers, network namespace and bridge,
as on power loss. The node lifecycle controller marks it unreachable after the grace period
(${GRACE} s here; Kubernetes' default is 50 s), the pods' ${TOLERATION} s toleration runs out and they are evicted
gracefully: they stay \`Terminating\` on the dead node (nothing confirms them gone; nothing
force-deletes them), and the ReplicaSet's replacements start on the other nodes at once.

| pods on the dead node | unreachable taint after | all ${REPLICAS} pods Running and Ready elsewhere after |
|---:|---:|---:|
| ${result.onVictim} | ${secs(result.tTaint)} s | ${secs(result.tHealed)} s |

The floor is grace period + toleration (${GRACE + TOLERATION} s); the rest is the monitor period (5 s), the
eviction, scheduling and container start.

## A node dies under a zone spread constraint with nodeTaintsPolicy Honor

3 replicas, \`topologySpreadConstraints\` on \`topology.kubernetes.io/zone\` with maxSkew 1,
\`DoNotSchedule\` and \`nodeTaintsPolicy: Honor\` (one replica per zone), ${TOLERATION} s tolerations. The dead
node is tainted, so it leaves the domains: the replacement goes to a surviving zone. One
client sends requests through the Service from the failure until the 3 replicas are Ready
again; then 50 more must all answer. ${HONOR_RUNS} runs, each failing another node then restoring it.

| run | node | evicted pod Terminating after | 3 replicas Ready elsewhere after | requests answered / failed meanwhile | 50 requests after |
|---:|---|---:|---:|---:|---:|
${result.honor.map((r, i) => `| ${i + 1} | ${r.victim} | ${secs(r.tTerminating)} s | ${secs(r.tHealed)} s | ${r.ok.toLocaleString('en-US')} / ${r.failed.toLocaleString('en-US')} | ${r.after}/50 |`).join('\n')}

Ready elsewhere: p50 ${secs(healed.p50)} s, max ${secs(healed.max)} s over ${healed.n} runs. Failed requests are those sent to the
dead pod before its endpoint turned not ready (after the grace period, when the node is marked
unreachable) and left the Service's rules.

## Rolling update under load

4 HTTP clients through the ClusterIP (a new connection per request: busybox httpd closes it),
while \`kubectl set env\` rolls all ${REPLICAS} pods (maxSurge 1, maxUnavailable 0, readiness probe, preStop
sleep 2 s); load starts 2 s before and ends 2 s after the rollout.

| requests | failed | request rate | latency p50 | p99 | rollout took |
|---:|---:|---:|---:|---:|---:|
| ${fmtNum(result.ok + result.failed)} | ${result.failed} | ${fmtNum(result.rate)}/s | ${fmtMs(result.lat.p50)} ms | ${fmtMs(result.lat.p99)} ms | ${secs(result.rolloutMs)} s |

${restartSection}
Run it with \`npm run bench:ha\` (\`BENCH_HA_REPEAT=N\` for N Honor runs, default 5; \`BENCH_HA_ONLY=restart\`
for the restart drill alone).
`;
writeFileSync(docPath, md);
process.stdout.write(md);
