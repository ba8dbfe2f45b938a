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

/** Runs until `signal` aborts. */
export async function listWatch(path: string, q: WatchQuery, h: WatchHandlers, signal: AbortSignal): Promise<void> {
  // The last version seen, kept across a dropped stream: the next watch resumes there, not from the list.
  const cursor: { rv: string | undefined } = { rv: undefined };
  let backoff = 500;
  while (!signal.aborted) {
    try {
      if (cursor.rv === undefined) {
        const list = await api<KubeList>(`${path}?${query(q, {})}`, { signal });
        cursor.rv = list.metadata.resourceVersion ?? '0';
        h.reset(list.items);
      }
      const res = await apiRaw(
        `${path}?${query(q, { watch: '1', resourceVersion: cursor.rv, allowWatchBookmarks: 'true' })}`,
        { signal },
      );
      h.state('live');
      backoff = 500;
      await follow(res, cursor, h);
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
      cursor.rv = ev.object.metadata?.resourceVersion ?? cursor.rv;
      if (ev.type !== 'BOOKMARK') h.event(ev.type, ev.object);
    }
  }
}
