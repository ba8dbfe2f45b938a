// Healing benchmarks on a real 3-node embedded cluster (runc containers): time from a node's
// death to all its pods Running elsewhere (toleration 5 s), and failed requests during a rolling
// update under steady load through the Service. Writes docs/benchmarks/ha.md.
// Run: `npm run bench:ha` (root, runc and the CNI plugins needed).
import { execFileSync, execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { get } from 'node:http';
import { promisify } from 'node:util';
import { startWharf, stopProcess, WHARF_BIN } from './lib/procs.mjs';
import { fmtMs, fmtNum, summarize } from './lib/stats.mjs';

const run = promisify(execFile);
const GRACE = 10;
const TOLERATION = 5;
const REPLICAS = 6;

const wharf = await startWharf({ extraArgs: ['--nodes', '3', '--default-toleration-seconds', String(TOLERATION), '--node-monitor-grace-period', String(GRACE), '--node-eviction-rate', '10'] });
const kubeconfig = `${wharf.dataDir}/kubeconfig`;
const kubectl = async (...args) => (await run('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 180_000 })).stdout;
const wharfCli = (...args) => run(process.execPath, [WHARF_BIN, ...args, '--data-dir', wharf.dataDir], { timeout: 180_000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function httpGet(host, port) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = get({ host, port, path: '/', timeout: 2000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
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
`;

const running = async () => JSON.parse(await kubectl('get', 'pods', '-l', 'app=web', '-o', 'json')).items
  .filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));

let result;
try {
  await wharfCli('image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static');
  const file = join(wharf.dataDir, 'ha-bench.yaml');
  writeFileSync(file, manifest);
  await kubectl('apply', '-f', file);
  await kubectl('rollout', 'status', 'deploy/web', '--timeout=120s');
  const ip = (await kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
  // Only send to the ClusterIP once its DNAT rules exist (nothing may leave the machine).
  while (!execFileSync('iptables-save', ['-t', 'nat']).toString().includes(`${ip}/32`)) await sleep(200);

  // 1. Node death → its pods Running elsewhere.
  const pods = await running();
  const victim = pods[0].spec.nodeName;
  const onVictim = pods.filter((p) => p.spec.nodeName === victim).length;
  const t0 = performance.now();
  await wharfCli('node', 'fail', victim);
  let tTaint = 0;
  let tHealed = 0;
  for (;;) {
    if (!tTaint && (await kubectl('get', 'node', victim, '-o', 'jsonpath={.spec.taints[*].key}')).includes('unreachable')) tTaint = performance.now() - t0;
    const now = await running();
    if (now.length >= REPLICAS && now.every((p) => p.spec.nodeName !== victim)) {
      tHealed = performance.now() - t0;
      break;
    }
    if (performance.now() - t0 > 300_000) throw new Error('pods did not come back within 5 min');
    await sleep(250);
  }
  await wharfCli('node', 'restore', victim);
  while ((await kubectl('get', 'node', victim, '-o', 'jsonpath={.spec.taints}')).includes('unreachable')) await sleep(500);

  // 2. Rolling update under steady load through the Service.
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
  result = { victim, onVictim, tTaint, tHealed, ok, failed, rate: (ok + failed) / loadSeconds, lat: summarize(lat), rolloutMs };
} finally {
  await stopProcess(wharf.child);
  execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
}

const md = `# Healing benchmarks (3 real nodes)

\`wharf up --nodes 3 --default-toleration-seconds ${TOLERATION} --node-monitor-grace-period ${GRACE}\`, a Deployment of
${REPLICAS} busybox httpd replicas (Debian-built image, runc containers) behind a ClusterIP Service.

Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

## A node dies

\`wharf node fail\` stops the node's agent and removes its containers, network namespace and bridge,
as on power loss. The node lifecycle controller marks it unreachable after the grace period
(${GRACE} s here; Kubernetes' default is 50 s), the pods' ${TOLERATION} s toleration runs out, they are evicted and
force-deleted, and the ReplicaSet's replacements start on the other nodes.

| pods on the dead node | unreachable taint after | all ${REPLICAS} pods Running and Ready elsewhere after |
|---:|---:|---:|
| ${result.onVictim} | ${(result.tTaint / 1000).toFixed(1)} s | ${(result.tHealed / 1000).toFixed(1)} s |

The floor is grace period + toleration (${GRACE + TOLERATION} s); the rest is the eviction, scheduling and container start.

## Rolling update under load

4 HTTP clients through the ClusterIP (a new connection per request: busybox httpd closes it),
while \`kubectl set env\` rolls all ${REPLICAS} pods (maxSurge 1, maxUnavailable 0, readiness probe, preStop
sleep 2 s); load starts 2 s before and ends 2 s after the rollout.

| requests | failed | request rate | latency p50 | p99 | rollout took |
|---:|---:|---:|---:|---:|---:|
| ${fmtNum(result.ok + result.failed)} | ${result.failed} | ${fmtNum(result.rate)}/s | ${fmtMs(result.lat.p50)} ms | ${fmtMs(result.lat.p99)} ms | ${(result.rolloutMs / 1000).toFixed(1)} s |

Run it with \`npm run bench:ha\`.
`;
writeFileSync(new URL('../docs/benchmarks/ha.md', import.meta.url), md);
process.stdout.write(md);
