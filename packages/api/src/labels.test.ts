import { describe, expect, it } from 'vitest';
import { isEmptySelector, matchesNodeRequirement, matchesSelector, selectorString } from './labels.js';

describe('label selectors', () => {
  it('matches matchLabels and every expression operator', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };
    expect(matchesSelector(sel, { app: 'web', tier: 'a' })).toBe(true);
    expect(matchesSelector(sel, { app: 'web', tier: 'c' })).toBe(false);
    expect(matchesSelector(sel, { app: 'web', tier: 'a', legacy: '' })).toBe(false);
    expect(selectorString(sel)).toBe('app=web,tier in (a,b),!legacy');
  });

  it('an empty selector matches everything, a missing or malformed one nothing', () => {
    expect(matchesSelector({}, undefined)).toBe(true);
    expect(matchesSelector(undefined, { a: 'b' })).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'a', operator: 'Near' }] }, { a: 'b' })).toBe(false);
    expect(matchesSelector({ matchLabels: 'app' } as never, {})).toBe(false);
    expect(isEmptySelector({})).toBe(true);
    expect(isEmptySelector(undefined)).toBe(false);
    expect(isEmptySelector('x')).toBe(true);
  });

  it('compares Gt and Lt node requirements as integers', () => {
    expect(matchesNodeRequirement({ key: 'cpus', operator: 'Gt', values: ['4'] }, { cpus: '16' })).toBe(true);
    expect(matchesNodeRequirement({ key: 'cpus', operator: 'Lt', values: ['4'] }, { cpus: 'x' })).toBe(false);
  });
});
