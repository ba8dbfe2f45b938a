// NetworkPolicy dataplane cost: on `wharf up --nodes 3 --simulated-nodes 10`, a client pod (node-0)
// drives new HTTP connections to a busybox httpd pod (node-1), alternating with a twin server in a
// namespace without policies (same node, same client: the machine's drift hits both alike), with
// a deny-all plus one allow, and with POLICIES more policies selecting the server whose peers are SIM_PODS pods of
// the simulated nodes (so every one of them is a rule the allowed path walks past: the allow is
// named to come last). Enforcement latency: a prober in the client pod connects every 5 ms and
// notes when the path flips after the allow policy is deleted (refused) or created (open).
// Writes docs/benchmarks/network-policy.md. Run as root after a build: `node bench/netpol.mjs`
// (BENCH_SECONDS per load cell, default 5; BENCH_CLIENTS, default 8; POLICIES, default 200;
// SIM_PODS, default 1000; FLIPS per case, default 10).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { iptablesBackend, policyPrefix } from '@wharf/node';
import { Client } from './lib/http.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { cleanup, startWharfCleanly } from './lib/cleanup.mjs';
import { REPO_ROOT, WHARF_BIN } from './lib/procs.mjs';
import { fmtMs, fmtNum, fmtRatio, quantile, summarize } from './lib/stats.mjs';

const median = (xs) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const POLICIES = Number(process.env.POLICIES ?? 200);
const SIM_PODS = Number(process.env.SIM_PODS ?? 1000);
const FLIPS = Number(process.env.FLIPS ?? 10);
const GROUPS = 50;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const OUT = join(REPO_ROOT, 'docs/benchmarks/network-policy.md');
const POD = join(REPO_ROOT, 'bench/lib/netpol-pod.mjs');

const pod = (name, node, labels, command, namespace = 'bench') => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: {
    nodeName: node,
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'main', image: 'busybox:1', command: ['sh', '-c', command] }],
  },
});
const np = (name, spec) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: 'bench' },
  spec,
});
const denyAll = np('deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
// "zz-": policies are walked in name order, so the allowed path passes every filler rule first.
const allowCli = np('zz-allow-cli', {
  podSelector: { matchLabels: { app: 'srv' } },
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'cli' } } }], ports: [{ port: 8080 }] }],
});
const filler = (i) =>
  np(`filler-${String(i).padStart(4, '0')}`, {
    podSelector: { matchLabels: { app: 'srv' } },
    ingress: [
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sim' } },
            podSelector: { matchLabels: { group: String(i % GROUPS) } },
          },
        ],
        ports: [{ port: 8080 + 1 + (i % 7) }],
      },
    ],
  });

