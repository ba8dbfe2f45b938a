// Prometheus range results in uPlot's column form: one x array (unix seconds) and one y array per
// series, aligned on the union of the timestamps (a series missing a step gets a gap, null).
import type { Series } from '../api/prometheus.js';

export function aligned(series: readonly Series[]): [number[], ...(number | null)[][]] {
  const xs = [...new Set(series.flatMap((s) => s.values.map(([t]) => t)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y: (number | null)[] = xs.map(() => null);
    for (const [t, v] of s.values) y[index.get(t)!] = Number(v);
    return y;
  });
  return [xs, ...ys];
}
