import { describe, expect, it } from 'vitest';
import { aligned } from './aligned.js';

describe('aligned', () => {
  it('puts series on the union of their timestamps, with gaps where one has no sample', () => {
    const a = {
      metric: { node: 'a' },
      values: [
        [10, '1'],
        [25, '2'],
      ] as [number, string][],
    };
    const b = {
      metric: { node: 'b' },
      values: [
        [10, '0.5'],
        [40, '3'],
      ] as [number, string][],
    };
    expect(aligned([a, b])).toEqual([
      [10, 25, 40],
      [1, 2, null],
      [0.5, null, 3],
    ]);
  });
  it('is empty for no series', () => {
    expect(aligned([])).toEqual([[]]);
  });
});
