// Control-plane member loss: `wharf up --store etcd --control-plane-members 3` (three etcd members,
// three API servers behind the balancer on the API port) under 8 concurrent ConfigMap writers.
// `kill -9` an API server member (1 or 2, by turns) 10 times, then the etcd leader 10 times; each
// kill waits for every member healthy again first. Write unavailability of a kill: from the kill
// until every writer has had a write acknowledged that it sent after the kill (the worst client's
// gap). Also: failed writes (errors the clients saw and retried), the time until the killed member
// is healthy again, and that no acknowledged write is lost (each writer's last value read back).
// Writes docs/benchmarks/control-plane-ha.md. Run: `npm run bench:control-plane-ha` (etcd-server).
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startWharf, stopProcess, WHARF_BIN } from './lib/procs.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { fmtMs, summarize } from './lib/stats.mjs';

const KILLS = Math.max(1, Number(process.env.BENCH_CP_KILLS ?? 10));
const WRITERS = 8;
const NS = 'default';
const facts = machineFacts();
const started = performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const wharf = await startWharf({
  port: Number(process.env.BENCH_CP_PORT ?? 23300),
  extraArgs: ['--store', 'etcd', '--control-plane-members', '3', '--no-platform'],
  readyTimeoutMs: 240_000,
});
const record = (name) => JSON.parse(readFileSync(join(wharf.dataDir, name), 'utf8'));
const agent = new https.Agent({ keepAlive: true, ca: wharf.ca });

/** One API request through the balancer; resolves with the status and body, rejects on a transport error. */
function api(method, path, body, port = wharf.port) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined;
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: port === wharf.port ? agent : false,
        ca: wharf.ca,
        timeout: 10_000,
        headers: {
          authorization: `Bearer ${wharf.token}`,
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

const cm = (w, value) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `writer-${w}`, namespace: NS },
  data: { value: String(value) },
});

// The writers: each PUTs its own ConfigMap with a rising value, one request at a time.
const acked = Array(WRITERS).fill(-1);
const lastAckAt = Array(WRITERS).fill(0);
/** Per writer, when it sent the request that was acknowledged last. */
const lastAckSentAt = Array(WRITERS).fill(0);
let failed = 0;
/** The errors the writers saw, by message, with how often. */
const errorKinds = new Map();
let stop = false;
for (let w = 0; w < WRITERS; w++) await api('POST', `/api/v1/namespaces/${NS}/configmaps`, cm(w, 0));
const writers = Array.from({ length: WRITERS }, async (_, w) => {
  for (let v = 1; !stop; v++) {
    const sent = performance.now();
    try {
      const res = await api('PUT', `/api/v1/namespaces/${NS}/configmaps/writer-${w}`, cm(w, v));
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
      acked[w] = v;
      lastAckAt[w] = performance.now();
      lastAckSentAt[w] = sent;
    } catch (e) {
      failed++;
      errorKinds.set(e.message, (errorKinds.get(e.message) ?? 0) + 1);
      await sleep(50);
    }
  }
});

