// The control-plane restart drill of bench/ha.mjs: three clients on the host send a request every
// 50 ms each (a ClusterIP through the iptables rules, an Ingress URL through the gateway, and a
// DNS query to cluster DNS at a node's bridge gateway), `wharf up` is stopped (SIGKILL or SIGTERM),
// stays down OUTAGE ms and starts again on the same data dir; the clients run on 5 s past Ready.
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { procStats, startWharf, stopProcess } from './procs.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function fetchOnce(port, host, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = get({ host, port, path: '/', headers, timeout: 2000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** A client that runs `once` every 50 ms until stopped, counting answers and failures. */
function client(once) {
  const c = { ok: 0, failed: 0, running: true };
  c.done = (async () => {
    while (c.running) {
      await once().then(
        () => c.ok++,
        () => c.failed++,
      );
      await sleep(50);
    }
  })();
  return c;
}

/** PSS of a process in MB (shared pages divided among their users). */
function pssMb(pid) {
  const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * Runs the drill once against `wharf` ({child, port, dataDir}, started with `extraArgs`);
 * answers the row and the restarted process.
 */
export async function restartDrill({ wharf, extraArgs, how, outageMs, clusterIP, ingressPort, dnsServer }) {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dnsServer]);
  const clients = {
    service: client(() => fetchOnce(80, clusterIP)),
    ingress: client(() => fetchOnce(ingressPort, '127.0.0.1', { host: 'web.localhost' })),
    dns: client(async () => {
      const a = await resolver.resolve4('web.default.svc.cluster.local');
      if (a[0] !== clusterIP) throw new Error(`answered ${a[0]}`);
    }),
  };
  await sleep(2000);
  const dataplane = JSON.parse(readFileSync(join(wharf.dataDir, 'dataplane.json'), 'utf8'));
  const t0 = performance.now();
  if (how === 'SIGKILL') {
    wharf.child.kill('SIGKILL');
    await wharf.child.exited;
  } else {
    await stopProcess(wharf.child);
  }
  const stopMs = performance.now() - t0;
  await sleep(outageMs);
  const t1 = performance.now();
  // A loaded machine (3 agents adopting their containers) can take a while: what is measured.
  const next = await startWharf({ dataDir: wharf.dataDir, port: wharf.port, extraArgs, readyTimeoutMs: 180_000 });
  const restartMs = performance.now() - t1;
  await sleep(5000);
  for (const c of Object.values(clients)) c.running = false;
  await Promise.all(Object.values(clients).map((c) => c.done));
  const mem = { rssMb: procStats(dataplane.pid).rssMb, pssMb: pssMb(dataplane.pid) };
  const adopted =
    next.child.output.includes('adopted the running dataplane') &&
    next.child.output.includes('adopted the Service rules');
  return {
    row: {
      how,
      stopMs,
      restartMs,
      adopted,
      mem,
      ...Object.fromEntries(Object.entries(clients).map(([k, c]) => [k, { ok: c.ok, failed: c.failed }])),
    },
    wharf: next,
  };
}
