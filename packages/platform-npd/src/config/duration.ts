// Go durations as node-problem-detector's configs write them ("5m", "30s", "1h30m", "500ms").
import { ConfigError } from './errors.js';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration string; `field` names it in the error. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value !== 'string' || value === '')
    throw new ConfigError(`${field}: want a duration such as "30s" or "5m", got ${JSON.stringify(value)}`);
  if (value === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < value.length) {
    re.lastIndex = at;
    const m = re.exec(value);
    if (!m) throw new ConfigError(`${field}: ${JSON.stringify(value)} is not a duration (e.g. "30s", "5m", "1h30m")`);
    total += Number(m[1]) * (UNITS[m[2] as string] ?? 0);
    at = re.lastIndex;
  }
  return total;
}
