// listWatch against a real HTTP server that behaves as the API server does when watches end badly:
// a stream cut mid-way, a watch closed by its timeout, and a 410 Gone for a compacted version.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from './types.js';
import { fromTable, listWatch, prefetchList } from './watch.js';

const pod = (name: string, rv: string): KubeObject => ({
  kind: 'Pod',
  metadata: { name, namespace: 'default', resourceVersion: rv },
});
const line = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;

describe('listWatch', () => {
  let server: Server;
  let base: string;
  const watches: string[] = [];
  let lists = 0;

  beforeAll(async () => {
    // client.ts reads the token from sessionStorage, which Node lacks.
    (globalThis as { sessionStorage?: unknown }).sessionStorage = { getItem: () => 'tok' };
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '', 'http://x');
      expect(req.headers.authorization).toBe('Bearer tok');
      if (!u.searchParams.has('watch')) {
        lists++;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify(
            lists === 1
              ? { metadata: { resourceVersion: '10' }, items: [pod('a', '5')] }
              : { metadata: { resourceVersion: '20' }, items: [pod('a', '5'), pod('b', '11'), pod('c', '19')] },
          ),
        );
        return;
      }
      const rv = u.searchParams.get('resourceVersion') ?? '';
      watches.push(rv);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (rv === '10') {
        // One event, then the connection drops.
        res.write(line('ADDED', pod('b', '11')));
        setTimeout(() => res.socket?.destroy(), 50);
      } else if (rv === '11') {
        res.end(line('BOOKMARK', { metadata: { resourceVersion: '12' } }));
      } else if (rv === '12') {
        res.end(
          line('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 12' }),
        );
      } else {
        res.write(line('DELETED', pod('a', '21')));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('resumes a dropped or closed watch from the last version seen, and lists again after 410 Gone', async () => {
    const ctl = new AbortController();
    const items = new Map<string, KubeObject>();
    const states: string[] = [];
    let resets = 0;
    const done = listWatch(
      `${base}/api/v1/pods`,
      {},
      {
        reset(list) {
          resets++;
          items.clear();
          for (const o of list) items.set(o.metadata.name, o);
        },
        event(type, o) {
          if (type === 'DELETED') items.delete(o.metadata.name);
          else items.set(o.metadata.name, o);
        },
        state: (s) => states.push(s),
        fail: (e) => {
          throw e;
        },
      },
      ctl.signal,
    );
    const deadline = Date.now() + 10_000;
    while (watches.length < 4 || items.has('a')) {
      if (Date.now() > deadline) throw new Error(`watches ${watches.join(',')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    ctl.abort();
    await done;
    expect(watches).toEqual(['10', '11', '12', '20']);
    expect(lists).toBe(2);
    expect(resets).toBe(2);
    expect([...items.keys()].sort()).toEqual(['b', 'c']);
    expect(states).toContain('reconnecting');
  });
});

describe('prefetchList', () => {
  it('hands its list to the first listWatch of that path only; the next one lists again', async () => {
    (globalThis as { sessionStorage?: unknown }).sessionStorage = { getItem: () => 'tok' };
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      if (req.url?.includes('watch=1')) res.write(line('BOOKMARK', { metadata: { resourceVersion: '7' } }));
      else res.end(JSON.stringify({ metadata: { resourceVersion: '7' }, items: [pod('a', '7')] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const path = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/namespaces/default/pods`;
    const liveOnce = async (): Promise<string[]> => {
      const ctl = new AbortController();
      const names: string[] = [];
      await new Promise<void>((resolve, reject) => {
        void listWatch(
          path,
          {},
          {
            reset: (l) => names.push(...l.map((o) => o.metadata.name)),
            event: () => undefined,
            state: () => resolve(),
            fail: reject,
          },
          ctl.signal,
        );
      });
      ctl.abort();
      return names;
    };
    try {
      prefetchList(path, {});
      expect(await liveOnce()).toEqual(['a']);
      expect(await liveOnce()).toEqual(['a']);
      expect(asked.filter((u) => !u.includes('watch=1'))).toHaveLength(2); // the prefetch, then one list
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('fromTable', () => {
  it("turns a Table's rows into objects: the row's metadata and its cells by column name", () => {
    const rows = fromTable(
      {
        kind: 'Table',
        metadata: {},
        columnDefinitions: [],
        rows: [{ cells: ['db', 'Opaque', 2, '5m'], object: { metadata: { name: 'db', namespace: 'default' } } }],
      },
      ['Name', 'Type', 'Data', 'Age'],
    );
    expect(rows).toEqual([
      { metadata: { name: 'db', namespace: 'default' }, printed: { Name: 'db', Type: 'Opaque', Data: 2, Age: '5m' } },
    ]);
  });
});