const etcdUrls = () => [0, 1, 2].map((i) => `http://127.0.0.1:${record(`etcd-${i}/member.json`).clientPort}`);
async function etcdStatus(url) {
  try {
    const res = await fetch(`${url}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(1000),
    });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}
async function allHealthy() {
  const cp = record('control-plane.json');
  const apis = await Promise.all(cp.apiPorts.map((p) => api('GET', '/readyz', undefined, p).catch(() => undefined)));
  const etcd = await Promise.all(etcdUrls().map(etcdStatus));
  return apis.every((r) => r?.status === 200) && etcd.every((s) => s && s.leader !== '0');
}
async function untilHealthy() {
  const t = performance.now();
  while (!(await allHealthy())) {
    if (performance.now() - t > 120_000) throw new Error('the control plane did not become healthy in 120 s');
    await sleep(100);
  }
  return performance.now() - t;
}

/** The pid of the etcd leader. */
async function etcdLeaderPid() {
  const statuses = await Promise.all(etcdUrls().map(etcdStatus));
  const i = statuses.findIndex((s) => s && s.header.member_id === s.leader);
  return record(`etcd-${i}/member.json`).pid;
}

/** Kills `pid`, answers the worst writer's unavailability and the time until the cluster is healthy again. */
async function drill(pid) {
  const failedBefore = failed;
  const killAt = performance.now();
  process.kill(pid, 'SIGKILL');
  while (lastAckSentAt.some((s) => s < killAt)) {
    if (performance.now() - killAt > 60_000) throw new Error('writes did not resume in 60 s');
    await sleep(10);
  }
  const unavailableMs = Math.max(...lastAckAt) - killAt;
  const healthyMs = performance.now() - killAt + (await untilHealthy());
  return { unavailableMs, healthyMs, failed: failed - failedBefore };
}

const results = { apiserver: [], etcd: [] };
let lost = 0;
// Nothing of the run may outlive a failed drill: the cluster is stopped and reset whatever happens.
try {
  await untilHealthy();
  await sleep(2000);
  for (let i = 0; i < KILLS; i++) {
    const pid = record('control-plane.json').pids[String(1 + (i % 2))];
    results.apiserver.push(await drill(pid));
    console.log('apiserver kill', i, results.apiserver.at(-1));
    await sleep(1000);
  }
  for (let i = 0; i < KILLS; i++) {
    results.etcd.push(await drill(await etcdLeaderPid()));
    console.log('etcd leader kill', i, results.etcd.at(-1));
    await sleep(1000);
  }
  stop = true;
  await Promise.all(writers);
  // Every acknowledged write readable: each writer's ConfigMap holds its last acknowledged value.
  for (let w = 0; w < WRITERS; w++) {
    const res = await api('GET', `/api/v1/namespaces/${NS}/configmaps/writer-${w}`);
    if (Number(JSON.parse(res.text).data.value) < acked[w]) lost++;
  }
  console.log([...errorKinds].sort((a, b) => b[1] - a[1]).slice(0, 8));
} finally {
  stop = true;
  agent.destroy();
  await stopProcess(wharf.child);
  execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir], { stdio: 'ignore' });
}

const row = (what, rs) => {
  const u = summarize(rs.map((r) => r.unavailableMs));
  const h = summarize(rs.map((r) => r.healthyMs));
  const f = rs.reduce((n, r) => n + r.failed, 0);
  return `| ${what} | ${rs.length} | ${fmtMs(u.p50)} | ${fmtMs(u.p99)} | ${fmtMs(u.max)} | ${f} | ${fmtMs(h.p50)} | ${fmtMs(h.max)} |`;
};
const runtime = `${Math.round((performance.now() - started) / 1000)} s`;
const md = `# Control-plane member loss

\`wharf up --store etcd --control-plane-members 3 --no-platform --no-monitoring\`: three etcd members
(DATA_DIR/etcd-0..2) and three API servers (member 0 in \`wharf up\`, members 1 and 2 as \`wharf apiserver\`
processes) behind the loopback balancer on the API port. ${WRITERS} writers, each PUTting its own ConfigMap
in a closed loop through the balancer (HTTPS keep-alive, retry after 50 ms on an error).

Generated by \`node bench/control-plane-ha.mjs\` on ${facts.date}. Re-running it overwrites this file.

${machineTable(facts, [], runtime)}

Write unavailability of one kill: from \`kill -9\` until every writer has had a write acknowledged that it sent
after the kill (the worst writer's gap). Failed writes: requests that ended in an error (a connection reset by the
killed API server, a 500 while etcd elects, a 409 when a write that timed out during the election had landed and
its retry found the object changed) and were retried. Healthy again: until the killed member answers
(\`/readyz\`, etcd's status with a leader) after \`wharf up\` restarted it.

| killed | kills | unavailable p50 (ms) | p99 | max | failed writes (all kills) | healthy again p50 (ms) | max |
|---|---:|---:|---:|---:|---:|---:|---:|
${row('an API server member (1 or 2 by turns)', results.apiserver)}
${row('the etcd leader', results.etcd)}

Acknowledged writes lost: ${lost} of ${WRITERS} writers' last acknowledged values missing afterwards.

After an API server's loss only the writers whose connection went to it wait: they reconnect through the balancer,
which skips a member that refuses connections at once and stops choosing it within 500 ms (its /readyz). After the
etcd leader's loss every write waits for the election (etcd's 1 s election timeout) and, when it was forwarded to the
dead leader, for the etcd store's 1.5 s request deadline with several members (docs/architecture.md, "Storage").
`;
writeFileSync(new URL('../docs/benchmarks/control-plane-ha.md', import.meta.url), md);
console.log(md);
