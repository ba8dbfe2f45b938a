import { describe, expect, it } from 'vitest';
import { resourceReplicas, type PodSample } from './replicas.js';

const NOW = 10 * 60_000;
const pod = (name: string, usage: number | undefined, extra: Partial<PodSample> = {}): PodSample => ({
  name,
  ignored: false,
  pending: false,
  ready: true,
  startMs: 0,
  readySinceMs: 1000,
  request: 100,
  ...(usage !== undefined ? { usage: { value: usage, timestampMs: NOW - 1000, windowMs: 30_000 } } : {}),
  ...extra,
});
const cpu50 = { type: 'Utilization', averageUtilization: 50 } as const;

describe('resourceReplicas (upstream replica calculator)', () => {
  it('scales by the ratio of usage to target, rounding up', () => {
    // 2 pods at 100 % of request against a 50 % target: twice the pods.
    expect(resourceReplicas(2, [pod('a', 100), pod('b', 100)], cpu50, true, NOW)).toEqual({
      ok: true,
      replicas: 4,
      utilization: 100,
      averageValue: 100,
    });
    // 3 pods at 20 %: 3 × 0.4 = 1.2 → 2.
    expect(resourceReplicas(3, [pod('a', 20), pod('b', 20), pod('c', 20)], cpu50, true, NOW)).toMatchObject({
      replicas: 2,
      utilization: 20,
    });
  });

  it('keeps the scale within the 10 % tolerance', () => {
    expect(resourceReplicas(2, [pod('a', 54), pod('b', 54)], cpu50, true, NOW)).toMatchObject({
      replicas: 2,
      utilization: 54,
    });
    expect(resourceReplicas(2, [pod('a', 56), pod('b', 56)], cpu50, true, NOW)).toMatchObject({ replicas: 3 });
  });

  it('assumes pods without metrics idle when scaling up and busy when scaling down', () => {
    // One busy pod, one without a sample: counting the missing pod as idle still scales up, but less.
    expect(resourceReplicas(2, [pod('a', 200), pod('b', undefined)], cpu50, true, NOW)).toMatchObject({ replicas: 4 });
    // One idle pod, one missing: the missing pod counts as using all it requests, so no scale-down below 2 × 0.55 → 2.
    expect(resourceReplicas(2, [pod('a', 10), pod('b', undefined)], cpu50, true, NOW)).toMatchObject({ replicas: 2 });
  });

  it('counts starting pods as idle for a CPU scale-up, and ignores deleted or failed pods', () => {
    const starting = pod('s', 300, { ready: false, startMs: NOW - 10_000, readySinceMs: NOW - 10_000 });
    // Without the starting pod the ratio is 2 (1 pod → 2); with it as idle, (100+0)/200 / 0.5 = 1 → stays.
    expect(resourceReplicas(2, [pod('a', 100), starting], cpu50, true, NOW)).toMatchObject({ replicas: 2 });
    expect(resourceReplicas(1, [pod('a', 100), pod('gone', 900, { ignored: true })], cpu50, true, NOW)).toMatchObject({
      replicas: 2,
    });
  });

  it('scales on an average value (memory in bytes) without requests', () => {
    const mem = (n: string, v: number): PodSample => pod(n, v, { request: undefined });
    expect(
      resourceReplicas(2, [mem('a', 300), mem('b', 300)], { type: 'AverageValue', averageValue: 200 }, false, NOW),
    ).toMatchObject({ replicas: 3, averageValue: 300 });
  });

  it('says why it cannot compute: no pods, no ready metrics, a container without a request', () => {
    expect(resourceReplicas(1, [], cpu50, true, NOW)).toMatchObject({ ok: false, reason: 'FailedGetResourceMetric' });
    expect(resourceReplicas(1, [pod('a', undefined)], cpu50, true, NOW)).toMatchObject({
      ok: false,
      message: 'did not receive metrics for any ready pods',
    });
    expect(resourceReplicas(1, [pod('a', 50, { request: undefined })], cpu50, true, NOW)).toMatchObject({
      ok: false,
      message: 'missing request for cpu in pod a',
    });
  });
});
