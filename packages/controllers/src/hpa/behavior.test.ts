import { describe, expect, it } from 'vitest';
import { applyBehavior, stabilize, type Behavior } from './behavior.js';

const NOW = 1_000_000;
const limits = { minReplicas: 1, maxReplicas: 100 };

describe('stabilize (stabilization windows)', () => {
  it('scales down only to the highest recommendation of the last 300 s by default', () => {
    const history = [
      { atMs: NOW - 200_000, replicas: 8 },
      { atMs: NOW - 100_000, replicas: 6 },
    ];
    expect(stabilize(10, 2, history, undefined, NOW)).toBe(8);
    // Older than the window: forgotten.
    expect(stabilize(10, 2, [{ atMs: NOW - 301_000, replicas: 8 }], undefined, NOW)).toBe(2);
  });

  it('scales up at once by default, and only as far as the up window agrees when one is set', () => {
    expect(stabilize(2, 6, [{ atMs: NOW - 5000, replicas: 3 }], undefined, NOW)).toBe(6);
    const behavior: Behavior = { scaleUp: { stabilizationWindowSeconds: 60 } };
    expect(stabilize(2, 6, [{ atMs: NOW - 5000, replicas: 3 }], behavior, NOW)).toBe(3);
  });
});

describe('applyBehavior (rate policies and bounds)', () => {
  it('grows by at most max(4 pods, 100 %) per 15 s by default', () => {
    expect(applyBehavior(1, 20, [], undefined, limits, NOW)).toEqual({
      replicas: 5,
      limited: {
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      },
    });
    expect(applyBehavior(10, 50, [], undefined, limits, NOW)).toMatchObject({ replicas: 20 });
    // A scale-up of 10 within the period already used the budget: the period starts from 10.
    expect(applyBehavior(20, 50, [{ atMs: NOW - 5000, change: 10 }], undefined, limits, NOW)).toMatchObject({
      replicas: 20,
    });
  });

  it('honours Pods and Percent policies with selectPolicy Min, and Disabled', () => {
    const behavior: Behavior = {
      scaleDown: {
        selectPolicy: 'Min',
        policies: [
          { type: 'Pods', value: 1, periodSeconds: 60 },
          { type: 'Percent', value: 50, periodSeconds: 60 },
        ],
      },
    };
    expect(applyBehavior(10, 2, [], behavior, limits, NOW)).toMatchObject({
      replicas: 9,
      limited: { reason: 'ScaleDownLimit' },
    });
    expect(applyBehavior(10, 2, [], { scaleDown: { selectPolicy: 'Disabled' } }, limits, NOW)).toMatchObject({
      replicas: 10,
      limited: { reason: 'ScaleDownDisabled' },
    });
  });

  it('truncates a percentage when shrinking, as upstream', () => {
    const behavior: Behavior = { scaleDown: { policies: [{ type: 'Percent', value: 50, periodSeconds: 15 }] } };
    expect(applyBehavior(5, 1, [], behavior, limits, NOW)).toMatchObject({ replicas: 2 });
  });

  it('stops at maxReplicas and minReplicas with the reasons kubectl describe shows', () => {
    expect(applyBehavior(2, 9, [], undefined, { minReplicas: 1, maxReplicas: 3 }, NOW)).toMatchObject({
      replicas: 3,
      limited: { reason: 'TooManyReplicas' },
    });
    expect(applyBehavior(4, 1, [], undefined, { minReplicas: 2, maxReplicas: 10 }, NOW)).toMatchObject({
      replicas: 2,
      limited: { reason: 'TooFewReplicas' },
    });
    expect(applyBehavior(4, 4, [], undefined, limits, NOW)).toEqual({ replicas: 4 });
  });
});
