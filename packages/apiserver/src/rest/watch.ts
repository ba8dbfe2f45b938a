// Watch streams: newline-delimited JSON events with the real resourceVersion semantics (unset or
// "0" starts with synthetic ADDED events), selector filtering that turns objects leaving the
// selection into DELETED, bookmarks, timeoutSeconds, and 410 Gone for compacted revisions.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredObject } from '@wharf/api';
import { badRequest, gone } from '../errors.js';
import type { ObjectApi } from '../objects/api.js';
import type { Served } from '../registry.js';
import { CompactedError, namespacePrefix, objectKey, type StoreEvent } from '../storage/index.js';
import { toTable } from '../tables/index.js';
import type { Wanted } from './negotiate.js';
import { asServed, asServedRow, partial, sendError, tableOptions } from './respond.js';

export interface WatchOptions {
  /** Interval between bookmark events when the client allows them. @default 30000 */
  readonly bookmarkMs?: number;
  /** Upper bound on a watch's life when the client gives no timeoutSeconds. @default 1800 s */
  readonly maxSeconds?: number;
}

export function serveWatch(
  api: ObjectApi,
  served: Served,
  namespace: string,
  name: string,
  query: URLSearchParams,
  wanted: Wanted,
  req: IncomingMessage,
  res: ServerResponse,
  opts: WatchOptions = {},
): void {
  let filter: (o: StoredObject) => boolean;
  try {
    const fieldSelector = [query.get('fieldSelector') ?? '', name ? `metadata.name=${name}` : '']
      .filter(Boolean)
      .join(',');
    filter = api.filter(served, { labelSelector: query.get('labelSelector') ?? '', fieldSelector });
  } catch (e) {
    sendError(res, e);
    return;
  }
  const rvParam = query.get('resourceVersion') ?? '';
  const sendInitial = query.get('sendInitialEvents') === 'true';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) {
    sendError(res, badRequest(`resourceVersion: Invalid value: "${rvParam}": must be an integer`));
    return;
  }
  // A compacted fromRv is answered in-stream (200, an ERROR event with a 410 Status, then the
  // close), as kube-apiserver's watch cache does; see the CompactedError branch below.
  const fromRv = rvParam === '' || rvParam === '0' || sendInitial ? undefined : Number(rvParam);
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const timeoutSeconds = Math.min(
    Number(query.get('timeoutSeconds') ?? opts.maxSeconds ?? 1800) || 1800,
    opts.maxSeconds ?? 1800,
  );

  res.writeHead(200, {
    'Content-Type':
      wanted.representation === 'object' || wanted.representation === 'partial'
        ? 'application/json'
        : 'application/json;as=Table;v=v1;g=meta.k8s.io',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  // client-go waits for the headers before it counts the watch as started.
  res.flushHeaders();

  let first = true;
  let lastRv = String(fromRv ?? api.store.revision);
  const render = (obj: StoredObject): unknown => {
    if (wanted.representation === 'table') {
      const t = toTable(served.info, [asServedRow(served, obj)], {
        ...tableOptions(served, query),
        omitColumnDefinitions: !first,
      });
      first = false;
      return t;
    }
    if (wanted.representation === 'partial') return partial(served, obj);
    return asServed(served, obj);
  };
  // The events of one turn of the event loop go out as one chunk: one TLS record and one write to
  // the socket, not one per event (a burst of pod creates and bindings makes many in a turn).
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length && !res.writableEnded) res.write(pending.join(''));
    pending = [];
  };
  const send = (line: string): void => {
    if (!pending.length) setImmediate(flush);
    pending.push(line);
  };
  const write = (type: string, object: unknown): void => {
    send(`${JSON.stringify({ type, object })}\n`);
  };
  // Plain objects go out as the stored JSON text: one serialisation per write, not one per watcher.
  const emit = (type: string, obj: StoredObject, json: string): void => {
    if (wanted.representation === 'object' && asServed(served, obj) === obj)
      send(`{"type":"${type}","object":${json}}\n`);
    else write(type, render(obj));
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    write('BOOKMARK', {
      kind: served.info.kind,
      apiVersion: served.info.group ? `${served.info.group}/${served.info.version}` : served.info.version,
      metadata: { resourceVersion: lastRv, ...(annotations ? { annotations } : {}) },
    });
  };

  const prefix = name
    ? objectKey(
        served.info.group,
        served.info.resource,
        served.info.namespaced ? namespace || undefined : undefined,
        name,
      )
    : namespacePrefix(
        served.info.group,
        served.info.resource,
        served.info.namespaced && namespace ? namespace : undefined,
      );
  if (fromRv === undefined) {
    for (const e of api.store.list(prefix))
      if ((!name || e.key === prefix) && filter(e.object)) emit('ADDED', e.object, e.json);
    if (sendInitial) bookmark({ 'k8s.io/initial-events-end': 'true' });
  }

  const onEvent = (ev: StoreEvent | undefined): void => {
    if (!ev) {
      close();
      return;
    }
    if (name && ev.key !== prefix) return;
    lastRv = String(ev.revision);
    const now = ev.type !== 'DELETED' && filter(ev.object);
    const before = ev.prevObject !== undefined && filter(ev.prevObject);
    if (ev.type === 'DELETED') {
      if (before || (ev.prevObject === undefined && filter(ev.object))) emit('DELETED', ev.object, ev.json);
    } else if (now && before) emit('MODIFIED', ev.object, ev.json);
    else if (now) emit('ADDED', ev.object, ev.json);
    else if (before) emit('DELETED', ev.object, ev.json);
  };

  let watcher: { stop(): void } | undefined;
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  const close = (): void => {
    if (closed) return;
    closed = true;
    watcher?.stop();
    for (const t of timers) clearTimeout(t);
    flush();
    res.end();
  };
  try {
    watcher = api.store.watch(prefix, fromRv ?? api.store.revision, onEvent);
  } catch (e) {
    if (e instanceof CompactedError) {
      // Headers are out: report 410 in-stream, then close (clients re-list on the close).
      write('ERROR', gone(e.message).toStatus());
      close();
      return;
    }
    throw e;
  }
  timers.push(
    setTimeout(() => {
      if (bookmarks) bookmark();
      close();
    }, timeoutSeconds * 1000),
  );
  if (bookmarks) {
    const every = opts.bookmarkMs ?? 30_000;
    const tick = (): void => {
      if (closed) return;
      bookmark();
      timers.push(setTimeout(tick, every));
    };
    timers.push(setTimeout(tick, every));
  }
  req.on('close', close);
  res.on('error', close);
}
