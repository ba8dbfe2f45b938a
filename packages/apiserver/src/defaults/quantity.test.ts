import { describe, expect, it } from 'vitest';
import { canonicalQuantity } from './quantity.js';

describe('canonicalQuantity', () => {
  it.each([
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['1000m', '1'],
    ['100m', '100m'],
    ['2', '2'],
    ['1500', '1500'],
    ['3000', '3k'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Ki', '512'],
    ['1Gi', '1Gi'],
    ['128974848', '128974848'],
    ['129e6', '129e6'],
    ['1e3', '1e3'],
    ['1000e0', '1e3'],
    ['123Mi', '123Mi'],
    ['0', '0'],
    ['0Gi', '0'],
    ['-1.5', '-1500m'],
    ['+2', '2'],
    ['0.0000000001', '1n'],
  ])('%s reads back as %s', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  it('accepts JSON numbers as YAML turns `cpu: 0.5` into them', () => {
    expect(canonicalQuantity(0.5)).toBe('500m');
    expect(canonicalQuantity(2)).toBe('2');
  });

  it('rounds resource-list values up to milli precision', () => {
    expect(canonicalQuantity('100u', true)).toBe('1m');
    expect(canonicalQuantity('0.0001', true)).toBe('1m');
    expect(canonicalQuantity('1500u', true)).toBe('2m');
    expect(canonicalQuantity('250m', true)).toBe('250m');
  });

  it('leaves values that are not quantities alone for validation to report', () => {
    expect(canonicalQuantity('lots')).toBe('lots');
    expect(canonicalQuantity('1.2.3')).toBe('1.2.3');
    expect(canonicalQuantity('5Xi')).toBe('5Xi');
    expect(canonicalQuantity(true)).toBe(true);
  });
});
