import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('Go durations', () => {
  it('parses what Tekton timeouts use and refuses the rest', () => {
    expect(parseDuration('1h0m0s')).toBe(3_600_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('0')).toBe(0);
    expect(() => parseDuration('10')).toThrow('"10" is not a duration');
    expect(() => parseDuration('1h junk')).toThrow('is not a duration');
  });

  it('prints as Go does', () => {
    expect(formatDuration(3_600_000)).toBe('1h0m0s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3000)).toBe('3s');
  });
});
