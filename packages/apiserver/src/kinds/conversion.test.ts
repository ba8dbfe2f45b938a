import { describe, expect, it } from 'vitest';
import type { StoredObject } from '@wharf/api';
import { ResourceRegistry } from '../registry.js';
import { fromStorageVersion, toStorageVersion } from './conversion.js';

const registry = new ResourceRegistry();
const v1 = registry.lookup('autoscaling', 'v1', 'horizontalpodautoscalers')!;
const v2 = registry.lookup('autoscaling', 'v2', 'horizontalpodautoscalers')!;

const stored = (spec: Record<string, unknown>, status?: Record<string, unknown>): StoredObject =>
  ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'u-1',
      resourceVersion: '5',
      creationTimestamp: '2024-01-01T00:00:00Z',
    },
    spec,
    ...(status ? { status } : {}),
  }) as StoredObject;
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (n: number) => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } },
});
const memory = {
  type: 'Resource',
  resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
};

describe('HorizontalPodAutoscaler autoscaling/v1 ⇄ v2', () => {
  it('serves the CPU target in its v1 field and the rest in annotations, and a round trip gives the same v2 object', () => {
    const original = stored(
      {
        scaleTargetRef: ref,
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [cpu(60), memory],
        behavior: { scaleDown: { stabilizationWindowSeconds: 30 } },
      },
      {
        currentReplicas: 3,
        desiredReplicas: 4,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 75 } } }],
        conditions: [{ type: 'AbleToScale', status: 'True' }],
      },
    );
    const asV1 = fromStorageVersion(v1, original)!;
    expect(asV1.apiVersion).toBe('autoscaling/v1');
    expect(asV1.spec).toEqual({
      scaleTargetRef: ref,
      minReplicas: 2,
      maxReplicas: 6,
      targetCPUUtilizationPercentage: 60,
    });
    expect(asV1.status).toEqual({ currentReplicas: 3, desiredReplicas: 4, currentCPUUtilizationPercentage: 75 });
    expect(Object.keys(asV1.metadata.annotations ?? {}).sort()).toEqual([
      'autoscaling.alpha.kubernetes.io/behavior',
      'autoscaling.alpha.kubernetes.io/conditions',
      'autoscaling.alpha.kubernetes.io/metrics',
    ]);
    const back = toStorageVersion(registry, v1, asV1);
    expect(back.served).toBe(v2);
    expect(back.body).toEqual(original);
  });

  it('a v1 object without a CPU target stores no metrics (v2 defaulting adds its own), and v2 needs no conversion', () => {
    const { body } = toStorageVersion(registry, v1, {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: ref, maxReplicas: 3 },
    });
    expect(body).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef: ref, maxReplicas: 3 },
    });
    expect(fromStorageVersion(v2, stored({ scaleTargetRef: ref, maxReplicas: 3 }))).toBeUndefined();
  });
});
