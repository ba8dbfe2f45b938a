// PrometheusRules into Prometheus rule files, as prometheus-operator writes them: one file per
// object, `<namespace>-<name>-<uid>.yaml`, holding its groups unchanged. Pure.
import { stringify } from 'yaml';
import type { PrometheusRule } from './types.js';

/** The rule file's name for an object: stable across edits, distinct per object. */
export function ruleFileName(pr: PrometheusRule): string {
  return `${pr.metadata.namespace ?? 'default'}-${pr.metadata.name ?? ''}-${pr.metadata.uid ?? ''}.yaml`.replace(
    /[^a-zA-Z0-9._-]/g,
    '_',
  );
}

/** The rule file's text: `groups:` with each group's fields in Prometheus's spelling. */
export function ruleFileText(pr: PrometheusRule): string {
  const groups = (pr.spec.groups ?? []).map((g) => ({
    name: g.name,
    ...(g.interval ? { interval: g.interval } : {}),
    ...(g.limit !== undefined ? { limit: g.limit } : {}),
    rules: (g.rules ?? []).map((r) => ({
      ...(r.record ? { record: r.record } : {}),
      ...(r.alert ? { alert: r.alert } : {}),
      expr: typeof r.expr === 'number' ? String(r.expr) : r.expr,
      ...(r.for ? { for: r.for } : {}),
      ...(r.keep_firing_for ? { keep_firing_for: r.keep_firing_for } : {}),
      ...(r.labels ? { labels: r.labels } : {}),
      ...(r.annotations ? { annotations: r.annotations } : {}),
    })),
  }));
  return stringify({ groups }, { lineWidth: 0, aliasDuplicateObjects: false });
}
