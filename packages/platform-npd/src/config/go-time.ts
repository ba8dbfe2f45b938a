// Timestamps of log lines in the layout node-problem-detector's filelog plugin takes
// (`timestampFormat`, Go's reference time "Mon Jan 2 15:04:05 MST 2006"), turned into a
// regular expression once. Syslog layouts carry no year: the current one is assumed, and last
// year's when that would put the line more than a day in the future.
import { ConfigError } from './errors.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

type Part =
  | 'year'
  | 'year2'
  | 'month'
  | 'monthName'
  | 'day'
  | 'hour'
  | 'hour12'
  | 'minute'
  | 'second'
  | 'fraction'
  | 'ampm'
  | 'zone'
  | 'zoneName'
  | 'weekday';

// Longest tokens first, so "January" wins over "Jan" and "2006" over "2".
const TOKENS: readonly [string, Part, string][] = [
  ['January', 'monthName', '([A-Za-z]+)'],
  ['Monday', 'weekday', '[A-Za-z]+'],
  ['Z07:00', 'zone', '(Z|[+-]\\d\\d:\\d\\d)'],
  ['-07:00', 'zone', '([+-]\\d\\d:\\d\\d)'],
  ['-0700', 'zone', '([+-]\\d{4})'],
  ['2006', 'year', '(\\d{4})'],
  ['Jan', 'monthName', '([A-Za-z]{3})'],
  ['Mon', 'weekday', '[A-Za-z]{3}'],
  ['MST', 'zoneName', '([A-Z]{3,5})'],
  ['.000000000', 'fraction', '\\.(\\d{9})'],
  ['.000000', 'fraction', '\\.(\\d{6})'],
  ['.000', 'fraction', '\\.(\\d{3})'],
  ['.999999999', 'fraction', '(?:\\.(\\d{1,9}))?'],
  ['.999999', 'fraction', '(?:\\.(\\d{1,6}))?'],
  ['.999', 'fraction', '(?:\\.(\\d{1,3}))?'],
  ['_2', 'day', ' ?(\\d{1,2})'],
  ['01', 'month', '(\\d{2})'],
  ['02', 'day', '(\\d{2})'],
  ['15', 'hour', '(\\d{2})'],
  ['03', 'hour12', '(\\d{2})'],
  ['04', 'minute', '(\\d{2})'],
  ['05', 'second', '(\\d{2})'],
  ['06', 'year2', '(\\d{2})'],
  ['PM', 'ampm', '(AM|PM)'],
  ['pm', 'ampm', '(am|pm)'],
  ['1', 'month', '(\\d{1,2})'],
  ['2', 'day', '(\\d{1,2})'],
  ['3', 'hour12', '(\\d{1,2})'],
  ['4', 'minute', '(\\d{1,2})'],
  ['5', 'second', '(\\d{1,2})'],
];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A parser for one Go layout: text → epoch ms, or undefined when the text does not fit. */
export function goTimeParser(layout: string, field: string): (text: string) => number | undefined {
  let pattern = '^';
  const parts: Part[] = [];
  for (let i = 0; i < layout.length;) {
    const tok = TOKENS.find(([t]) => layout.startsWith(t, i));
    if (tok) {
      pattern += tok[2];
      if (tok[1] !== 'weekday') parts.push(tok[1]);
      i += tok[0].length;
    } else {
      pattern += escape(layout[i] as string);
      i += 1;
    }
  }
  if (!parts.includes('day') || !(parts.includes('month') || parts.includes('monthName'))) {
    throw new ConfigError(
      `${field}: layout ${JSON.stringify(layout)} has no month and day (write it with Go's reference time, e.g. "Jan _2 15:04:05")`,
    );
  }
  const re = new RegExp(pattern);
  return (text) => {
    const m = re.exec(text.trim());
    if (!m) return undefined;
    const v: Partial<Record<Part, string>> = {};
    parts.forEach((p, n) => (v[p] = m[n + 1]));
    return toEpoch(v);
  };
}

function toEpoch(v: Partial<Record<Part, string>>): number | undefined {
  const month = v.monthName ? MONTHS.indexOf(v.monthName.slice(0, 3).toLowerCase()) : Number(v.month) - 1;
  if (month < 0) return undefined;
  let hour = Number(v.hour ?? v.hour12 ?? 0);
  if (v.ampm && /pm/i.test(v.ampm) && hour < 12) hour += 12;
  if (v.ampm && /am/i.test(v.ampm) && hour === 12) hour = 0;
  const ms = Number((v.fraction ?? '').padEnd(3, '0').slice(0, 3));
  const fields = [month, Number(v.day), hour, Number(v.minute ?? 0), Number(v.second ?? 0), ms] as const;
  const at = (year: number): number => {
    if (v.zone) {
      const offset =
        v.zone === 'Z'
          ? 0
          : (v.zone[0] === '-' ? -1 : 1) * (Number(v.zone.slice(1, 3)) * 60 + Number(v.zone.slice(-2)));
      return Date.UTC(year, ...fields) - offset * 60_000;
    }
    return v.zoneName === 'UTC' || v.zoneName === 'GMT'
      ? Date.UTC(year, ...fields)
      : new Date(year, ...fields).getTime();
  };
  if (v.year) return at(Number(v.year));
  if (v.year2) return at(2000 + Number(v.year2));
  const thisYear = new Date().getFullYear();
  const t = at(thisYear);
  return t > Date.now() + 86_400_000 ? at(thisYear - 1) : t;
}
