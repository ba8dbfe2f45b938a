// A live list for React: listWatch feeding a map keyed by namespace/name. Changes are applied at
// most once per animation frame, so a burst of 1,000 events renders once, not 1,000 times.
import { useEffect, useState } from 'react';
import type { ApiError } from './client.js';
import type { KubeObject } from './types.js';
import { listWatch, type WatchQuery } from './watch.js';

export interface LiveList {
  readonly items: KubeObject[];
  readonly loading: boolean;
  readonly state: 'live' | 'reconnecting' | 'connecting';
  readonly error: ApiError | undefined;
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function useWatchList(path: string | undefined, q: WatchQuery = {}): LiveList {
  const [view, setView] = useState<LiveList>({ items: [], loading: true, state: 'connecting', error: undefined });
  const { labelSelector, fieldSelector, rows } = q;
  useEffect(() => {
    if (!path) return undefined;
    const ctl = new AbortController();
    const map = new Map<string, KubeObject>();
    let frame = 0;
    let state: LiveList['state'] = 'connecting';
    let error: ApiError | undefined;
    let loading = true;
    const flush = (): void => {
      frame = 0;
      setView({ items: [...map.values()], loading, state, error });
    };
    const schedule = (): void => {
      if (!frame) frame = requestAnimationFrame(flush);
    };
    setView({ items: [], loading: true, state, error: undefined });
    void listWatch(
      path,
      { labelSelector, fieldSelector, rows },
      {
        reset(items) {
          map.clear();
          for (const o of items) map.set(keyOf(o), o);
          loading = false;
          error = undefined;
          schedule();
        },
        event(type, o) {
          if (type === 'DELETED') map.delete(keyOf(o));
          else map.set(keyOf(o), o);
          schedule();
        },
        state(s) {
          state = s;
          schedule();
        },
        fail(e) {
          error = e;
          loading = false;
          schedule();
        },
      },
      ctl.signal,
    );
    return () => {
      ctl.abort();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [path, labelSelector, fieldSelector, rows]);
  return view;
}
