import { describe, expect, it } from 'vitest';
import { resolveFenceposts, scaledValue } from './rolling.js';

describe('rolling-update arithmetic', () => {
  it('defaults to 25% surge rounded up and 25% unavailable rounded down', () => {
    expect(resolveFenceposts(undefined, undefined, 3)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts(undefined, undefined, 4)).toEqual({ surge: 1, unavailable: 1 });
    expect(resolveFenceposts(undefined, undefined, 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(undefined, undefined, 1)).toEqual({ surge: 1, unavailable: 0 });
  });

  it('makes maxUnavailable 1 when both resolve to 0', () => {
    expect(resolveFenceposts(0, 0, 5)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts('0%', '10%', 3)).toEqual({ surge: 0, unavailable: 1 });
  });

  it('takes integers and percentages', () => {
    expect(resolveFenceposts(2, '50%', 5)).toEqual({ surge: 2, unavailable: 2 });
    expect(scaledValue('33%', '25%', 10, true)).toBe(4);
    expect(scaledValue('33%', '25%', 10, false)).toBe(3);
    expect(() => scaledValue('x', '25%', 10, true)).toThrow(/percentage/);
  });
});
