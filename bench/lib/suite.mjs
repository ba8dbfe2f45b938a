// The workloads: a create/update/get/list matrix over client counts, watch delivery to many
// watchers, and lists of 10,000 objects. Each measurement also samples the server's CPU time and
// the benchmark client's own, since both share this machine's cores.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { procStats } from './procs.mjs';
import { runLoad, summarize } from './stats.mjs';

function gc() {
  globalThis.gc?.();
}

/** Busy CPU time of the whole machine (ms), from /proc/stat. */
function machineBusyMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return ((f.reduce((a, b) => a + b, 0) - idle) * 1000) / 100;
}

/**
 * Runs `fn` and adds CPU use in % of one core over the run: the server's, the benchmark client's,
 * and everything else on the machine (other processes compete for the same cores).
 */
export async function measured(pid, fn) {
  gc();
  const m0 = machineBusyMs();
  const s0 = procStats(pid).cpuMs;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const serverMs = procStats(pid).cpuMs - s0;
  const clientMs = (c.user + c.system) / 1000;
  const otherMs = Math.max(0, machineBusyMs() - m0 - serverMs - clientMs);
  return {
    ...r,
    serverMs,
    serverCpu: (serverMs / wall) * 100,
    clientCpu: (clientMs / wall) * 100,
    otherCpu: (otherMs / wall) * 100,
  };
}

function check(r, what) {
  if (r.errors) console.error(`  ! ${what}: ${r.errors} failed, first: ${r.firstError?.message ?? r.firstError}`);
  return r;
}

/** Creates `count` objects named `<prefix><i>` at `concurrency`; returns the handles and the run. */
async function populate(target, ns, count, concurrency, prefix = 'obj-') {
  const handles = [];
  let next = 0;
  const run = await runLoad({
    concurrency,
    count,
    op: async () => {
      const i = next++;
      handles[i] = await target.create(ns, `${prefix}${String(i).padStart(6, '0')}`, i);
    },
  });
  return { handles: handles.filter(Boolean), run: check(run, `populate ${ns}`) };
}

/** A short unmeasured round of every operation, so JIT and caches are warm on both sides. */
export async function warmUp(target) {
  await target.prepare('bench-warm');
  const { handles } = await populate(target, 'bench-warm', 400, 8);
  await runLoad({
    concurrency: 8,
    count: 400,
    op: (w, s) => target.update(handles[(s * 8 + w) % handles.length], s + 1).catch(() => {}),
  });
  await runLoad({ concurrency: 8, count: 800, op: (w, s) => target.get(handles[(s * 8 + w) % handles.length]) });
  await runLoad({ concurrency: 4, count: 100, op: () => target.list('bench-warm') });
}

/**
 * create, update (each worker updates its own objects with their latest resourceVersion), get and
 * list (a namespace of `listSize` objects) for `seconds` each at every client count.
 */
export async function crudMatrix(target, { pid, seconds, concurrencies, listSize }) {
  const ms = seconds * 1000;
  await target.prepare('bench-list');
  await populate(target, 'bench-list', listSize, 8);
  // A Kubernetes namespace also holds its kube-root-ca.crt ConfigMap: count what is there once.
  const listed = await target.list('bench-list');
  if (listed < listSize) throw new Error(`bench-list holds ${listed} objects, expected at least ${listSize}`);
  const rows = [];
  for (const c of concurrencies) {
    const ns = `bench-c${c}`;
    await target.prepare(ns);
    // Open the c keep-alive connections first, so no cell pays for TLS handshakes.
    await runLoad({ concurrency: c, count: c * 4, op: () => target.ping() });
    const handles = [];
    const create = await measured(pid, () =>
      runLoad({
        concurrency: c,
        durationMs: ms,
        op: async (w, s) => {
          handles.push(await target.create(ns, `cm-w${w}-${s}`, s));
        },
      }),
    );
    rows.push({ op: 'create', c, ...check(create, `create c=${c}`) });
    // Worker w owns handles w, w+c, w+2c, ... so no two workers race on one object.
    const owned = Array.from({ length: c }, (_, w) => handles.filter((_, i) => i % c === w));
    const update = await measured(pid, () =>
      runLoad({ concurrency: c, durationMs: ms, op: (w, s) => target.update(owned[w][s % owned[w].length], s + 1) }),
    );
    rows.push({ op: 'update', c, ...check(update, `update c=${c}`) });
    const get = await measured(pid, () =>
      runLoad({
        concurrency: c,
        durationMs: ms,
        op: () => target.get(handles[Math.floor(Math.random() * handles.length)]),
      }),
    );
    rows.push({ op: 'get', c, ...check(get, `get c=${c}`) });
    const list = await measured(pid, () =>
      runLoad({
        concurrency: c,
        durationMs: ms,
        op: async () => {
          const n = await target.list('bench-list');
          if (n !== listed) throw new Error(`list returned ${n} items, expected ${listed}`);
        },
      }),
    );
    rows.push({ op: `list (${listSize})`, c, ...check(list, `list c=${c}`) });
    for (const r of rows.slice(-4))
      console.log(
        `  ${target.name} ${r.op.padEnd(10)} c=${String(c).padEnd(2)} ${r.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  server ${r.serverCpu.toFixed(0)}%  client ${r.clientCpu.toFixed(0)}%  other ${r.otherCpu.toFixed(0)}%`,
      );
  }
  return rows;
}

