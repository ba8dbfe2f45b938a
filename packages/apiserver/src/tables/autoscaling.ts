// The printer for autoscaling/v2 HorizontalPodAutoscalers: REFERENCE, TARGETS ("cpu: 40%/80%"),
// MINPODS, MAXPODS, REPLICAS. Follows k8s.io/kubernetes/pkg/printers/internalversion (1.32).

import { AGE_COLUMN, NAME_COLUMN, ageOf, col, nameOf } from './columns.js';
import type { Printer } from './columns.js';
import { DESC } from './descriptions.js';
import { arr, get, num, scalarString, str } from './format.js';

const UNKNOWN = '<unknown>';

function quantity(v: unknown): string {
  return scalarString(v, '0');
}

/** "40%" from an averageUtilization, or undefined when absent. */
function percent(v: unknown): string | undefined {
  return typeof v === 'number' ? `${v}%` : undefined;
}

/** One metric: current/target, the current value "<unknown>" until the status reports it. */
function formatMetric(spec: unknown, status: unknown): string {
  switch (get(spec, 'type')) {
    case 'External':
    case 'Object': {
      const key = get(spec, 'type') === 'External' ? 'external' : 'object';
      const target = get(spec, key, 'target');
      const current = get(status, key, 'current');
      const statusSet = get(status, key) !== undefined;
      if (get(target, 'averageValue') !== undefined) {
        const cur =
          statusSet && get(current, 'averageValue') !== undefined ? quantity(get(current, 'averageValue')) : UNKNOWN;
        return `${cur}/${quantity(get(target, 'averageValue'))} (avg)`;
      }
      const cur = statusSet ? quantity(get(current, 'value')) : UNKNOWN;
      return `${cur}/${quantity(get(target, 'value'))}`;
    }
    case 'Pods': {
      const cur =
        get(status, 'pods') !== undefined ? quantity(get(status, 'pods', 'current', 'averageValue')) : UNKNOWN;
      return `${cur}/${quantity(get(spec, 'pods', 'target', 'averageValue'))}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = get(spec, 'type') === 'Resource' ? 'resource' : 'containerResource';
      const name = str(get(spec, key, 'name'));
      const target = get(spec, key, 'target');
      const statusSet = get(status, key) !== undefined;
      if (get(target, 'averageValue') !== undefined) {
        const cur = statusSet ? quantity(get(status, key, 'current', 'averageValue')) : UNKNOWN;
        return `${name}: ${cur}/${quantity(get(target, 'averageValue'))}`;
      }
      const cur = (statusSet ? percent(get(status, key, 'current', 'averageUtilization')) : undefined) ?? UNKNOWN;
      return `${name}: ${cur}/${percent(get(target, 'averageUtilization')) ?? '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

/** What autoscaling/v2 defaults an empty spec.metrics to: 80% average CPU utilization. */
const DEFAULT_METRICS = [
  { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
];

/** The TARGETS cell: at most two metrics, then "+ N more...". */
export function formatHPAMetrics(specs: unknown, statuses: unknown): string {
  const metricSpecs = arr(specs).length > 0 ? arr(specs) : DEFAULT_METRICS;
  const metricStatuses = arr(statuses);
  const list = metricSpecs.map((spec, i) => formatMetric(spec, metricStatuses[i]));
  const max = 2;
  return list.length > max ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...` : list.join(', ');
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Reference', 'string', DESC.hpaScaleTargetRef),
    col('Targets', 'string', DESC.hpaMetrics),
    col('MinPods', 'string', DESC.hpaMinReplicas),
    col('MaxPods', 'string', DESC.hpaMaxReplicas),
    col('Replicas', 'string', DESC.hpaCurrentReplicas),
    AGE_COLUMN,
  ],
  cells(hpa, ctx) {
    const ref = get(hpa, 'spec', 'scaleTargetRef');
    const minReplicas = get(hpa, 'spec', 'minReplicas');
    return [
      nameOf(hpa),
      `${str(get(ref, 'kind'))}/${str(get(ref, 'name'))}`,
      formatHPAMetrics(get(hpa, 'spec', 'metrics'), get(hpa, 'status', 'currentMetrics')),
      typeof minReplicas === 'number' ? String(minReplicas) : '<unset>',
      num(get(hpa, 'spec', 'maxReplicas')),
      num(get(hpa, 'status', 'currentReplicas')),
      ageOf(hpa, ctx),
    ];
  },
};
