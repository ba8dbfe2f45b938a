// Standard cron schedules (5 fields, names, ranges, steps, `?`, and the @hourly-style macros)
// evaluated in an IANA time zone: the next activation after an instant.

/** A schedule that cannot be parsed; the message names the field. */
export class ScheduleError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_INVALID_SCHEDULE';
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly namesFrom?: number;
}
const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

export interface Schedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
  /** Both day fields restricted: a day matches either (cron's OR rule). */
  readonly dayOr: boolean;
  readonly timeZone: string;
}

function value(s: string, f: Field): number {
  const i = f.names?.indexOf(s.toLowerCase()) ?? -1;
  if (i >= 0) return i + (f.namesFrom ?? 0);
  if (!/^\d+$/.test(s)) throw new ScheduleError(`failed to parse int from ${s} in ${f.name}`);
  const n = Number(s);
  if (n < f.min || n > f.max) throw new ScheduleError(`${f.name}: ${n} out of range [${f.min}, ${f.max}]`);
  return n;
}

function parseField(text: string, f: Field): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`${f.name}: invalid step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = f.min;
      hi = f.name === 'day of week' ? 6 : f.max;
      if (stepText === undefined) star = true;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      lo = value(a, f);
      hi = value(b, f);
      if (lo > hi) throw new ScheduleError(`${f.name}: beginning of range (${lo}) beyond end of range (${hi})`);
    } else {
      lo = value(range, f);
      hi = stepText === undefined ? lo : f.max;
    }
    for (let v = lo; v <= hi; v += step) set.add(f.name === 'day of week' && v === 7 ? 0 : v);
  }
  return { set, star };
}

export function parseSchedule(spec: string, timeZone = 'UTC'): Schedule {
  let text = spec.trim();
  if (/^(CRON_)?TZ=/.test(text))
    throw new ScheduleError('CRON_TZ or TZ is not supported in the schedule: use spec.timeZone');
  text = MACROS[text.toLowerCase()] ?? text;
  if (text.startsWith('@')) throw new ScheduleError(`unrecognized descriptor: ${text}`);
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new ScheduleError(`expected exactly 5 fields, found ${parts.length}: ${spec}`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ScheduleError(`unknown time zone ${timeZone}`);
  }
  const [m, h, dom, mon, dow] = parts.map((p, i) => parseField(p, FIELDS[i] as Field)) as [
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
  ];
  return {
    minutes: m.set,
    hours: h.set,
    days: dom.set,
    months: mon.set,
    weekdays: dow.set,
    dayOr: !dom.star && !dow.star,
    timeZone,
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock fields of an instant in a zone. */
function wall(ms: number, tz: string): { y: number; mo: number; d: number; h: number; mi: number } {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const x of f.formatToParts(new Date(ms))) if (x.type !== 'literal') p[x.type] = Number(x.value);
  return { y: p.year ?? 0, mo: p.month ?? 1, d: p.day ?? 1, h: p.hour ?? 0, mi: p.minute ?? 0 };
}

/** The zone's offset (wall minus UTC) at an instant. */
function offsetAt(ms: number, tz: string): number {
  if (tz === 'UTC') return 0;
  const w = wall(ms, tz);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - Math.floor(ms / 60_000) * 60_000;
}

/** The first activation strictly after `after` (ms), or undefined within five years. */
export function nextAfter(s: Schedule, after: number): number | undefined {
  const w0 = wall(after, s.timeZone);
  // Work on wall-clock time held in a UTC Date, then map back to an instant.
  const t = new Date(Date.UTC(w0.y, w0.mo - 1, w0.d, w0.h, w0.mi + 1));
  const limit = t.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() < limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    const domOk = s.days.has(t.getUTCDate());
    const dowOk = s.weekdays.has(t.getUTCDay());
    if (!(s.dayOr ? domOk || dowOk : domOk && dowOk)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    const wallMs = t.getTime();
    const guess = wallMs - offsetAt(wallMs, s.timeZone);
    const instant = wallMs - offsetAt(guess, s.timeZone);
    const back = wall(instant, s.timeZone);
    // A wall time skipped by a DST change does not happen; one repeated happens once.
    if (instant > after && Date.UTC(back.y, back.mo - 1, back.d, back.h, back.mi) === wallMs) return instant;
    t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
  }
  return undefined;
}

/**
 * The most recent activation in (earliest, now], and how many were missed before it, as
 * mostRecentScheduleTime does; long gaps are skipped by the schedule's period.
 */
export function mostRecent(s: Schedule, earliest: number, now: number): { time: number | undefined; missed: number } {
  const t1 = nextAfter(s, earliest);
  if (t1 === undefined || t1 > now) return { time: undefined, missed: 0 };
  const t2 = nextAfter(s, t1);
  if (t2 === undefined || t2 > now) return { time: t1, missed: 1 };
  const period = t2 - t1;
  const missed = Math.floor((now - t1) / period) + 1;
  // Start a little before the estimate and walk forward, which is exact for irregular schedules.
  let last = t1;
  if (missed > 3) {
    const n = nextAfter(s, t1 + (missed - 3) * period - 1);
    if (n !== undefined && n <= now) last = n;
  }
  for (let next = nextAfter(s, last); next !== undefined && next <= now; next = nextAfter(s, next)) last = next;
  return { time: last, missed };
}