/**
 * Server-side apply beside a JSON merge patch making the same change (one data key of a ~1 KB
 * ConfigMap), each worker on its own objects, for `seconds` per cell at every client count.
 */
export async function applyVsMerge(target, { pid, seconds, concurrencies }) {
  const ms = seconds * 1000;
  const rows = [];
  for (const c of concurrencies) {
    const ns = `bench-apply-c${c}`;
    await target.prepare(ns);
    await runLoad({ concurrency: c, count: c * 4, op: () => target.ping() });
    const { handles } = await populate(target, ns, c * 20, c);
    const owned = Array.from({ length: c }, (_, w) => handles.filter((_, i) => i % c === w));
    // The first apply of each object takes ownership from the creator; time the steady state after it.
    await runLoad({
      concurrency: c,
      count: handles.length,
      op: (w, s) => target.apply(owned[w][s % owned[w].length], 0),
    });
    const merge = await measured(pid, () =>
      runLoad({
        concurrency: c,
        durationMs: ms,
        op: (w, s) => target.mergePatch(owned[w][s % owned[w].length], s + 1),
      }),
    );
    rows.push({ op: 'merge patch', c, ...check(merge, `merge patch c=${c}`) });
    const apply = await measured(pid, () =>
      runLoad({ concurrency: c, durationMs: ms, op: (w, s) => target.apply(owned[w][s % owned[w].length], s + 1) }),
    );
    rows.push({ op: 'server-side apply', c, ...check(apply, `apply c=${c}`) });
    for (const r of rows.slice(-2))
      console.log(
        `  ${target.name} ${r.op.padEnd(18)} c=${String(c).padEnd(2)} ${r.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  server ${r.serverCpu.toFixed(0)}%`,
      );
  }
  return rows;
}

/** Fills a namespace with `count` objects, then times full lists and lists paged by `pageSize`. */
export async function bigList(target, { pid, count, reps, pageSize }) {
  const ns = 'bench-big';
  await target.prepare(ns);
  const fill = await measured(pid, () => populate(target, ns, count, 64).then((p) => p.run));
  const listed = await target.list(ns);
  if (listed < count) throw new Error(`${ns} holds ${listed} objects, expected at least ${count}`);
  const rows = [
    {
      what: `create ${count.toLocaleString('en-US')} objects (64 clients)`,
      n: fill.n,
      p50: fill.p50,
      p99: fill.p99,
      serverMs: fill.serverMs,
      total: fill.elapsedMs,
      opsPerSec: fill.opsPerSec,
    },
  ];
  const full = await measured(pid, () =>
    runLoad({
      concurrency: 1,
      count: reps,
      op: async () => {
        const n = await target.list(ns);
        if (n !== listed) throw new Error(`list returned ${n}, expected ${listed}`);
      },
    }),
  );
  rows.push({ what: `list all ${count.toLocaleString('en-US')} (one response)`, ...check(full, 'big list') });
  const paged = await measured(pid, () =>
    runLoad({
      concurrency: 1,
      count: reps,
      op: async () => {
        const n = await target.list(ns, pageSize);
        if (n !== listed) throw new Error(`paged list returned ${n}, expected ${listed}`);
      },
    }),
  );
  rows.push({
    what: `list all ${count.toLocaleString('en-US')} with limit=${pageSize} (whole walk)`,
    ...check(paged, 'paged list'),
  });
  for (const r of rows)
    console.log(
      `  ${target.name} ${r.what}: p50 ${r.p50?.toFixed(1)} ms p99 ${r.p99?.toFixed(1)} ms${r.total ? ` total ${r.total.toFixed(0)} ms` : ''}`,
    );
  return rows;
}

