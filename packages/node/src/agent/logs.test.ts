import { describe, expect, it } from 'vitest';
import type { CriLogLine } from '../runtime/cri-log.js';
import { formatRecords, parseLogQuery, selectRecords } from './logs.js';

const rec = (time: string, content: string, partial = false): CriLogLine => ({
  time,
  stream: 'stdout',
  partial,
  content,
});

describe('container log selection', () => {
  const records = [
    rec('2025-01-01T00:00:00.000000001Z', 'a'),
    rec('2025-01-01T00:00:05.000000000Z', 'b', true),
    rec('2025-01-01T00:00:05.000000000Z', 'c'),
  ];
  it('joins partial lines and prefixes timestamps', () => {
    expect(formatRecords(records, false)).toBe('a\nbc\n');
    expect(formatRecords(records.slice(0, 1), true)).toBe('2025-01-01T00:00:00.000000001Z a\n');
  });
  it('applies since and tail', () => {
    expect(selectRecords(records, Date.parse('2025-01-01T00:00:01Z'), undefined).map((r) => r.content)).toEqual([
      'b',
      'c',
    ]);
    expect(selectRecords(records, undefined, 1).map((r) => r.content)).toEqual(['c']);
    expect(selectRecords(records, undefined, 0)).toEqual([]);
  });
  it('parses the query and names a bad parameter', () => {
    expect(parseLogQuery(new URLSearchParams('follow=true&tailLines=3'))).toEqual({
      follow: true,
      previous: false,
      timestamps: false,
      tailLines: 3,
    });
    expect(parseLogQuery(new URLSearchParams('tailLines=-1'))).toMatch(/^tailLines must be/);
  });
});
