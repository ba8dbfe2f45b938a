// Scheduler throughput on simulated nodes (KWOK-style: `wharf up --simulated-nodes N`; pods bound
// to them report Running without containers), with API latency during the run. Writes
// docs/benchmarks/scheduler.md. Run: `npm run bench:scheduler` (BENCH_NODES, BENCH_PODS to change).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Client } from './lib/http.mjs';
import { WHARF_BIN, procStats, startWharf, stopProcess } from './lib/procs.mjs';
import { fmtMs, fmtNum, summarize } from './lib/stats.mjs';

const canRunContainers = process.getuid?.() === 0 && existsSync('/usr/sbin/runc') && existsSync('/usr/lib/cni/bridge');
const runs = [
  ...(canRunContainers ? [{ nodes: 3, pods: 30, real: true }] : []),
  { nodes: 3, pods: 300 },
  { nodes: Number(process.env.BENCH_NODES ?? 1000), pods: Number(process.env.BENCH_PODS ?? 3000) },
];

async function one({ nodes, pods, real = false }) {
  const wharf = await startWharf({
    extraArgs: real ? ['--nodes', String(nodes)] : ['--simulated-nodes', String(nodes)],
  });
  const api = new Client({
    host: '127.0.0.1',
    port: wharf.port,
    ca: wharf.ca,
    headers: { Authorization: `Bearer ${wharf.token}` },
  });
  try {
    if (real)
      execFileSync(process.execPath, [
        WHARF_BIN,
        'image',
        'build-base',
        'busybox:1',
        '--debian-packages',
        'busybox-static',
        '--data-dir',
        wharf.dataDir,
      ]);
    // Wait for every simulated node to be registered and Ready.
    for (;;) {
      const list = await api.json('GET', '/api/v1/nodes');
      const ready = list.items.filter((n) =>
        (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
      if (ready >= nodes) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await api.json('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'load', namespace: 'bench' },
      spec: {
        replicas: pods,
        selector: { matchLabels: { app: 'load' } },
        template: {
          metadata: { labels: { app: 'load' } },
          spec: {
            containers: [
              {
                name: 'c',
                image: 'busybox:1',
                command: ['sleep', '3600'],
                resources: { requests: { cpu: '1m', memory: '1Mi' } },
              },
            ],
          },
        },
      },
    };
    // API latency while the cluster schedules: a reader issuing GETs and small lists throughout.
    const latencies = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const t = performance.now();
        await api.request('GET', '/api/v1/namespaces/bench/configmaps?limit=10');
        latencies.push(performance.now() - t);
      }
    })();
    const t0 = performance.now();
    await api.json('POST', '/apis/apps/v1/namespaces/bench/deployments', deploy);
    let bound = 0;
    let running = 0;
    let tBound = 0;
    for (;;) {
      const list = await api.json('GET', '/api/v1/namespaces/bench/pods');
      bound = list.items.filter((p) => p.spec?.nodeName).length;
      running = list.items.filter((p) => p.status?.phase === 'Running').length;
      if (bound >= pods && !tBound) tBound = performance.now() - t0;
      if (running >= pods) break;
      if (performance.now() - t0 > 600_000) throw new Error(`only ${running}/${pods} running after 10 min`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const tRunning = performance.now() - t0;
    reading = false;
    await reader;
    const lat = summarize(latencies);
    const rss = procStats(wharf.pid).peakRssMb;
    return { nodes, pods, real, tBound, tRunning, boundPerSec: pods / (tBound / 1000), lat, rss };
  } finally {
    await stopProcess(wharf.child);
    if (real) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  }
}

const results = [];
for (const r of runs) {
  process.stdout.write(`scheduling ${r.pods} pods on ${r.nodes} ${r.real ? 'real' : 'simulated'} nodes…\n`);
  const res = await one(r);
  results.push(res);
  process.stdout.write(
    `  all bound in ${fmtMs(res.tBound)} ms (${fmtNum(res.boundPerSec)} pods/s), all Running in ${fmtMs(res.tRunning)} ms, API p99 ${fmtMs(res.lat.p99)} ms\n`,
  );
}

const md = `# Scheduler benchmark

Pods of one Deployment created at once, scheduled by Wharf's scheduler onto real nodes (\`wharf up
--nodes 3\`: runc containers, so "Running" includes starting the containers) or simulated nodes
(\`wharf up --simulated-nodes N\`: KWOK-style nodes that heartbeat their Leases and whose pods report
Running without containers), measured from the Deployment's creation to every pod bound, then every
pod Running. The ReplicaSet controller creates the pods during the run, so this is the throughput
of controller + scheduler + API server together. API latency is of a reader issuing small list
requests throughout. No reference runs beside it: kube-scheduler needs a real cluster.

Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| nodes | pods | all bound (s) | pods/s bound | all Running (s) | API p50 ms | API p99 ms | API requests | peak RSS MB |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${results.map((r) => `| ${r.nodes} ${r.real ? 'real (runc)' : 'simulated'} | ${r.pods} | ${(r.tBound / 1000).toFixed(1)} | ${fmtNum(r.boundPerSec)} | ${(r.tRunning / 1000).toFixed(1)} | ${fmtMs(r.lat.p50)} | ${fmtMs(r.lat.p99)} | ${r.lat.n} | ${r.rss.toFixed(0)} |`).join('\n')}

Run it with \`npm run bench:scheduler\` (\`BENCH_NODES\` and \`BENCH_PODS\` set the second row).
`;
writeFileSync(new URL('../docs/benchmarks/scheduler.md', import.meta.url), md);
process.stdout.write(`\n${md}`);
