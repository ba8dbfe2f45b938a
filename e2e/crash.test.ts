// kill -9 during a burst of concurrent writes: after a restart on the same data dir, every write
// the API acknowledged is there (with at least the acknowledged content and resourceVersion),
// and new writes get resourceVersions above every acknowledged one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApi, WharfProcess, json, type RawResponse } from '@wharf/testing';

const NS = 'crash';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const WORKERS = 24;

interface Ack {
  name: string;
  /** The `seq` data value the acknowledged write carried. */
  seq: number;
  rv: number;
}

let wharf: WharfProcess;
let api: RawApi;

beforeAll(async () => {
  wharf = await WharfProcess.start();
  api = RawApi.fromKubeconfig(wharf.kubeconfig);
  const r = await api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  expect(r.status).toBe(201);
});

afterAll(async () => {
  api?.close();
  await wharf?.stop();
});

function configMap(name: string, seq: number, rv?: number): unknown {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(rv ? { resourceVersion: String(rv) } : {}) },
    data: { seq: String(seq), payload: 'x'.repeat(200) },
  };
}

/**
 * One client: creates its own configmap, then updates it again and again with a growing `seq`
 * (compare-and-swap on the last acknowledged resourceVersion), until the server goes away.
 * Also creates a fresh object every few rounds so the burst mixes creates and updates.
 */
async function worker(id: number, acked: Map<string, Ack>, stop: { now: boolean; writes: number }): Promise<void> {
  const name = `w${id}`;
  let rv = 0;
  for (let seq = 0; !stop.now; seq++) {
    let r: RawResponse;
    try {
      if (seq % 5 === 4) {
        const extra = `w${id}-c${seq}`;
        r = await api.post(CM, configMap(extra, seq), { timeoutMs: 5000 });
        if (r.status === 201) acked.set(extra, { name: extra, seq, rv: Number(json(r).metadata.resourceVersion) });
      } else {
        r =
          rv === 0
            ? await api.post(CM, configMap(name, seq), { timeoutMs: 5000 })
            : await api.put(`${CM}/${name}`, configMap(name, seq, rv), { timeoutMs: 5000 });
        if (r.status === 200 || r.status === 201) {
          rv = Number(json(r).metadata.resourceVersion);
          acked.set(name, { name, seq, rv });
        }
      }
    } catch {
      return; // connection reset: the process is gone
    }
    if (r.status >= 300) throw new Error(`write ${name} seq ${seq} answered ${r.status}: ${r.text}`);
    stop.writes++;
  }
}

describe('kill -9 during a burst of concurrent writes', () => {
  it('keeps every acknowledged write and keeps the revision increasing', async () => {
    const acked = new Map<string, Ack>();
    const stop = { now: false, writes: 0 };
    const workers = Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i, acked, stop)));
    workers.catch(() => undefined); // a failing write fails the test below, when awaited

    // Let the burst run until a good number of writes were acknowledged, then kill mid-flight.
    const deadline = Date.now() + 30_000;
    while (acked.size < WORKERS || stop.writes < 1500) {
      if (Date.now() > deadline) throw new Error(`burst too slow: ${acked.size} objects acknowledged`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await wharf.kill();
    stop.now = true;
    await workers;
    expect(stop.writes).toBeGreaterThanOrEqual(1500);
    const maxAcked = Math.max(...[...acked.values()].map((a) => a.rv));

    await wharf.relaunchAfterCrash();
    api.close();
    api = RawApi.fromKubeconfig(wharf.kubeconfig);

    const list = await api.get(CM);
    expect(list.status).toBe(200);
    const listed = json<{
      metadata: { resourceVersion: string };
      items: { metadata: { name: string; resourceVersion: string }; data: Record<string, string> }[];
    }>(list);
    expect(Number(listed.metadata.resourceVersion)).toBeGreaterThanOrEqual(maxAcked);
    const byName = new Map(listed.items.map((i) => [i.metadata.name, i]));
    const missing: string[] = [];
    const older: string[] = [];
    for (const a of acked.values()) {
      const got = byName.get(a.name);
      if (!got) {
        missing.push(a.name);
        continue;
      }
      // A write sent but not yet answered when the process died may also have landed: newer is fine.
      if (Number(got.metadata.resourceVersion) < a.rv || Number(got.data.seq) < a.seq)
        older.push(`${a.name}: rv ${got.metadata.resourceVersion} < ${a.rv} or seq ${got.data.seq} < ${a.seq}`);
    }
    expect(missing).toEqual([]);
    expect(older).toEqual([]);

    // Each object reads back by GET as well, with its acknowledged content.
    for (const a of [...acked.values()].slice(0, 10)) {
      const r = await api.get(`${CM}/${a.name}`);
      expect(r.status).toBe(200);
      expect(Number(json(r).data.seq)).toBeGreaterThanOrEqual(a.seq);
    }

    // New writes (create and update) get resourceVersions above every acknowledged one.
    const created = await api.post(CM, configMap('after-crash', 0));
    expect(created.status).toBe(201);
    const createdRv = Number(json(created).metadata.resourceVersion);
    expect(createdRv).toBeGreaterThan(maxAcked);
    const first = [...acked.values()][0];
    if (!first) throw new Error('nothing acknowledged');
    const updated = await api.put(`${CM}/${first.name}`, configMap(first.name, 1_000_000));
    expect(updated.status).toBe(200);
    expect(Number(json(updated).metadata.resourceVersion)).toBeGreaterThan(createdRv);
  });
});
