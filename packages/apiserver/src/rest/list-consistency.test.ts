// Lists as kube-apiserver serves them from etcd: every page of a paged list comes from the
// snapshot at the first page's resourceVersion; resourceVersionMatch=Exact answers from history
// (410 once compacted); a resourceVersion the server has not reached waits, then 504.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, RawApi } from '@wharf/testing';
import { ApiServer } from '../server.js';

const CM = '/api/v1/namespaces/default/configmaps';
type List = {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: { metadata: { name: string }; data?: Record<string, string> }[];
};

describe('consistent lists', () => {
  let server: ApiServer;
  let api: RawApi;
  const names = (l: List): string[] => l.items.map((i) => i.metadata.name);
  const cm = (name: string, v = '1'): object => ({ metadata: { name, labels: { suite: 'list' } }, data: { v } });
  const SEL = 'labelSelector=suite%3Dlist';

  beforeAll(async () => {
    server = await ApiServer.create({
      dataDir: mkdtempSync(join(tmpdir(), 'wharf-list-')),
      port: 0,
      compactKeepRevisions: 1,
      compactRetentionMs: 0,
      compactEveryMs: 3_600_000,
    });
    const port = await server.start();
    api = RawApi.connect(`https://127.0.0.1:${port}`, server.pki.caCert, server.adminToken);
  });
  afterAll(async () => {
    api?.close();
    await server?.stop();
  });

  it('continue pages through the snapshot of the first page, whatever changes in between', async () => {
    for (const n of ['p1', 'p2', 'p3', 'p4']) expect((await api.post(CM, cm(n))).status).toBe(201);
    const first = json<List>(await api.get(`${CM}?limit=2&${SEL}`));
    expect(names(first)).toEqual(['p1', 'p2']);
    // Between pages: p3 changes, p4 goes, p5 arrives. The next pages still show the first page's world.
    expect((await api.put(`${CM}/p3`, cm('p3', 'changed'))).status).toBe(200);
    expect((await api.request('DELETE', `${CM}/p4`)).status).toBe(200);
    expect((await api.post(CM, cm('p5'))).status).toBe(201);
    const second = json<List>(
      await api.get(`${CM}?limit=2&${SEL}&continue=${encodeURIComponent(first.metadata.continue ?? '')}`),
    );
    expect(names(second)).toEqual(['p3', 'p4']);
    expect(second.items.find((i) => i.metadata.name === 'p3')?.data).toEqual({ v: '1' });
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(second.metadata.continue).toBeUndefined();
    expect(names(json<List>(await api.get(`${CM}?${SEL}`)))).toEqual(['p1', 'p2', 'p3', 'p5']);
  });

  it('resourceVersionMatch=Exact answers the state at that revision, 410 once compacted', async () => {
    expect((await api.post(CM, cm('e1', 'before'))).status).toBe(201);
    const rv = json<List>(await api.get(CM)).metadata.resourceVersion;
    expect((await api.put(`${CM}/e1`, cm('e1', 'after'))).status).toBe(200);
    const exact = json<List>(await api.get(`${CM}?resourceVersion=${rv}&resourceVersionMatch=Exact`));
    expect(exact.metadata.resourceVersion).toBe(rv);
    expect(exact.items.find((i) => i.metadata.name === 'e1')?.data).toEqual({ v: 'before' });
    expect((await api.post(CM, cm('e2'))).status).toBe(201);
    const t = Date.now();
    await server.compactOnce(t);
    await server.compactOnce(t + 1_000);
    const gone = await api.get(`${CM}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    expect(gone.status).toBe(410);
    expect(json(gone)).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
  });

  it('a resourceVersion not reached yet waits for it, then answers; one never reached is 504', async () => {
    const current = Number(json<List>(await api.get(CM)).metadata.resourceVersion);
    const waiting = api.get(`${CM}?resourceVersion=${current + 1}&resourceVersionMatch=NotOlderThan`);
    expect((await api.post(CM, cm('future'))).status).toBe(201);
    const answered = await waiting;
    expect(answered.status).toBe(200);
    expect(names(json<List>(answered))).toContain('future');
    const never = await api.get(`${CM}?resourceVersion=${current + 1000}`);
    expect(never.status).toBe(504);
    expect(json(never)).toMatchObject({
      reason: 'Timeout',
      message: `Too large resource version: ${current + 1000}, current: ${current + 1}`,
      details: { causes: [{ reason: 'ResourceVersionTooLarge' }] },
    });
  });

  it('refuses the combinations the real server refuses', async () => {
    const expectInvalid = async (query: string, message: string): Promise<void> => {
      const r = await api.get(`${CM}?${query}`);
      expect([r.status, json(r).message]).toEqual([
        422,
        `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: ${message}`,
      ]);
    };
    await expectInvalid(
      'resourceVersionMatch=Exact',
      'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    );
    await expectInvalid(
      'resourceVersion=0&resourceVersionMatch=Exact',
      'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
    );
    await expectInvalid(
      'resourceVersion=1&resourceVersionMatch=Newest',
      'Unsupported value: "Newest": supported values: "Exact", "NotOlderThan"',
    );
  });
});
