// The Prometheus text exposition format (version 0.0.4) as the Go client writes it, which is what
// the kubelet serves: families sorted by name, HELP and TYPE lines, labels sorted by name with
// escaped values, floats in Go's shortest %g form, optional millisecond timestamps.

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch. @default none */
  readonly timestampMs?: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

/** A float as Go's strconv.FormatFloat(f, 'g', -1, 64), with the client's spellings of ±Inf and NaN. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // toExponential() gives the shortest digits that round-trip, as Go's shortest mode.
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(v.toExponential());
  if (!m) return String(v);
  const [, sign, first, rest = '', expText] = m;
  const digits = `${first}${rest}`;
  const exp = Number(expText);
  // Go's shortest %g switches to %e below 1e-4 and from 1e6 on, with an exponent of 2+ digits.
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp);
    return `${sign}${first}${rest ? `.${rest}` : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Label values escape backslash, double quote and newline. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and newline. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The exposition text of the families that have samples (empty families are left out, as the Go client does). */
export function renderExposition(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of [...families].sort((a, b) => compare(a.name, b.name))) {
    if (f.samples.length === 0) continue;
    if (!NAME.test(f.name)) throw new Error(`invalid metric name "${f.name}"`);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const lines = f.samples.map((s) => ({ key: labelKey(s.labels), s }));
    lines.sort((a, b) => compare(a.key, b.key));
    for (const { s } of lines) {
      const labels = renderLabels(f.name, s.labels);
      out.push(
        `${f.name}${labels} ${formatValue(s.value)}${s.timestampMs === undefined ? '' : ` ${Math.round(s.timestampMs)}`}`,
      );
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function renderLabels(metric: string, labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort(compare);
  if (names.length === 0) return '';
  for (const n of names)
    if (!LABEL.test(n) || n.startsWith('__')) throw new Error(`invalid label name "${n}" on ${metric}`);
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n] ?? '')}"`).join(',')}}`;
}

/** Series order: label values in label-name order, as the Go client sorts a family's metrics. */
function labelKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort(compare)
    .map((n) => labels[n] ?? '')
    .join('\u0000');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
