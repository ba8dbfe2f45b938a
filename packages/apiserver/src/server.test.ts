import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from './server.js';

describe('ApiServer in process', () => {
  let server: ApiServer;
  let port: number;

  const call = (
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ code: number; json: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          ca: server.pki.caCert,
          headers: {
            'content-type': 'application/json',
            ...(token === '' ? {} : { authorization: `Bearer ${token ?? server.adminToken}` }),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () =>
            resolve({ code: res.statusCode ?? 0, json: JSON.parse(text || '{}') as Record<string, unknown> }),
          );
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  beforeAll(async () => {
    server = await ApiServer.create({
      dataDir: mkdtempSync(join(tmpdir(), 'wharf-srv-')),
      port: 0,
      compactKeepRevisions: 1,
      compactRetentionMs: 60_000,
      compactEveryMs: 3_600_000,
    });
    port = await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('compacts only history older than the retention window', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', '/api/v1/namespaces/default/configmaps', {
        metadata: { name: `c${i}` },
        data: { i: String(i) },
      });
      expect(r.code).toBe(201);
    }
    const t0 = Date.now();
    await server.compactOnce(t0);
    expect(server.store.compactedRevision).toBe(0);
    const before = server.store.revision;
    await call('PUT', '/api/v1/namespaces/default/configmaps/c0', { metadata: { name: 'c0' }, data: { i: 'x' } });
    await server.compactOnce(t0 + 61_000);
    expect(server.store.compactedRevision).toBe(before);
    const watch = await call(
      'GET',
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1`,
    );
    // As kube-apiserver's watch cache: 200, one ERROR event carrying the 410 Status, then the close.
    expect(watch.code).toBe(200);
    expect(watch.json).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('answers 401 to a wrong token and lets anonymous users read only health and version', async () => {
    expect((await call('GET', '/api/v1/namespaces', undefined, 'nope')).code).toBe(401);
    expect((await call('GET', '/version', undefined, '')).code).toBe(200);
    const denied = await call('GET', '/api/v1/namespaces', undefined, '');
    expect(denied.code).toBe(401);
    expect(denied.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
  });

  it('reports a stale resourceVersion as 409 Conflict', async () => {
    const cur = await call('GET', '/api/v1/namespaces/default/configmaps/c1');
    const rv = (cur.json.metadata as { resourceVersion: string }).resourceVersion;
    expect(
      (
        await call('PUT', '/api/v1/namespaces/default/configmaps/c1', {
          metadata: { name: 'c1', resourceVersion: rv },
          data: { a: '1' },
        })
      ).code,
    ).toBe(200);
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/c1', {
      metadata: { name: 'c1', resourceVersion: rv },
      data: { a: '2' },
    });
    expect(stale.code).toBe(409);
    expect(stale.json.reason).toBe('Conflict');
  });
});

describe('list responses assembled from stored JSON', () => {
  it('are the same objects a get returns, for JSON and YAML clients alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-list-'));
    const srv = await ApiServer.create({ dataDir: dir, port: 0 });
    const port = await srv.start();
    try {
      const get = (path: string, accept = 'application/json'): Promise<string> =>
        new Promise((resolve, reject) => {
          request(
            {
              host: '127.0.0.1',
              port,
              path,
              ca: srv.pki.caCert,
              headers: { authorization: `Bearer ${srv.adminToken}`, accept },
            },
            (res) => {
              let t = '';
              res.on('data', (d: Buffer) => (t += d.toString()));
              res.on('end', () => resolve(t));
            },
          )
            .on('error', reject)
            .end();
        });
      const list = JSON.parse(await get('/api/v1/namespaces/default/configmaps')) as {
        kind: string;
        items: { metadata: { name: string } }[];
        metadata: { resourceVersion: string };
      };
      expect(list.kind).toBe('ConfigMapList');
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThan(0);
      const one = JSON.parse(await get('/api/v1/namespaces/default/configmaps/kube-root-ca.crt')) as unknown;
      expect(list.items.find((i) => i.metadata.name === 'kube-root-ca.crt')).toEqual(one);
      expect(await get('/api/v1/namespaces/default/configmaps', 'application/yaml')).toMatch(
        /^kind: ConfigMapList\napiVersion: v1\n[\s\S]*\nitems:\n {2}- /,
      );
    } finally {
      await srv.stop();
    }
  });
});
