import { describe, expect, it } from 'vitest';
import { criTimestamp, splitCriLines } from '../../helpers/process-shim.mjs';
import { parseCriLogLine } from './cri-log.js';

describe('CRI log format', () => {
  it('formats RFC 3339 timestamps with nanoseconds', () => {
    expect(criTimestamp(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z');
    expect(criTimestamp(1_700_000_000_000_000_007n)).toBe('2023-11-14T22:13:20.000000007Z');
  });
  it('emits full lines and keeps the rest pending', () => {
    const r = splitCriLines('hel', 'lo\nwor', 'stdout', 'T', 100);
    expect(r).toEqual({ out: 'T stdout F hello\n', pending: 'wor' });
    expect(splitCriLines('', '\n\n', 'stderr', 'T', 100).out).toBe('T stderr F \nT stderr F \n');
  });
  it('splits long lines into partial lines', () => {
    const r = splitCriLines('', 'abcdefgh\n', 'stdout', 'T', 3);
    expect(r.out).toBe('T stdout P abc\nT stdout P def\nT stdout F gh\n');
    expect(r.pending).toBe('');
  });
  it('parses lines back', () => {
    expect(parseCriLogLine('2023-11-14T22:13:20.1Z stderr P a b ')).toEqual({
      time: '2023-11-14T22:13:20.1Z',
      stream: 'stderr',
      partial: true,
      content: 'a b ',
    });
    expect(parseCriLogLine('garbage')).toBeUndefined();
  });
  it("reads conmon's lines with the time in UTC as the kubelet prints it", () => {
    expect(parseCriLogLine('2026-12-05T12:30:42.751782232+00:00 stdout F hello')).toEqual({
      time: '2026-12-05T12:30:42.751782232Z',
      stream: 'stdout',
      partial: false,
      content: 'hello',
    });
  });
});
