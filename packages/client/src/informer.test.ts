import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { nodeNameIndex, ownerUidIndex } from './cache.js';
import type { WatchEvent, WatchHandle } from './client.js';
import { Informer } from './informer.js';

function pod(name: string, rv: string, extra: Partial<V1Pod['spec']> = {}, owner?: string): V1Pod {
  return {
    metadata: {
      name,
      namespace: name.startsWith('b') ? 'b' : 'a',
      resourceVersion: rv,
      labels: { app: name[0] ?? '' },
      ...(owner
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true }] }
        : {}),
    },
    spec: { containers: [], ...extra },
  };
}

/** A fake API: each list answers the next of `lists`; each watch hands its emitter to the test. */
function fakeClient(lists: { rv: string; items: V1Pod[] }[]) {
  const watches: { query: Record<string, string>; emit: (e: WatchEvent<V1Pod>) => void; end: () => void }[] = [];
  const listed: string[] = [];
  return {
    watches,
    listed,
    get: async <T>(path: string): Promise<T> => {
      listed.push(path);
      const l = lists.shift();
      if (!l) throw new Error('no more lists');
      return { metadata: { resourceVersion: l.rv }, items: l.items } as T;
    },
    watch: <T>(
      _path: string,
      query: Readonly<Record<string, string>>,
      onEvent: (e: WatchEvent<T>) => void,
    ): WatchHandle => {
      let end = (): void => {};
      const done = new Promise<void>((r) => (end = r));
      watches.push({ query: { ...query }, emit: onEvent as (e: WatchEvent<V1Pod>) => void, end });
      return { done, abort: () => end() };
    },
  };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('Informer', () => {
  it('lists, watches from the list revision, indexes, and re-lists after 410 Gone reporting deletions', async () => {
    const client = fakeClient([
      { rv: '10', items: [pod('a1', '5', { nodeName: 'n1' }, 'u1'), pod('b1', '6', {}, 'u2')] },
      { rv: '30', items: [pod('a1', '5', { nodeName: 'n1' }, 'u1'), pod('a2', '25', { nodeName: 'n2' }, 'u1')] },
    ]);
    const events: string[] = [];
    let resyncs = 0;
    const inf = new Informer<V1Pod>({
      client,
      path: '/api/v1/pods',
      fieldSelector: 'spec.nodeName!=',
      watchTimeoutSeconds: 60,
      onResync: () => resyncs++,
    });
    inf.addIndexer('owner', ownerUidIndex);
    inf.addIndexer('node', nodeNameIndex);
    inf.on((type, o) => events.push(`${type} ${o.metadata?.name}`));
    await inf.startSynced();
    await tick();
    expect(client.listed[0]).toBe('/api/v1/pods?fieldSelector=spec.nodeName%21%3D');
    expect(client.watches[0]?.query).toMatchObject({
      resourceVersion: '10',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '60',
      fieldSelector: 'spec.nodeName!=',
    });
    expect(inf.get('a', 'a1')?.metadata?.resourceVersion).toBe('5');
    expect(inf.list('b').map((p) => p.metadata?.name)).toEqual(['b1']);
    expect(inf.list(undefined, { matchLabels: { app: 'a' } }).map((p) => p.metadata?.name)).toEqual(['a1']);
    expect(inf.byIndex('owner', 'u1').map((p) => p.metadata?.name)).toEqual(['a1']);

    const w = client.watches[0]!;
    w.emit({ type: 'MODIFIED', object: pod('a1', '12', { nodeName: 'n2' }, 'u1') });
    w.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } });
    expect(inf.byIndex('node', 'n1')).toEqual([]);
    expect(inf.byIndex('node', 'n2').map((p) => p.metadata?.name)).toEqual(['a1']);
    w.end();
    await tick();
    expect(client.watches[1]?.query.resourceVersion).toBe('20');

    client.watches[1]!.emit({ type: 'ERROR', object: { code: 410 } as V1Pod });
    await tick();
    await tick();
    expect(events).toEqual(['add a1', 'add b1', 'update a1', 'update a1', 'add a2', 'delete b1']);
    expect(resyncs).toBe(2);
    expect(inf.list('b')).toEqual([]);
    expect(client.watches[2]?.query.resourceVersion).toBe('30');
    await inf.stop();
  });

  it('stops calling a handler taken off (a consumer of a shared informer that stopped) and keeps the others', async () => {
    const client = fakeClient([{ rv: '10', items: [] }]);
    const inf = new Informer<V1Pod>({ client, path: '/api/v1/pods' });
    const first: string[] = [];
    const second: string[] = [];
    const one = (_t: string, o: V1Pod): void => void first.push(o.metadata?.name ?? '');
    inf.on(one);
    inf.on((_t, o) => second.push(o.metadata?.name ?? ''));
    await inf.startSynced();
    await tick();
    client.watches[0]!.emit({ type: 'ADDED', object: pod('a1', '11') });
    inf.off(one);
    client.watches[0]!.emit({ type: 'ADDED', object: pod('a2', '12') });
    expect(first).toEqual(['a1']);
    expect(second).toEqual(['a1', 'a2']);
    await inf.stop();
  });

  it('a stop while the first list is in flight opens no watch and resolves once the list answers', async () => {
    let answer = (): void => {};
    const client = fakeClient([]);
    const slow = {
      ...client,
      get: <T>(path: string): Promise<T> =>
        new Promise<T>((r) => (answer = () => r({ metadata: { resourceVersion: '7' }, items: [] } as T))).finally(() =>
          client.listed.push(path),
        ),
    };
    const inf = new Informer<V1Pod>({ client: slow, path: '/api/v1/pods' });
    inf.start();
    await tick();
    let stopped = false;
    const stopping = inf.stop().then(() => (stopped = true));
    answer();
    await stopping;
    expect(stopped).toBe(true);
    expect(client.listed).toEqual(['/api/v1/pods']);
    expect(client.watches).toEqual([]);
  });
});
