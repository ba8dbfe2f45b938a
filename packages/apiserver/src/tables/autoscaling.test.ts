import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function table(group: string, resource: string, obj: Record<string, unknown>): { columns: string[]; cells: unknown[] } {
  const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource) as ResourceInfo;
  const t = toTable(
    info,
    [{ ...obj, metadata: { name: 'x', creationTimestamp: '2024-05-01T09:00:00Z' } } as KubeObject],
    { now: NOW },
  );
  return { columns: t.columnDefinitions.map((c) => c.name), cells: t.rows[0]?.cells ?? [] };
}

describe('autoscaling/v2', () => {
  it('horizontal pod autoscalers print reference, targets and replica bounds', () => {
    const t = table('autoscaling', 'horizontalpodautoscalers', {
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
        ],
      },
      status: {
        currentReplicas: 3,
        currentMetrics: [
          { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 41, averageValue: '120m' } } },
        ],
      },
    });
    expect(t.columns).toEqual(['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    expect(t.cells).toEqual([
      'x',
      'Deployment/web',
      'cpu: 41%/80%, memory: <unknown>/500Mi + 1 more...',
      '2',
      10,
      3,
      '3h',
    ]);
    const bare = table('autoscaling', 'horizontalpodautoscalers', {
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5 },
    });
    expect(bare.cells.slice(2, 6)).toEqual(['cpu: <unknown>/80%', '<unset>', 5, 0]);
  });
});
