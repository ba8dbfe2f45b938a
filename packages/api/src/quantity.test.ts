import { describe, expect, it } from 'vitest';
import { bytes, InvalidQuantityError, milliCpu, parseQuantity, quantityValue } from './quantity.js';

describe('quantities', () => {
  it('parses binary and decimal suffixes, milli and exponents', () => {
    expect(bytes('128Mi')).toBe(128 * 1024 * 1024);
    expect(bytes('1G')).toBe(1e9);
    expect(milliCpu('250m')).toBe(250);
    expect(milliCpu('0.5')).toBe(500);
    expect(milliCpu(2)).toBe(2000);
    expect(parseQuantity('1e3')).toBe(1000);
  });
  it('names the field of a bad value', () => {
    expect(() => bytes('12 apples', 'resources.limits.memory')).toThrow(InvalidQuantityError);
    expect(() => bytes('12x', 'resources.limits.memory')).toThrow("'resources.limits.memory'");
  });
});

describe('quantityValue', () => {
  it('answers undefined instead of throwing, for validation', () => {
    expect(quantityValue('1Ki')).toBe(1024);
    expect(quantityValue('5n')).toBeCloseTo(5e-9);
    expect(quantityValue('1E')).toBe(1e18);
    expect(quantityValue('2e-3')).toBeCloseTo(0.002);
    expect(quantityValue('1.5.2')).toBeUndefined();
    expect(quantityValue({})).toBeUndefined();
    expect(parseQuantity(undefined)).toBe(0);
  });
});
