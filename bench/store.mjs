// `npm run bench:store`: the etcd store beside the SQLite store, on the workload of
// `bench:apiserver` (create/update/get/list of ConfigMaps at 1, 8 and 64 clients through the API):
// `wharf up` on a fresh data dir, then `wharf up --store etcd` (the member Wharf runs itself on
// loopback), the same requests to each; and the same operations sent straight to an etcd member
// through its own JSON gateway (HTTPS, /v3/kv/txn and /v3/kv/range), what the API costs on top of
// the store. Writes docs/benchmarks/store.md. Real processes only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, WHARF_BIN, etcdVersion, startEtcd, startWharf, stopProcess } from './lib/procs.mjs';
import { EtcdTarget, WharfTarget } from './lib/targets.mjs';
import { crudMatrix, warmUp } from './lib/suite.mjs';
import { fmtMs, fmtNum } from './lib/stats.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCIES = [1, 8, 64];
/** Rounds, SQLite and etcd alternating; each cell keeps its best round (the machine is shared and its load moves). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const OUT = join(REPO_ROOT, 'docs/benchmarks/store.md');

const matrix = (target, pid) =>
  crudMatrix(target, { pid, seconds: SECONDS, concurrencies: CONCURRENCIES, listSize: 100 });

/**
 * The create/update/get/list matrix against one `wharf up` started with `extraArgs`; with `gateway`,
 * then against a member of its own (certificates of that Wharf's CA) through etcd's JSON gateway.
 */
async function measure(what, extraArgs, gateway = false) {
  console.log(`${what}: starting`);
  const w = await startWharf({ extraArgs: ['--no-platform', ...extraArgs] });
  let e;
  try {
    const target = new WharfTarget(w);
    await warmUp(target);
    const rows = await matrix(target, w.pid);
    target.close();
    if (!gateway) return { rows };
    e = await startEtcd({ pkiFrom: join(w.dataDir, 'pki') });
    await stopProcess(w.child);
    console.log(`${what}: etcd's JSON gateway`);
    const direct = new EtcdTarget(e);
    await warmUp(direct);
    const gatewayRows = await matrix(direct, e.pid);
    direct.close();
    return { rows, gatewayRows };
  } finally {
    await stopProcess(w.child);
    if (e) {
      await stopProcess(e.child);
      rmSync(e.dir, { recursive: true, force: true });
    }
    // Also stops an etcd member a killed `wharf up` would have left running.
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', w.dataDir], { stdio: 'ignore' });
    rmSync(w.dataDir, { recursive: true, force: true });
  }
}

/** Per op and client count, the round with the most ops/s. */
function best(rounds) {
  return rounds[0].map((row) =>
    rounds
      .map((r) => r.find((x) => x.op === row.op && x.c === row.c))
      .reduce((a, b) => (b.opsPerSec > a.opsPerSec ? b : a)),
  );
}

const ratio = (a, b) => (a.opsPerSec / b.opsPerSec).toFixed(2);
const latency = (r) => `${fmtMs(r.p50)} / ${fmtMs(r.p99)}`;

function render(m, sqlite, etcd, gateway) {
  const cell = (rows, s) => rows.find((x) => x.op === s.op && x.c === s.c);
  const rows = sqlite.map((s) => {
    const e = cell(etcd, s);
    return `| ${s.op} | ${s.c} | ${fmtNum(s.opsPerSec)} | ${fmtNum(e.opsPerSec)} | ${ratio(e, s)} | ${latency(s)} | ${latency(e)} | ${s.errors + e.errors} |`;
  });
  const direct = etcd.map((e) => {
    const g = cell(gateway, e);
    return `| ${e.op} | ${e.c} | ${fmtNum(e.opsPerSec)} | ${fmtNum(g.opsPerSec)} | ${ratio(e, g)} | ${latency(e)} | ${latency(g)} | ${g.errors} |`;
  });
  return `# Store benchmark: etcd beside SQLite

\`npm run bench:store\` (bench/store.mjs): the API server's two stores on the workload of
\`bench:apiserver\` — ConfigMaps created, updated, read and listed (100 per list) through the API
at 1, 8 and 64 clients, ${SECONDS} s per cell, ${ROUNDS} rounds alternating SQLite and etcd, each
cell the best of its rounds (the machine is shared: see its load average). SQLite is \`wharf up\`
(DATA_DIR/wharf.db); etcd is \`wharf up --store etcd\`, one member Wharf runs on loopback. Reads come from the API server's
memory in both (etcd's is the watch cache), so the stores differ in writes: an etcd write is a
gRPC transaction, fsynced by etcd, and acknowledged once the watch has brought it back.

${machineTable(m, [['etcd', m.etcd]], 'none (no nodes: the API server and its store only)')}

Reads (get, list) are answered from memory the same way by both stores: their ratio is not the
stores' but how much the machine's load moved between the rounds, and it bounds what the write
ratios say. Writes are where the stores differ: at 1 client, with the least queueing, an update
costs SQLite one WAL append and etcd a transaction (and its fsync) plus the watch round trip.

| op | clients | SQLite ops/s | etcd ops/s | etcd / SQLite | SQLite p50 / p99 (ms) | etcd p50 / p99 (ms) | errors |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

## The etcd store against etcd itself

The same operations sent straight to an etcd member (the same etcd, on loopback, TLS with the
same CA) through its own JSON gateway: a create is a transaction comparing the key's create
revision with 0, an update one comparing its mod revision, a get a range of one key, a list a
range over the namespace's prefix. No API on top: no authentication, authorization, admission,
defaulting, validation, conversion or audit, and no watch round trip before a write is answered.
Measured in the rounds of the etcd store, right after its \`wharf up\` stopped.

| op | clients | etcd store (API) ops/s | etcd gateway ops/s | API / gateway | API p50 / p99 (ms) | gateway p50 / p99 (ms) | gateway errors |
|---|---|---|---|---|---|---|---|
${direct.join('\n')}
`;
}

const m = machineFacts({ etcd: await etcdVersion() });
try {
  const sqlite = [];
  const etcd = [];
  const gateway = [];
  for (let r = 0; r < ROUNDS; r++) {
    sqlite.push((await measure(`SQLite store, round ${r + 1}`, [])).rows);
    const e = await measure(`etcd store, round ${r + 1}`, ['--store', 'etcd'], true);
    etcd.push(e.rows);
    gateway.push(e.gatewayRows);
  }
  const md = render(m, best(sqlite), best(etcd), best(gateway));
  mkdirSync(join(REPO_ROOT, 'docs/benchmarks'), { recursive: true });
  writeFileSync(OUT, md);
  console.log(`\n${md}\nwritten to ${OUT}`);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
