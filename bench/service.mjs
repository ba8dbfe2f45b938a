// Service dataplane cost: HTTP throughput and latency to a busybox httpd pod directly at its pod IP
// and through its Service's cluster IP (iptables DNAT programmed by a ServiceProxy), same load,
// same single endpoint, so the ratio is the price of the kernel NAT path. Writes
// docs/benchmarks/service.md. Run as root after a build: `node bench/service.mjs`
// (BENCH_SECONDS per cell, default 5; BENCH_CLIENTS concurrent clients, default 8).
import { execFile, execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { ServiceProxy, iptablesBackend } from '@wharf/node';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { REPO_ROOT, WHARF_BIN, startWharf, stopProcess } from './lib/procs.mjs';
import { fmtMs, fmtNum, fmtRatio, runLoad } from './lib/stats.mjs';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const OUT = join(REPO_ROOT, 'docs/benchmarks/service.md');
const PREFIX = `WHB-${process.pid.toString(16).toUpperCase().slice(-6)}`;

const manifests = (podIP) => `
apiVersion: v1
kind: Service
metadata: {name: bench, namespace: default}
spec:
  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: bench-1, namespace: default, labels: {kubernetes.io/service-name: bench, endpointslice.kubernetes.io/managed-by: bench}}
addressType: IPv4
ports: [{port: 8080, protocol: TCP}]
endpoints: [{addresses: ["${podIP}"], conditions: {ready: true}}]
`;

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: httpd
        image: busybox:1
        command: ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && httpd -f -p 8080 -h /www"]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
`;

/** Whether the nat table DNATs ip:80 (any prefix: `wharf up` may run its own proxy). */
function hasDnat(ip) {
  return execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' })
    .split('\n')
    .some((l) => l.includes(`-d ${ip}/32 `) && l.includes('--dport 80 '));
}

async function load(host, port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let reused = 0;
  const op = () =>
    new Promise((resolve, reject) => {
      const req = http.get({ host, port, path: '/', agent, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('socket', () => req.reusedSocket && reused++);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  await runLoad({ concurrency: CLIENTS, durationMs: 1000, op }); // warm-up
  reused = 0;
  const r = await runLoad({ concurrency: CLIENTS, durationMs: SECONDS * 1000, op });
  agent.destroy();
  return { ...r, reusedShare: r.n ? reused / r.n : 0 };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('bench/service.mjs needs root (runc, CNI, iptables)');
  const started = performance.now();
  const machine = machineFacts();
  const w = await startWharf({ extraArgs: ['--nodes', '1'] });
  const kubeconfig = join(w.dataDir, 'kubeconfig');
  const kubectl = async (args, stdin) => {
    const p = run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 120_000 });
    if (stdin !== undefined) p.child.stdin.end(stdin);
    return (await p).stdout;
  };
  let proxy;
  try {
    console.log('building busybox:1 into the Wharf registry');
    await run(
      process.execPath,
      [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', w.dataDir],
      { timeout: 180_000 },
    );
    await kubectl(['apply', '-f', '-'], deployment);
    await kubectl(['rollout', 'status', 'deploy/web', '--timeout=120s']);
    const podIP = (await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].status.podIP}'])).trim();
    await kubectl(['apply', '-f', '-'], manifests(podIP));
    const clusterIP = (await kubectl(['get', 'svc', 'bench', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await new Promise((r) => setTimeout(r, 1500));
    if (!hasDnat(clusterIP)) {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig);
      proxy = new ServiceProxy({ kubeConfig: kc, prefix: PREFIX });
      await proxy.start();
    }
    for (let i = 0; !hasDnat(clusterIP); i++) {
      if (i > 50) throw new Error(`no DNAT rule for ${clusterIP} after 5 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`direct: ${podIP}:8080, service: ${clusterIP}:80, ${CLIENTS} clients, ${SECONDS} s each`);
    const direct = await load(podIP, 8080);
    const service = await load(clusterIP, 80);
    const direct2 = await load(podIP, 8080);
    const service2 = await load(clusterIP, 80);
    const mean = (a, b) => ({
      opsPerSec: (a.opsPerSec + b.opsPerSec) / 2,
      p50: (a.p50 + b.p50) / 2,
      p99: (a.p99 + b.p99) / 2,
      max: Math.max(a.max, b.max),
      errors: a.errors + b.errors,
      n: a.n + b.n,
      reusedShare: (a.reusedShare + b.reusedShare) / 2,
    });
    const d = mean(direct, direct2);
    const s = mean(service, service2);
    const row = (name, x) =>
      `| ${name} | ${fmtNum(x.opsPerSec)} | ${fmtMs(x.p50)} | ${fmtMs(x.p99)} | ${fmtMs(x.max)} | ${x.n.toLocaleString('en-US')} | ${x.errors} | ${Math.round(x.reusedShare * 100)}% |`;
    const md = `# Service dataplane benchmark

Generated by \`node bench/service.mjs\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}. Re-running it overwrites this file.

${machineTable(machine, [['iptables', await iptablesBackend()]], `${Math.round((performance.now() - started) / 1000)} s`)}

One busybox \`httpd\` pod on \`wharf up --nodes 1\`, driven from the host by ${CLIENTS} closed-loop
clients (node's keep-alive \`http.Agent\`; busybox httpd closes every connection, so each request is
a new TCP connection, the case where NAT costs most: one conntrack entry and one rule walk per
request). Each cell is ${SECONDS} s after a 1 s warm-up, run twice in the order direct, service,
direct, service.

| path | req/s | p50 ms | p99 ms | max ms | requests | failed | reused connections |
|---|---:|---:|---:|---:|---:|---:|---:|
${row(`direct to the pod (${podIP}:8080), run 1`, direct)}
${row(`through the cluster IP (${clusterIP}:80), run 1`, service)}
${row('direct, run 2', direct2)}
${row('cluster IP, run 2', service2)}
${row('**direct, mean**', d)}
${row('**cluster IP, mean**', s)}

| ratio service / direct (means) | |
|---|---:|
| throughput | ${fmtRatio(s.opsPerSec / d.opsPerSec)} |
| p99 latency | ${fmtRatio(s.p99 / d.p99)} |

The service path adds, per new connection, the nat OUTPUT walk to the service chain, one DNAT
and its conntrack entry, and the filter-table check of the service CIDR; packets after the first
follow conntrack. Host connections keep their source address (only 127/8 sources are
masqueraded): masquerading them all mapped thousands of short connections per second onto ports
of the bridge address that were still in TIME_WAIT in the pod, and SYNs were dropped (1–3 s
stalls). Both paths share the machine's two cores with the client, the pod and Wharf (and, on a
shared machine, other work: see the load average), so compare runs, not single cells.
`;
    writeFileSync(OUT, md);
    console.log(md);
  } finally {
    await proxy?.stop().catch((e) => console.error('proxy stop', e));
    await stopProcess(w.child);
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', w.dataDir], { stdio: 'ignore' });
    rmSync(w.dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
