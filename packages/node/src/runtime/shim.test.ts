import { describe, expect, it } from 'vitest';
import { criTimestamp, parseCriLogLine, shimScript, splitCriLines } from './shim.js';

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
    expect(parseCriLogLine('2023-11-14T22:13:20.1Z stderr P a b ')).toEqual({ time: '2023-11-14T22:13:20.1Z', stream: 'stderr', partial: true, content: 'a b ' });
    expect(parseCriLogLine('garbage')).toBeUndefined();
  });
  it('builds a standalone shim module', () => {
    const script = shimScript();
    expect(script).toContain('function shimMain(');
    expect(script).toContain('function criTimestamp(');
    expect(script).not.toMatch(/__vi_|import\.meta/);
  });
});
