// `npm run bench:apiserver`: measures Wharf's embedded API server on this machine (throughput and
// latency of create/update/get/list at 1, 8 and 64 clients, server-side apply beside a merge patch
// of the same change at 1 and 8 clients, creates under a validating webhook and under a CEL
// ValidatingAdmissionPolicy beside plain creates, watch delivery to 100 watchers, lists
// of 10,000 objects, startup to ready) and the same write workload against Debian's etcd as the
// reference, then writes docs/benchmarks/apiserver.md. Real processes only: see bench/lib/.
import { mkdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, etcdVersion, procStats, startEtcd, startWharf, stopProcess, tempDir } from './lib/procs.mjs';
import { EtcdTarget, WharfTarget, configMap } from './lib/targets.mjs';
import { applyVsMerge, bigList, crudMatrix, warmUp, watchLatency } from './lib/suite.mjs';
import { extensionCost } from './lib/extensions.mjs';
import { runLoad, summarize } from './lib/stats.mjs';
import { machineFacts } from './lib/machine.mjs';
import { render } from './lib/report.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCIES = [1, 8, 64];
const APPLY_CONCURRENCIES = [1, 8];
const LIST_SIZE = 100;
const BIG = 10_000;
const BIG_REPS = 20;
const WATCHERS = 100;
const STARTS = 5;
const OUT = join(REPO_ROOT, 'docs/benchmarks/apiserver.md');

const started = performance.now();
const cleanup = [];
const children = [];

/** A data dir holding `count` ConfigMaps (plus what every cluster has), Wharf stopped. */
async function populatedDataDir(count) {
  const p = await startWharf();
  children.push(p.child);
  const t = new WharfTarget(p);
  await t.prepare('populated');
  let i = 0;
  const r = await runLoad({ concurrency: 64, count, op: () => t.create('populated', `obj-${i++}`, i) });
  if (r.errors) throw new Error(`populating a data dir: ${r.errors} creates failed: ${r.firstError?.message}`);
  t.close();
  await stopProcess(p.child);
  return p.dataDir;
}

async function main() {
  const m = machineFacts({ etcd: await etcdVersion() });
  console.log(`machine: ${m.cpu}, ${m.nproc} cores, node ${m.node}, etcd ${m.etcd}`);
  if (!existsSync('/usr/bin/etcd'))
    throw new Error('etcd is not installed: run `bash scripts/setup.sh --bench` as root (apt-get install etcd-server)');

  // ---- Wharf ----
  console.log('Wharf: starting on a fresh data dir');
  const w = await startWharf();
  children.push(w.child);
  cleanup.push(w.dataDir);
  const wharf = new WharfTarget(w);
  await warmUp(wharf);
  console.log('Wharf: create/update/get/list matrix');
  const wCrud = await crudMatrix(wharf, {
    pid: w.pid,
    seconds: SECONDS,
    concurrencies: CONCURRENCIES,
    listSize: LIST_SIZE,
  });
  console.log('Wharf: server-side apply beside a merge patch');
  const wApply = await applyVsMerge(wharf, { pid: w.pid, seconds: SECONDS, concurrencies: APPLY_CONCURRENCIES });
  console.log('Wharf: creates under a validating webhook and a CEL policy, beside plain creates');
  const wExt = await extensionCost(wharf, { pid: w.pid, seconds: SECONDS, concurrencies: APPLY_CONCURRENCIES });
  console.log(`Wharf: watch latency to ${WATCHERS} watchers`);
  const wWatch = await watchLatency(w, wharf, { pid: w.pid, watchers: WATCHERS, pacedWrites: 200, burstSeconds: 2 });
  console.log(`Wharf: lists of ${BIG} objects`);
  const wBig = await bigList(wharf, { pid: w.pid, count: BIG, reps: BIG_REPS, pageSize: 500 });
  const bigMb = ((JSON.stringify(configMap('bench-big', 'obj-000000')).length * 1.35 * BIG) / 2 ** 20).toFixed(0);
  const cmList = JSON.parse(await wharf.client.request('GET', '/api/v1/configmaps?limit=1'));
  const populated = {
    objects: cmList.items.length + (cmList.metadata.remainingItemCount ?? 0),
    revisions: Number(cmList.metadata.resourceVersion),
  };
  const wPeak = procStats(w.pid).peakRssMb;
  wharf.close();
  await stopProcess(w.child);
  populated.dbMb = (
    ['wharf.db', 'wharf.db-wal'].reduce(
      (s, f) => s + (existsSync(join(w.dataDir, f)) ? statSync(join(w.dataDir, f)).size : 0),
      0,
    ) /
    2 ** 20
  ).toFixed(0);

  // ---- etcd ----
  console.log('etcd: starting on loopback');
  const e = await startEtcd({ pkiFrom: join(w.dataDir, 'pki') });
  children.push(e.child);
  cleanup.push(e.dir);
  const etcd = new EtcdTarget(e);
  await warmUp(etcd);
  console.log('etcd: the same matrix');
  const eCrud = await crudMatrix(etcd, {
    pid: e.pid,
    seconds: SECONDS,
    concurrencies: CONCURRENCIES,
    listSize: LIST_SIZE,
  });
  const eBig = await bigList(etcd, { pid: e.pid, count: BIG, reps: BIG_REPS, pageSize: 500 });
  const ePeak = procStats(e.pid).peakRssMb;
  etcd.close();
  await stopProcess(e.child);

  // ---- startup ----
  console.log(`startup: ${STARTS}× each on a fresh, a ${BIG}-object and this run's data dir`);
  const dir10k = await populatedDataDir(BIG);
  cleanup.push(dir10k);
  const startup = [];
  for (const [what, dir] of [
    ['fresh (new temp dir each time)', undefined],
    [`populated: ${BIG.toLocaleString('en-US')} ConfigMaps`, dir10k],
    [`populated: this run's data dir, ${populated.objects.toLocaleString('en-US')} ConfigMaps`, w.dataDir],
  ]) {
    const times = [];
    let peak = 0;
    for (let i = 0; i < STARTS; i++) {
      const dataDir = dir ?? tempDir('wharf-bench-start-');
      if (!dir) cleanup.push(dataDir);
      const s = await startWharf({ dataDir, waitKubeconfig: false });
      children.push(s.child);
      times.push(s.readyMs);
      peak = Math.max(peak, procStats(s.pid).peakRssMb);
      await stopProcess(s.child);
    }
    const st = summarize(times);
    startup.push({ what, n: st.n, p50: st.p50, max: st.max, peakRssMb: peak });
    console.log(`  ${what}: p50 ${st.p50.toFixed(0)} ms max ${st.max.toFixed(0)} ms`);
  }

  m.runtimeS = Math.round((performance.now() - started) / 1000);
  const md = render({
    machine: m,
    seconds: SECONDS,
    listSize: LIST_SIZE,
    watchers: WATCHERS,
    bigCount: BIG,
    bigReps: BIG_REPS,
    bigMb,
    populated,
    startup,
    wharf: { crud: wCrud, apply: wApply, extensions: wExt, watch: wWatch, big: wBig, peakRssMb: wPeak },
    etcd: { crud: eCrud, big: eBig, peakRssMb: ePeak },
  });
  mkdirSync(join(REPO_ROOT, 'docs/benchmarks'), { recursive: true });
  writeFileSync(OUT, md);
  console.log(`\n${md}\nwritten to ${OUT}`);
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) await stopProcess(c);
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
}
