// The agent's metrics endpoints: `/metrics` (the kubelet's own: kubelet_volume_stats_*),
// `/metrics/resource` (the kubelet's resource metrics) and `/metrics/cadvisor` (cAdvisor's
// container metrics), all rendered from one shared scrape.
import { cadvisorMetrics } from './cadvisor-metrics.js';
import type { MetricsCollector, NodeSample } from './collector.js';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from './exposition.js';
import { resourceMetrics } from './resource-metrics.js';
import { volumeStatsMetrics } from './volume-stats.js';

export interface MetricsPage {
  readonly contentType: string;
  readonly body: string;
}

const PAGES: Record<string, (n: NodeSample) => ReturnType<typeof resourceMetrics>> = {
  '/metrics': (n) => volumeStatsMetrics(n.volumes ?? []),
  '/metrics/resource': resourceMetrics,
  '/metrics/cadvisor': cadvisorMetrics,
};

export class MetricsEndpoint {
  private inflight: Promise<NodeSample> | undefined;

  constructor(private readonly collector: Pick<MetricsCollector, 'collect'>) {}

  /** Whether `pathname` is one of the metrics pages. */
  serves(pathname: string): boolean {
    return Object.hasOwn(PAGES, pathname.replace(/\/+$/, ''));
  }

  /** The page at `pathname`, or undefined when there is none. Concurrent scrapes share one collection. */
  async page(pathname: string): Promise<MetricsPage | undefined> {
    if (!this.serves(pathname)) return undefined;
    const render = PAGES[pathname.replace(/\/+$/, '')]!;
    this.inflight ??= this.collector.collect().finally(() => (this.inflight = undefined));
    return { contentType: EXPOSITION_CONTENT_TYPE, body: renderExposition(render(await this.inflight)) };
  }
}
