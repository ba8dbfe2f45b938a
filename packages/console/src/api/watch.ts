// List, then watch from the list's resourceVersion, as client-go's reflector does: a watch that
// ends or drops resumes from the last version seen (bookmarks keep it fresh); a 410 Gone (that
// version was compacted away) lists again. No polling: the API pushes every change.
import { ApiError, api, apiRaw } from './client.js';
import type { KubeList, KubeObject, WatchEvent } from './types.js';

export interface WatchHandlers {
  /** The full set after a (re)list. */
  reset(items: KubeObject[]): void;
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void;
  /** live: the watch is open; reconnecting: it dropped and is being resumed. */
  state(s: 'live' | 'reconnecting'): void;
  /** An error that retrying will not fix (401, 403, 404): the loop stops. */
  fail(e: ApiError): void;
}

export interface WatchQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /**
   * Ask for the API's Table (kubectl's columns, each row's object metadata only), not the
   * objects: a Secret's values never reach the browser. Each item is then a row (see fromTable).
   * @default false
   */
  readonly rows?: boolean;
}

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

interface TableRow {
  cells: unknown[];
  object?: { metadata?: KubeObject['metadata'] };
}

export interface Table {
  kind: 'Table';
  metadata: { resourceVersion?: string };
  columnDefinitions: { name: string }[];
  rows: TableRow[];
}

/** A Table's rows as objects: each row's metadata, and its cells by column name in `printed`. */
export function fromTable(t: Table, columns: readonly string[]): KubeObject[] {
  return t.rows.map((r) => ({
    metadata: r.object?.metadata ?? { name: String(r.cells[0]) },
    printed: Object.fromEntries(columns.map((c, i) => [c, r.cells[i]])),
  }));
}

function query(q: WatchQuery, extra: Record<string, string>): string {
  const p = new URLSearchParams(extra);
  if (q.labelSelector) p.set('labelSelector', q.labelSelector);
  if (q.fieldSelector) p.set('fieldSelector', q.fieldSelector);
  return p.toString();
}

const delay = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** First lists asked for before their page mounted (prefetchList), by URL and accept header: each is used once. */
const early = new Map<string, Promise<KubeList | Table>>();

const acceptOf = (q: WatchQuery): { accept?: string } => (q.rows ? { accept: TABLE } : {});
const earlyKey = (url: string, q: WatchQuery): string => `${q.rows ? 'rows ' : ''}${url}`;

/**
 * Starts the first list `listWatch(path, q)` will make, before the page that watches it has loaded:
 * its round trip then overlaps the page's chunk and first render instead of following them. The
 * watch that follows starts from this list's resourceVersion, so nothing that changes meanwhile is missed.
 */
export function prefetchList(path: string, q: WatchQuery): void {
  const url = `${path}?${query(q, {})}`;
  const list = api<KubeList | Table>(url, acceptOf(q));
  list.catch(() => undefined); // listWatch asks again, and shows that answer's error
  early.set(earlyKey(url, q), list);
}

/** The prefetched list of `url`, once; a prefetch that failed is asked for again. */
function fetchList(url: string, q: WatchQuery, signal: AbortSignal): Promise<KubeList | Table> {
  const key = earlyKey(url, q);
  const list = early.get(key);
  early.delete(key);
  const fresh = (): Promise<KubeList | Table> => api<KubeList | Table>(url, { signal, ...acceptOf(q) });
  return list ? list.catch(fresh) : fresh();
}

/** Runs until `signal` aborts. */
export async function listWatch(path: string, q: WatchQuery, h: WatchHandlers, signal: AbortSignal): Promise<void> {
  // The last version seen, kept across a dropped stream: the next watch resumes there, not from the list.
  const cursor: { rv: string | undefined } = { rv: undefined };
  const accept = acceptOf(q);
  // Watch events carry one-row Tables without the column names: the list's are kept.
  let columns: string[] = [];
  const items = (o: KubeObject): KubeObject[] => (o.kind === 'Table' ? fromTable(o as unknown as Table, columns) : [o]);
  let backoff = 500;
  while (!signal.aborted) {
    try {
      if (cursor.rv === undefined) {
        const list = await fetchList(`${path}?${query(q, {})}`, q, signal);
        if (signal.aborted) return; // a prefetched list does not abort with the page that left
        cursor.rv = list.metadata.resourceVersion ?? '0';
        if ('rows' in list) columns = list.columnDefinitions.map((c) => c.name);
        h.reset('rows' in list ? fromTable(list, columns) : list.items);
      }
      const res = await apiRaw(
        `${path}?${query(q, { watch: '1', resourceVersion: cursor.rv, allowWatchBookmarks: 'true' })}`,
        { signal, ...accept },
      );
      h.state('live');
      backoff = 500;
      await follow(res, cursor, { ...h, event: (type, o) => items(o).forEach((one) => h.event(type, one)) });
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && [401, 403, 404].includes(e.code)) {
        h.fail(e);
        return;
      }
      if (e instanceof ApiError && e.code === 410) cursor.rv = undefined;
      h.state('reconnecting');
      await delay(backoff, signal);
      backoff = Math.min(backoff * 2, 10_000);
    }
  }
}

/** Reads one watch response to its end, moving `cursor` along; cursor.rv undefined: list again. */
async function follow(res: Response, cursor: { rv: string | undefined }, h: WatchHandlers): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  while (true) {
    const { value, done } = await reader.read();
    if (done) return; // the server closed the watch (its timeout): the loop resumes from cursor.rv
    buf += value;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const ev = JSON.parse(line) as WatchEvent;
      if (ev.type === 'ERROR') {
        // 410 Gone: our version was compacted; list afresh.
        if (ev.object.code === 410) {
          cursor.rv = undefined;
          return;
        }
        throw new ApiError(ev.object.code ?? 500, 'WatchError', ev.object.message ?? 'watch error');
      }
      if (ev.type === 'BOOKMARK') {
        cursor.rv = ev.object.metadata?.resourceVersion ?? cursor.rv;
        continue;
      }
      h.event(ev.type, ev.object);
      cursor.rv = lastVersion(ev.object) ?? cursor.rv;
    }
  }
}

/** An event's resourceVersion: the object's, or a Table row's object's. */
function lastVersion(o: KubeObject): string | undefined {
  if (o.kind !== 'Table') return o.metadata?.resourceVersion;
  return (o as unknown as Table).rows[0]?.object?.metadata?.resourceVersion;
}