async function main() {
  if (process.getuid?.() !== 0) throw new Error('bench/netpol.mjs needs root (runc, CNI, iptables)');
  const started = performance.now();
  const machine = machineFacts();
  const w = await startWharfCleanly(['--nodes', '3', '--simulated-nodes', '10'], { readyTimeoutMs: 120_000 });
  const api = new Client({
    host: '127.0.0.1',
    port: w.port,
    ca: w.ca,
    headers: { Authorization: `Bearer ${w.token}` },
  });
  const kubeconfig = join(w.dataDir, 'kubeconfig');
  const kubectl = async (args) =>
    (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 180_000 })).stdout;
  const post = (path, body) => api.request('POST', path, body);
  const del = (path) => api.request('DELETE', path);
  const children = [];
  try {
    console.log('building busybox:1 into the Wharf registry');
    await run(
      process.execPath,
      [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', w.dataDir],
      { timeout: 300_000 },
    );
    for (const ns of ['bench', 'sim', 'open']) await post('/api/v1/namespaces', { metadata: { name: ns } });
    const httpd = 'mkdir -p /www && echo hello > /www/index.html && httpd -f -p 8080 -h /www';
    await post('/api/v1/namespaces/bench/pods', pod('srv', 'node-1', { app: 'srv' }, httpd));
    await post('/api/v1/namespaces/open/pods', pod('srv', 'node-1', { app: 'srv' }, httpd, 'open'));
    await post('/api/v1/namespaces/bench/pods', pod('cli', 'node-0', { app: 'cli' }, 'sleep 100000'));
    for (const ns of ['bench', 'open'])
      await kubectl(['wait', '--for=condition=Ready', 'pod', '--all', '-n', ns, '--timeout=150s']);
    const openIP = JSON.parse(await kubectl(['get', 'pod', 'srv', '-n', 'open', '-o', 'json'])).status.podIP;
    const info = JSON.parse(await kubectl(['get', 'pods', '-n', 'bench', '-o', 'json'])).items;
    const srvIP = info.find((p) => p.metadata.name === 'srv').status.podIP;
    const cliNs = `wharf-${info
      .find((p) => p.metadata.name === 'cli')
      .metadata.uid.replace(/-/g, '')
      .slice(0, 16)}`;
    const inCli = (args) => run('ip', ['netns', 'exec', cliNs, process.execPath, POD, ...args], { timeout: 120_000 });
    const loadOne = async (ip) =>
      JSON.parse((await inCli(['load', ip, '8080', String(SECONDS), String(CLIENTS)])).stdout);
    /** ROUNDS alternations of the policed server and its unpoliced twin; sums per side. */
    const load = async () => {
      const side = () => ({ n: 0, elapsedMs: 0, errors: 0, p50s: [], p99s: [] });
      const out = { policed: side(), open: side() };
      for (let i = 0; i < ROUNDS; i++) {
        for (const [k, ip] of [
          ['policed', srvIP],
          ['open', openIP],
        ]) {
          const r = await loadOne(ip);
          out[k].n += r.n;
          out[k].elapsedMs += r.elapsedMs;
          out[k].errors += r.errors;
          out[k].p50s.push(r.p50);
          out[k].p99s.push(r.p99);
        }
      }
      const fin = (x) => ({
        n: x.n,
        errors: x.errors,
        opsPerSec: (x.n / x.elapsedMs) * 1000,
        p50: median(x.p50s),
        p99: Math.max(...x.p99s),
      });
      return { policed: fin(out.policed), open: fin(out.open) };
    };

    // The prober: one process in the client pod, told which state to wait for.
    const flip = spawn('ip', ['netns', 'exec', cliNs, process.execPath, POD, 'flip', srvIP, '8080'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(flip);
    const answers = [];
    let wake;
    readline.createInterface({ input: flip.stdout }).on('line', (l) => (answers.push(Number(l)), wake?.()));
    const waitFor = async (state) => {
      const n = answers.length;
      flip.stdin.write(`${state}\n`);
      while (answers.length === n) await new Promise((r) => (wake = r));
      return answers[n];
    };
    const flips = async () => {
      const remove = [];
      const create = [];
      for (let i = 0; i < FLIPS; i++) {
        let t0 = Date.now();
        await del('/apis/networking.k8s.io/v1/namespaces/bench/networkpolicies/zz-allow-cli');
        remove.push((await waitFor('refused')) - t0);
        t0 = Date.now();
        await post('/apis/networking.k8s.io/v1/namespaces/bench/networkpolicies', allowCli);
        create.push((await waitFor('open')) - t0);
      }
      return { remove: summarize(remove), create: summarize(create) };
    };
    const ruleCount = () =>
      execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.startsWith(`-A ${policyPrefix(w.dataDir, 'node-1')}-`)).length;

    await waitFor('open');
    console.log(`client ${cliNs} → ${srvIP}:8080, ${CLIENTS} clients, ${SECONDS} s per cell`);
    const none = await load();
    console.log('no policy', none.policed.opsPerSec, none.open.opsPerSec);
    for (const p of [denyAll, allowCli]) await post('/apis/networking.k8s.io/v1/namespaces/bench/networkpolicies', p);
    await waitFor('open');
    const few = await load();
    const fewRules = ruleCount();
    console.log('2 policies', few.policed.opsPerSec, few.open.opsPerSec, fewRules);
    const fewFlips = await flips();

    console.log(`creating ${SIM_PODS} pods on simulated nodes and ${POLICIES} policies`);
    const tSim = performance.now();
    for (let i = 0; i < SIM_PODS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, SIM_PODS - i) }, (_, j) => {
          const n = i + j;
          const p = pod(`p${n}`, `sim-${n % 10}`, { group: String(n % GROUPS) }, 'true');
          return post('/api/v1/namespaces/sim/pods', { ...p, metadata: { ...p.metadata, namespace: 'sim' } });
        }),
      );
    }
    for (;;) {
      const list = JSON.parse(await api.request('GET', '/api/v1/namespaces/sim/pods'));
      if (list.items.filter((p) => p.status?.podIP).length >= SIM_PODS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const simMs = performance.now() - tSim;
    for (let i = 0; i < POLICIES; i += 20)
      await Promise.all(
        Array.from({ length: Math.min(20, POLICIES - i) }, (_, j) =>
          post('/apis/networking.k8s.io/v1/namespaces/bench/networkpolicies', filler(i + j)),
        ),
      );
    const expectRules = POLICIES; // at least one per filler
    for (let i = 0; ruleCount() < fewRules + expectRules; i++) {
      if (i > 600) throw new Error(`the filler policies' rules did not appear (${ruleCount()} rules)`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000)); // let the last coalesced sync land
    const manyRules = ruleCount();
    await waitFor('open');
    const many = await load();
    console.log(`${POLICIES + 2} policies`, many.policed.opsPerSec, many.open.opsPerSec, manyRules);
    const manyFlips = await flips();
    for (const n of ['zz-allow-cli', 'deny-all'])
      await del(`/apis/networking.k8s.io/v1/namespaces/bench/networkpolicies/${n}`);
    await kubectl(['delete', 'networkpolicy', '--all', '-n', 'bench']);

    const row = (name, x, rules) =>
      `| ${name} | ${rules} | ${fmtNum(x.policed.opsPerSec)} | ${fmtNum(x.open.opsPerSec)} | **${fmtRatio(x.policed.opsPerSec / x.open.opsPerSec)}** | ${fmtMs(x.policed.p50)} / ${fmtMs(x.open.p50)} | ${fmtMs(x.policed.p99)} / ${fmtMs(x.open.p99)} | ${x.policed.n + x.open.n} | ${x.policed.errors + x.open.errors} |`;
    const frow = (name, s) => `| ${name} | ${fmtMs(s.p50)} | ${fmtMs(s.p99)} | ${fmtMs(s.max)} | ${s.n} |`;
    const md = `# NetworkPolicy dataplane benchmark

Generated by \`node bench/netpol.mjs\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}. Re-running it overwrites this file.

${machineTable(machine, [['iptables', await iptablesBackend()]], `${Math.round((performance.now() - started) / 1000)} s`)}

\`wharf up --nodes 3 --simulated-nodes 10\`: a busybox \`httpd\` pod on node-1, a client pod on
node-0; ${CLIENTS} closed-loop clients run inside the client pod's network namespace, each request a
new TCP connection (httpd closes it), the case where policy costs most: every new connection walks
the server's ingress chain, later packets follow conntrack. Each case alternates ${ROUNDS} times
between the policed server and a twin httpd on the same node in a namespace without policies,
${SECONDS} s per cell after a 1 s warm-up, so both sides see the same machine.
"Many policies": ${POLICIES} more policies select the server, each allowing a group of the
${SIM_PODS} pods on simulated nodes (created in ${Math.round(simMs / 1000)} s), and the allow for the
client is walked last. Rules are the \`-A\` lines of node-1's chains.

## Connection rate through an allowed path

| policies on the policed server | rules on node-1 | conn/s policed | conn/s twin (no policy) | ratio | p50 ms policed / twin | p99 ms policed / twin | requests | failed |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${row('none', none, 1)}
${row('deny-all + allow client', few, fewRules)}
${row(`${POLICIES + 2} (deny-all, ${POLICIES} fillers, allow client last)`, many, manyRules)}

The fillers' peers sit in chains of their own behind one port match each (4 or more peers of
one policy port), so an allowed new connection walks about one rule per policy port, not one per
peer address.

## Time from a policy change to enforcement

From the API call returning to the first connection of the prober (every 5 ms, in the client pod)
that sees the new state: deleting the allow → refused; creating it → open. ${FLIPS} of each per case.
The dataplane gathers changes for 50 ms, then writes one \`iptables-restore\` transaction.

| case | p50 ms | p99 ms | max ms | n |
|---|---:|---:|---:|---:|
${frow('2 policies: allow deleted → refused', fewFlips.remove)}
${frow('2 policies: allow created → open', fewFlips.create)}
${frow(`${POLICIES + 2} policies, ${SIM_PODS} + 2 pods: allow deleted → refused`, manyFlips.remove)}
${frow(`${POLICIES + 2} policies, ${SIM_PODS} + 2 pods: allow created → open`, manyFlips.create)}

Each node recomputes its whole rule set from its informers' caches and rewrites its chains in one
transaction (never a flush and a rebuild: iptables-restore swaps them atomically), so the cost of
a change grows with the rules of that node; established connections are accepted before any
policy rule. All of it shares the machine's cores with the client, the server, Wharf and (on a
shared machine) other work: see the load average.
`;
    writeFileSync(OUT, md);
    console.log(md);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await cleanup(); // stops wharf, `wharf reset` of its data dir, removes it (also on Ctrl-C)
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
