// Cell formatting shared by the printers: kubectl's human durations, label and selector strings,
// and forgiving accessors for reading fields out of untyped JSON objects. Pure functions; the
// clock is always passed in.

import { isRecord } from '@wharf/api';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * apimachinery's duration.HumanDuration: about two significant figures ("45s", "2m3s", "10m",
 * "3h5m", "5d", "2y100d"). A clock skew of up to 2 s reads as "0s"; more is "<invalid>".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${years}y`;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when absent or unparseable. */
export function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** The printers' translateTimestampSince: the age of a timestamp, "<unknown>" when missing. */
export function since(ts: unknown, now: Date): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

// ---- untyped field access ----

/** Follows a path of keys through nested objects; undefined as soon as a step is missing. */
export function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

export function str(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

export function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function rec(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** A Quantity or IntOrString as the API prints it (JSON carries either a string or a number). */
export function scalarString(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return fallback;
}

// ---- labels and selectors ----

/** labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  const entries = Object.entries(rec(labels))
    .map(([k, v]) => `${k}=${scalarString(v)}`)
    .sort();
  return entries.length === 0 ? '<none>' : entries.join(',');
}

/**
 * metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key; "" for a nil or empty
 * selector, "<invalid>" for an unknown operator.
 */
export function selectorString(selector: unknown): string {
  if (!isRecord(selector)) return '';
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(rec(selector.matchLabels))) {
    reqs.push({ key, text: `${key}=${scalarString(value)}` });
  }
  for (const expr of arr(selector.matchExpressions)) {
    const key = str(get(expr, 'key'));
    const values = arr(get(expr, 'values'))
      .map((v) => scalarString(v))
      .sort();
    switch (get(expr, 'operator')) {
      case 'In':
        reqs.push({ key, text: `${key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        reqs.push({ key, text: `${key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return '<invalid>';
    }
  }
  // Stable sort by key, as the selector sorts its requirements.
  return reqs
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i))
    .map((r) => r.text)
    .join(',');
}

/** metav1.FormatLabelSelector: like selectorString but "<none>" when it selects by nothing. */
export function formatLabelSelector(selector: unknown): string {
  const s = selectorString(selector);
  return s === '' ? '<none>' : s;
}

// ---- lists ----

/** "a,b,c + 2 more..." once more than `max` entries are present; "<unset>" when empty. */
export function listWithMore(items: readonly string[], max = 3, emptyText = '<unset>'): string {
  if (items.length === 0) return emptyText;
  const shown = items.slice(0, max).join(',');
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}

/** Container names and images of a pod spec, each joined with ",". */
export function containerCells(podSpec: unknown): [names: string, images: string] {
  const containers = arr(get(podSpec, 'containers'));
  return [containers.map((c) => str(get(c, 'name'))).join(','), containers.map((c) => str(get(c, 'image'))).join(',')];
}

/** Unique, sorted load-balancer ingress points (IP, else hostname), as sets.String.List() gives. */
export function loadBalancerIngress(status: unknown): string {
  const points = new Set<string>();
  for (const ing of arr(get(status, 'ingress'))) {
    const point = str(get(ing, 'ip')) || str(get(ing, 'hostname'));
    if (point !== '') points.add(point);
  }
  return [...points].sort().join(',');
}
