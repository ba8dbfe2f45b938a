// `npm run bench:store`: the etcd store beside the SQLite store, on the workload of
// `bench:apiserver` (create/update/get/list of ConfigMaps at 1, 8 and 64 clients through the API):
// `wharf up` on a fresh data dir, then `wharf up --store etcd` (the member Wharf runs itself on
// loopback), the same requests to each. Writes docs/benchmarks/store.md. Real processes only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, WHARF_BIN, etcdVersion, startWharf, stopProcess } from './lib/procs.mjs';
import { WharfTarget } from './lib/targets.mjs';
import { crudMatrix, warmUp } from './lib/suite.mjs';
import { fmtMs, fmtNum } from './lib/stats.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCIES = [1, 8, 64];
/** Rounds, SQLite and etcd alternating; each cell keeps its best round (the machine is shared and its load moves). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const OUT = join(REPO_ROOT, 'docs/benchmarks/store.md');

/** The create/update/get/list matrix against one `wharf up` started with `extraArgs`. */
async function measure(what, extraArgs) {
  console.log(`${what}: starting`);
  const w = await startWharf({ extraArgs: ['--no-platform', ...extraArgs] });
  try {
    const target = new WharfTarget(w);
    await warmUp(target);
    const rows = await crudMatrix(target, {
      pid: w.pid,
      seconds: SECONDS,
      concurrencies: CONCURRENCIES,
      listSize: 100,
    });
    target.close();
    return rows;
  } finally {
    await stopProcess(w.child);
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

function render(m, sqlite, etcd) {
  const rows = sqlite.map((s) => {
    const e = etcd.find((x) => x.op === s.op && x.c === s.c);
    return `| ${s.op} | ${s.c} | ${fmtNum(s.opsPerSec)} | ${fmtNum(e.opsPerSec)} | ${(e.opsPerSec / s.opsPerSec).toFixed(2)} | ${fmtMs(s.p50)} / ${fmtMs(s.p99)} | ${fmtMs(e.p50)} / ${fmtMs(e.p99)} | ${s.errors + e.errors} |`;
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
`;
}

const m = machineFacts({ etcd: await etcdVersion() });
try {
  const sqlite = [];
  const etcd = [];
  for (let r = 0; r < ROUNDS; r++) {
    sqlite.push(await measure(`SQLite store, round ${r + 1}`, []));
    etcd.push(await measure(`etcd store, round ${r + 1}`, ['--store', 'etcd']));
  }
  const md = render(m, best(sqlite), best(etcd));
  mkdirSync(join(REPO_ROOT, 'docs/benchmarks'), { recursive: true });
  writeFileSync(OUT, md);
  console.log(`\n${md}\nwritten to ${OUT}`);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
}
