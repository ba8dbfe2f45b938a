import type { V1Pod, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { durationMs, reconcileHpa, type HpaInput, type PodMetrics } from './reconcile.js';

const NOW = Date.parse('2026-12-05T10:00:00Z');
const hpa = (spec: Partial<NonNullable<V2HorizontalPodAutoscaler['spec']>> = {}): V2HorizontalPodAutoscaler => ({
  metadata: { name: 'web', namespace: 'default', generation: 1 },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    ...spec,
  },
});
const pod = (name: string): V1Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }] },
  status: {
    phase: 'Running',
    startTime: new Date(NOW - 3_600_000),
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(NOW - 3_500_000) }],
  },
});
const usage = (name: string, cpu: string): PodMetrics => ({
  metadata: { name },
  timestamp: new Date(NOW - 5000).toISOString(),
  window: '30s',
  containers: [{ name: 'c', usage: { cpu } }],
});
const input = (over: Partial<HpaInput>): HpaInput => ({
  hpa: hpa(),
  scale: { replicas: 2 },
  pods: [pod('a'), pod('b')],
  metrics: [usage('a', '100m'), usage('b', '100m')],
  recommendations: [],
  scaleEvents: [],
  now: NOW,
  ...over,
});

describe('reconcileHpa', () => {
  it('scales a busy target up, records the metric and says why', () => {
    const plan = reconcileHpa(input({}));
    expect(plan.rescale).toBe(4);
    expect(plan.recommendation).toBe(4);
    expect(plan.status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 4,
      currentMetrics: [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '100m' } } },
      ],
    });
    expect(plan.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['AbleToScale', 'True', 'SucceededRescale'],
      ['ScalingActive', 'True', 'ValidMetricFound'],
      ['ScalingLimited', 'False', 'DesiredWithinRange'],
    ]);
    expect(plan.events).toEqual([
      {
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      },
    ]);
  });

  it('brings an out-of-bounds scale within min and max before looking at metrics', () => {
    expect(reconcileHpa(input({ scale: { replicas: 9 }, metrics: { error: 'down' } })).rescale).toBe(5);
    expect(reconcileHpa(input({ hpa: hpa({ minReplicas: 3 }), metrics: { error: 'down' } })).rescale).toBe(3);
  });

  it('leaves a target scaled to zero alone (autoscaling disabled)', () => {
    const plan = reconcileHpa(input({ scale: { replicas: 0 } }));
    expect(plan.rescale).toBeUndefined();
    expect(plan.status.conditions?.find((c) => c.type === 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'ScalingDisabled',
    });
  });

  it('reports a missing target or missing metrics as conditions and Warning events, without scaling', () => {
    const lost = reconcileHpa(input({ scale: { error: 'Deployment/web not found' } }));
    expect(lost.rescale).toBeUndefined();
    expect(lost.status.conditions?.[0]).toMatchObject({
      type: 'AbleToScale',
      status: 'False',
      reason: 'FailedGetScale',
    });
    const blind = reconcileHpa(input({ metrics: { error: 'the server is currently unable to handle the request' } }));
    expect(blind.rescale).toBeUndefined();
    expect(blind.events[0]).toMatchObject({ type: 'Warning', reason: 'FailedGetResourceMetric' });
  });

  it('scales down only after the stabilization window and keeps lastTransitionTime of unchanged conditions', () => {
    const idle = [usage('a', '10m'), usage('b', '10m')];
    const held = reconcileHpa(
      input({
        scale: { replicas: 4 },
        pods: [pod('a'), pod('b')],
        metrics: idle,
        recommendations: [{ atMs: NOW - 60_000, replicas: 4 }],
      }),
    );
    expect(held.rescale).toBeUndefined();
    expect(held.recommendation).toBe(1);
    const free = reconcileHpa(
      input({
        hpa: hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } }),
        scale: { replicas: 4 },
        metrics: idle,
        recommendations: [{ atMs: NOW - 60_000, replicas: 4 }],
      }),
    );
    expect(free.rescale).toBe(1);
  });

  it('parses the metrics API window', () => {
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('1m0.5s')).toBe(60_500);
  });
});
