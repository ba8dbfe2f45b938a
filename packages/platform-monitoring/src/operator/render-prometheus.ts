// The whole prometheus.yml: global settings, Alertmanager targets, the rule files, the operator's
// jobs from ServiceMonitors and PodMonitors, and the extra jobs the deployment adds (the API
// server and nodes through the API server proxy on a real cluster). Pure.
import { podMonitorJobs, serviceMonitorJobs, type DiscoveryAccess, type ScrapeConfig } from './render-scrape.js';
import type { PodMonitor, ServiceMonitor } from './types.js';

export interface PrometheusSettings {
  /** @default '30s' (prometheus-operator's default) */
  readonly scrapeInterval?: string;
  /** @default '30s' */
  readonly evaluationInterval?: string;
  /** Labels added to every series and alert leaving this Prometheus. @default none */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Alertmanager addresses (host:port). @default none */
  readonly alertmanagers?: readonly string[];
  /** Directory the rule files are written to (a glob over it goes into rule_files). */
  readonly rulesDir: string;
  readonly discovery: DiscoveryAccess;
  /** Jobs added as they are (appended after the operator's). @default none */
  readonly extraScrapeConfigs?: readonly ScrapeConfig[];
}

export function renderPrometheusConfig(
  s: PrometheusSettings,
  monitors: { serviceMonitors: readonly ServiceMonitor[]; podMonitors: readonly PodMonitor[] },
): Record<string, unknown> {
  const byName = <T extends { metadata: { namespace?: string; name?: string } }>(list: readonly T[]): T[] =>
    [...list].sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
    );
  const defaults = { interval: s.scrapeInterval ?? '30s' };
  return {
    global: {
      scrape_interval: s.scrapeInterval ?? '30s',
      evaluation_interval: s.evaluationInterval ?? '30s',
      ...(s.externalLabels ? { external_labels: s.externalLabels } : {}),
    },
    ...(s.alertmanagers?.length
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: s.alertmanagers }], api_version: 'v2' }] } }
      : {}),
    rule_files: [`${s.rulesDir}/*.yaml`],
    scrape_configs: [
      ...byName(monitors.serviceMonitors).flatMap((m) => serviceMonitorJobs(m, s.discovery, defaults)),
      ...byName(monitors.podMonitors).flatMap((m) => podMonitorJobs(m, s.discovery, defaults)),
      ...(s.extraScrapeConfigs ?? []),
    ],
  };
}
