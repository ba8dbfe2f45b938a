import { describe, expect, it } from 'vitest';
import { matcherText } from './silences.js';

describe('silence matchers', () => {
  it('prints the four matcher kinds as amtool does', () => {
    expect(matcherText({ name: 'a', value: 'x', isRegex: false, isEqual: true })).toBe('a="x"');
    expect(matcherText({ name: 'a', value: 'x', isRegex: false, isEqual: false })).toBe('a!="x"');
    expect(matcherText({ name: 'a', value: 'x.*', isRegex: true })).toBe('a=~"x.*"');
    expect(matcherText({ name: 'a', value: 'x.*', isRegex: true, isEqual: false })).toBe('a!~"x.*"');
  });
});
