// A range query (or the alerts) kept fresh: asked again every 15 s, as Prometheus scrapes.
import { alerts as fetchAlerts, queryRange, type Alert, type Series } from '../api/prometheus.js';
import { usePeriodic, type Fetched } from '../api/usePeriodic.js';

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
