// A time-series chart drawn by uPlot (small and fast: canvas, no virtual DOM per point). The
// series come from one Prometheus range query; the chart says in words what it shows, and its
// latest values, for screen readers.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from '../api/prometheus.js';
import { aligned } from './aligned.js';

const COLOURS = ['#0958d9', '#d4380d', '#389e0d', '#722ed1', '#c41d7f'];

export interface TimeSeriesProps {
  readonly title: string;
  readonly series: Series[];
  /** Formats a value for the axis and the description (cores, bytes, requests/s). */
  readonly format: (v: number) => string;
  readonly testId: string;
  readonly describe: (latest: string) => string;
}

const nameOf = (s: Series): string => Object.values(s.metric).join(' ') || 'value';

export function TimeSeries({ title, series, format, testId, describe }: TimeSeriesProps) {
  const box = useRef<HTMLDivElement>(null);
  const points = series.reduce((n, s) => n + s.values.length, 0);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 220,
        series: [
          {},
          ...series.map((s, i) => ({
            label: nameOf(s),
            stroke: COLOURS[i % COLOURS.length],
            width: 2,
            value: (_: uPlot, v: number | null) => (v === null ? '-' : format(v)),
          })),
        ],
        axes: [{}, { values: (_: uPlot, ticks: number[]) => ticks.map(format), size: 80 }],
        legend: { show: false },
      },
      aligned(series),
      el,
    );
    return () => plot.destroy();
  }, [series, format]);
  const latest = series.map((s) => `${nameOf(s)}: ${format(Number(s.values.at(-1)?.[1] ?? 0))}`).join(', ');
  return (
    <figure style={{ margin: 0 }} data-testid={testId} data-points={points}>
      <figcaption style={{ fontWeight: 600, marginBottom: 4 }}>{title}</figcaption>
      <div ref={box} role="img" aria-label={describe(latest || '-')} />
      <p data-testid={`${testId}-latest`} style={{ margin: '4px 0 0' }}>
        {describe(latest || '-')}
      </p>
    </figure>
  );
}