/**
 * Opens `watchers` watches on one namespace and measures, for every event at every watcher, the
 * time from just before the write request was sent to the event line arriving. "paced" writes one
 * object at a time and waits for all deliveries; "burst" writes from 8 clients as fast as it can.
 */
export async function watchLatency(wharf, target, { pid, watchers, pacedWrites, burstSeconds }) {
  const ns = 'bench-watch';
  await target.prepare(ns);
  const rv = JSON.parse(await target.client.request('GET', `/api/v1/namespaces/${ns}/configmaps`)).metadata
    .resourceVersion;
  const sentAt = new Map();
  const delivered = new Map();
  const waiters = new Map();
  let latencies = [];
  let total = 0;
  const onLine = (line, at) => {
    const ev = JSON.parse(line);
    const name = ev.object?.metadata?.name;
    const t0 = sentAt.get(name);
    if (t0 === undefined) return;
    latencies.push(at - t0);
    total++;
    const n = (delivered.get(name) ?? 0) + 1;
    delivered.set(name, n);
    if (n === watchers) waiters.get(name)?.();
  };
  const agent = new https.Agent({ keepAlive: false, maxSockets: Infinity, ca: wharf.ca });
  const streams = await Promise.all(
    Array.from({ length: watchers }, () =>
      target.client.stream(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}`, onLine, agent),
    ),
  );

  const allDelivered = (name) =>
    new Promise((resolve, reject) => {
      if ((delivered.get(name) ?? 0) >= watchers) return resolve();
      const t = setTimeout(
        () => reject(new Error(`event for ${name} reached ${delivered.get(name) ?? 0}/${watchers} watchers in 10 s`)),
        10_000,
      );
      waiters.set(name, () => {
        clearTimeout(t);
        resolve();
      });
    });
  // One unmeasured write proves every stream is live before timing starts.
  sentAt.set('sync', performance.now());
  const syncDone = allDelivered('sync');
  await target.create(ns, 'sync');
  await syncDone;
  latencies = [];
  total = 0;

  const rows = [];
  const acks = [];
  const paced = await measured(pid, async () => {
    for (let i = 0; i < pacedWrites; i++) {
      const name = `paced-${i}`;
      const done = allDelivered(name);
      const t0 = performance.now();
      sentAt.set(name, t0);
      await target.create(ns, name, i);
      acks.push(performance.now() - t0);
      await done;
    }
    return {};
  });
  rows.push({
    mode: `paced: 1 write at a time, ${pacedWrites} writes`,
    writes: pacedWrites,
    deliveries: total,
    serverMsPerWrite: paced.serverMs / pacedWrites,
    ack: summarize(acks),
    ...summarize(latencies),
    serverCpu: paced.serverCpu,
    clientCpu: paced.clientCpu,
  });

  latencies = [];
  total = 0;
  const names = [];
  const burst = await measured(pid, () =>
    runLoad({
      concurrency: 8,
      durationMs: burstSeconds * 1000,
      op: async (w, s) => {
        const name = `burst-${w}-${s}`;
        names.push(name);
        sentAt.set(name, performance.now());
        await target.create(ns, name, s);
      },
    }),
  );
  await Promise.all(names.map(allDelivered));
  rows.push({
    mode: `burst: 8 writers for ${burstSeconds} s (${Math.round(burst.opsPerSec)} writes/s)`,
    writes: burst.n,
    deliveries: total,
    serverMsPerWrite: burst.serverMs / burst.n,
    ack: { p50: burst.p50, p99: burst.p99 },
    ...summarize(latencies),
    serverCpu: burst.serverCpu,
    clientCpu: burst.clientCpu,
  });
  for (const s of streams) s.close();
  agent.destroy();
  for (const r of rows)
    console.log(
      `  watch ${r.mode}: ${r.deliveries} deliveries p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms max ${r.max.toFixed(1)} ms, server ${r.serverMsPerWrite.toFixed(2)} ms CPU per write`,
    );
  return rows;
}
