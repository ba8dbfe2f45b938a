// Standard five-field cron schedules (and @descriptors), checked the way the CronJob validator's
// cron parser reports them: "expected exactly 5 fields, found 1: [foo]".

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Bounds {
  min: number;
  max: number;
  names?: readonly string[];
  nameBase?: number;
}

const FIELDS: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { min: 0, max: 6, names: DAYS, nameBase: 0 },
];

/** The parser's error for a bad schedule, or undefined when the schedule parses. */
export function cronScheduleError(schedule: string): string | undefined {
  let spec = schedule.trim();
  if (/^(CRON_)?TZ=/.test(spec)) {
    const space = spec.indexOf(' ');
    if (space < 0) return `provided bad location ${spec.slice(spec.indexOf('=') + 1)}: unknown time zone`;
    spec = spec.slice(space + 1).trim();
  }
  if (spec.startsWith('@')) {
    if (DESCRIPTORS.has(spec)) return undefined;
    if (spec.startsWith('@every '))
      return /^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(spec) ? undefined : `failed to parse duration ${spec}`;
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (let i = 0; i < 5; i++) {
    const err = fieldError(fields[i] ?? '', FIELDS[i] ?? { min: 0, max: 0 });
    if (err) return err;
  }
  return undefined;
}

function fieldError(field: string, b: Bounds): string | undefined {
  for (const expr of field.split(',')) {
    const [range = '', step, extra] = expr.split('/');
    if (extra !== undefined) return `too many slashes: ${expr}`;
    let lo = b.min;
    let hi = b.max;
    if (range !== '*' && range !== '?') {
      const [a = '', z, more] = range.split('-');
      if (more !== undefined) return `too many hyphens: ${expr}`;
      const start = value(a, b);
      if (typeof start === 'string') return start;
      lo = start;
      hi = start;
      if (z !== undefined) {
        const end = value(z, b);
        if (typeof end === 'string') return end;
        hi = end;
      } else if (step !== undefined) hi = b.max;
    }
    if (step !== undefined) {
      const n = /^\d+$/.test(step) ? Number(step) : NaN;
      if (Number.isNaN(n))
        return `failed to parse int from ${step}: strconv.Atoi: parsing ${JSON.stringify(step)}: invalid syntax`;
      if (n === 0) return `step of range should be a positive number: ${expr}`;
    }
    if (lo < b.min) return `beginning of range (${lo}) below minimum (${b.min}): ${expr}`;
    if (hi > b.max) return `end of range (${hi}) above maximum (${b.max}): ${expr}`;
    if (lo > hi) return `beginning of range (${lo}) beyond end of range (${hi}): ${expr}`;
  }
  return undefined;
}

function value(s: string, b: Bounds): number | string {
  const named = b.names?.indexOf(s.toLowerCase()) ?? -1;
  if (named >= 0) return named + (b.nameBase ?? 0);
  if (!/^\d+$/.test(s))
    return `failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  return Number(s);
}
