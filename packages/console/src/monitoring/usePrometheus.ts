// A range query (or the alerts) kept fresh: asked again every 15 s, as Prometheus scrapes, with
// the previous request aborted when the query or the page changes.
import { useEffect, useState } from 'react';
import { alerts as fetchAlerts, queryRange, type Alert, type Series } from '../api/prometheus.js';

const REFRESH_MS = 15_000;

export interface Fetched<T> { readonly value: T | undefined; readonly error: unknown }

function usePeriodic<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Fetched<T> {
  const [state, setState] = useState<Fetched<T>>({ value: undefined, error: undefined });
  useEffect(() => {
    if (!key) return undefined;
    const ctl = new AbortController();
    setState({ value: undefined, error: undefined });
    const tick = (): void => {
      load(ctl.signal).then((value) => setState({ value, error: undefined }), (error: unknown) => {
        if ((error as Error).name !== 'AbortError') setState((s) => ({ value: s.value, error }));
      });
    };
    tick();
    const timer = setInterval(tick, REFRESH_MS);
    return () => {
      clearInterval(timer);
      ctl.abort();
    };
    // `key` names the request; `load` is a new closure each render.
  }, [key]);
  return state;
}

export function useRange(ns: string, query: string | undefined, windowSeconds: number): Fetched<Series[]> {
  const step = Math.max(15, Math.round(windowSeconds / 120));
  return usePeriodic(query ? `${ns}|${query}|${windowSeconds}` : '', (signal) => {
    const end = Math.floor(Date.now() / 1000);
    return queryRange(ns, query ?? '', end - windowSeconds, end, step, signal);
  });
}

export function useAlerts(ns: string): Fetched<Alert[]> {
  return usePeriodic(`alerts|${ns}`, (signal) => fetchAlerts(ns, signal));
}
