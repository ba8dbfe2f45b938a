// Upgrade benchmark on a real 2-node cluster (runc containers): `wharf cluster create` at 1.31,
// a 4-replica busybox httpd Deployment (PodDisruptionBudget minAvailable 3) behind a Service and
// an Ingress under steady load, then `wharf cluster upgrade --to 1.32 --yes`. Reports the duration
// of each step, per node and in total, the time each node spends cordoned, and the requests that
// failed during the upgrade. Writes docs/benchmarks/upgrade.md.
// Run: `npm run bench:upgrade` (root, runc and the CNI plugins needed).
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { onCleanup, runBench } from './lib/cleanup.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { freePort, tempDir, WHARF_BIN, REPO_ROOT } from './lib/procs.mjs';

const run = promisify(execFile);
const REPLICAS = 4;
const facts = machineFacts();
const started = performance.now();

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: ${REPLICAS}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: busybox:1
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && httpd -f -p 8080 -h /www"]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
        lifecycle: {preStop: {exec: {command: [sleep, "2"]}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default}
spec:
  rules:
  - host: web.localhost
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: default}
spec: {minAvailable: ${REPLICAS - 1}, selector: {matchLabels: {app: web}}}
`;

/** One GET through the Ingress gateway within 3 s: true when it answered 200. */
function ok(port) {
  return new Promise((resolve) => {
    const req = get(
      { host: '127.0.0.1', port, path: '/', headers: { host: `web.localhost:${port}` }, timeout: 3000, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

/** Step timings from the upgrade's output: `[i/n] step` then `      detail (12.3 s)`. */
function stepTimes(stdout) {
  const out = [];
  let step;
  for (const line of stdout.split('\n')) {
    const head = /^\[\d+\/\d+\] (\S+)/.exec(line);
    if (head) step = head[1];
    const tail = /\(([\d.]+) s\)$/.exec(line);
    if (tail && step) {
      out.push({ step, s: Number(tail[1]) });
      step = undefined;
    }
  }
  return out;
}

async function main() {
  const dir = tempDir('wharf-bench-upgrade-');
  const state = join(dir, 'state');
  const dataDir = join(dir, 'data');
  const file = join(dir, 'bench.yaml');
  const cli = (args, timeout = 1_800_000) =>
    run(process.execPath, [WHARF_BIN, ...args], { timeout, maxBuffer: 16 << 20 });
  const ports = {
    api: await freePort(),
    registry: await freePort(),
    ingress: await freePort(),
    ingressHttps: await freePort(),
    console: await freePort(),
    git: await freePort(),
  };
  writeFileSync(
    file,
    `apiVersion: wharf.dev/v1alpha1\nkind: Cluster\nmetadata: {name: bench}\nspec:\n  version: "1.31"\n  nodes: 2\n  addons: {platform: false, monitoring: false}\n  ports: ${JSON.stringify(ports)}\n  dataDir: ${dataDir}\n`,
  );
  onCleanup(async () => {
    await cli(['cluster', 'delete', 'bench', '--yes', '--state', state], 300_000).catch((e) =>
      console.error(`delete: ${e.message}`),
    );
    rmSync(dir, { recursive: true, force: true });
  });
  await cli(['cluster', 'create', '-f', file, '--yes', '--state', state]);
  const kubectl = async (...args) =>
    (await run('/usr/bin/kubectl', ['--kubeconfig', join(dataDir, 'kubeconfig'), ...args], { timeout: 300_000 }))
      .stdout;
  await kubectl('wait', '--for=condition=Ready', 'node/node-0', 'node/node-1', '--timeout=180s');
  await cli(
    ['image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', dataDir],
    300_000,
  );
  await new Promise((resolve, reject) => {
    const p = execFile('/usr/bin/kubectl', ['--kubeconfig', join(dataDir, 'kubeconfig'), 'apply', '-f', '-'], (e) =>
      e ? reject(e) : resolve(),
    );
    p.stdin.end(manifest);
  });
  await kubectl('rollout', 'status', 'deployment/web', '--timeout=300s');
  // Through the cluster's own Ingress port: host connections to cluster IPs could reach another Wharf's rules on a shared machine.
  const deadline = Date.now() + 120_000;
  while (!(await ok(ports.ingress))) {
    if (Date.now() > deadline) throw new Error('the Ingress does not answer');
    await new Promise((r) => setTimeout(r, 1000));
  }
  await cli(['cluster', 'backup', 'bench', '--state', state]);

  // Steady load through the Ingress for the whole upgrade: up to 20 requests a second.
  let sent = 0;
  let failed = 0;
  let loading = true;
  const load = (async () => {
    while (loading) {
      const t = Date.now();
      sent++;
      if (!(await ok(ports.ingress))) failed++;
      await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - t))));
    }
  })();
  const t0 = performance.now();
  const { stdout } = await cli(['cluster', 'upgrade', 'bench', '--to', '1.32', '--yes', '--state', state]);
  const totalS = (performance.now() - t0) / 1000;
  loading = false;
  await load;
  const version = (await kubectl('version', '-o', 'json')).match(/"gitVersion": "([^"]+)"/g)?.at(-1) ?? '';

  const steps = stepTimes(stdout);
  const sum = (f) => steps.filter(f).reduce((a, b) => a + b.s, 0);
  const nodes = ['node-0', 'node-1'].map((n) => ({
    n,
    total: sum((s) => s.step.startsWith(`node/${n}/`)),
    // Cordoned from the end of the cordon step to the end of the uncordon step.
    cordoned: sum((s) => ['drain', 'agent', 'uncordon'].some((x) => s.step === `node/${n}/${x}`)),
    drain: sum((s) => s.step === `node/${n}/drain`),
  }));
  const runtime = `${Math.round((performance.now() - started) / 1000)} s`;
  const md = `# Upgrade benchmark (2 real nodes)

