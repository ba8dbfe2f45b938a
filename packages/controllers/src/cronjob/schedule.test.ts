import { describe, expect, it } from 'vitest';
import { mostRecent, nextAfter, parseSchedule, ScheduleError } from './schedule.js';

const t = (s: string): number => Date.parse(s);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('cron schedules', () => {
  it('finds the next activation of standard expressions and macros', () => {
    const from = t('2025-01-01T10:07:30Z');
    expect(iso(nextAfter(parseSchedule('*/15 * * * *'), from))).toBe('2025-01-01T10:15:00.000Z');
    expect(iso(nextAfter(parseSchedule('@hourly'), from))).toBe('2025-01-01T11:00:00.000Z');
    expect(iso(nextAfter(parseSchedule('0 9 * * mon-fri'), from))).toBe('2025-01-02T09:00:00.000Z');
    expect(iso(nextAfter(parseSchedule('30 2 1 jan,jul *'), from))).toBe('2025-07-01T02:30:00.000Z');
    // Day of month OR day of week when both are restricted.
    expect(iso(nextAfter(parseSchedule('0 0 13 * 5'), from))).toBe('2025-01-03T00:00:00.000Z');
    expect(iso(nextAfter(parseSchedule('0 0 29 2 *'), from))).toBe('2028-02-29T00:00:00.000Z');
  });

  it('evaluates in spec.timeZone, across a DST change', () => {
    const ny = parseSchedule('0 9 * * *', 'America/New_York');
    expect(iso(nextAfter(ny, t('2025-01-01T00:00:00Z')))).toBe('2025-01-01T14:00:00.000Z');
    expect(iso(nextAfter(ny, t('2025-07-01T00:00:00Z')))).toBe('2025-07-01T13:00:00.000Z');
    // 02:30 does not exist on 2025-03-09 in New York: that day is skipped.
    expect(iso(nextAfter(parseSchedule('30 2 * * *', 'America/New_York'), t('2025-03-08T12:00:00Z')))).toBe(
      '2025-03-10T06:30:00.000Z',
    );
  });

  it('rejects bad schedules naming the field, and TZ prefixes', () => {
    expect(() => parseSchedule('61 * * * *')).toThrow(/minute: 61 out of range/);
    expect(() => parseSchedule('* * *')).toThrow(/expected exactly 5 fields/);
    expect(() => parseSchedule('CRON_TZ=UTC * * * * *')).toThrow(ScheduleError);
    expect(() => parseSchedule('* * * * *', 'Mars/Olympus')).toThrow(/unknown time zone/);
  });

  it('finds the most recent missed activation and counts the misses, even over long gaps', () => {
    const every = parseSchedule('* * * * *');
    expect(mostRecent(every, t('2025-01-01T00:00:00Z'), t('2025-01-01T00:00:30Z'))).toEqual({
      time: undefined,
      missed: 0,
    });
    expect(mostRecent(every, t('2025-01-01T00:00:00Z'), t('2025-01-01T00:03:10Z'))).toEqual({
      time: t('2025-01-01T00:03:00Z'),
      missed: 3,
    });
    const r = mostRecent(every, t('2020-01-01T00:00:00Z'), t('2025-01-01T00:00:10Z'));
    expect(iso(r.time)).toBe('2025-01-01T00:00:00.000Z');
    expect(r.missed).toBeGreaterThan(100);
    const weekdays = mostRecent(parseSchedule('0 1 * * 1,3,5'), t('2024-01-01T00:00:00Z'), t('2025-01-01T00:00:00Z'));
    expect(iso(weekdays.time)).toBe('2024-12-30T01:00:00.000Z');
  });
});