\`wharf cluster create\` at Kubernetes 1.31 with 2 nodes (runc containers), a ${REPLICAS}-replica
busybox httpd Deployment (PodDisruptionBudget minAvailable ${REPLICAS - 1}, preStop sleep 2 s) behind a
Service and an Ingress, then \`wharf cluster upgrade bench --to 1.32 --yes\` while one client sends
up to 20 requests a second through the cluster's Ingress port.

Generated by \`node bench/upgrade.mjs\` on ${facts.date}. Re-running it overwrites this file.

${machineTable(facts, [], runtime)}

## Result

| | |
|---|---:|
| upgrade, total (\`wharf cluster upgrade --yes\` from start to exit) | ${totalS.toFixed(1)} s |
| of which plan and preflight (before the first step) | ${(totalS - sum(() => true)).toFixed(1)} s |
| requests through the Ingress during the upgrade | ${sent} |
| failed requests | ${failed} |
| server version after | ${version.replace(/.*"gitVersion": "/, '').replace(/"$/, '')} |

| node | node phase (cordon … validate) | cordoned | of which draining |
|---|---:|---:|---:|
${nodes.map((x) => `| ${x.n} | ${x.total.toFixed(1)} s | ${x.cordoned.toFixed(1)} s | ${x.drain.toFixed(1)} s |`).join('\n')}

## Steps

| step | duration |
|---|---:|
${steps.map((s) => `| ${s.step} | ${s.s.toFixed(1)} s |`).join('\n')}

The control-plane step stops the cluster's \`wharf up\` and starts it at the new version; the
app keeps answering meanwhile (the Ingress gateway, the Service rules and the containers outlive
\`wharf up\`). The node agents run inside \`wharf up\` today, so the agent step only records that they were restarted
with the control plane; draining moves each node's pods to the other node one eviction at a
time, as the PodDisruptionBudget allows.
`;
  writeFileSync(join(REPO_ROOT, 'docs/benchmarks/upgrade.md'), md);
  process.stdout.write(md);
}

await runBench(main);
