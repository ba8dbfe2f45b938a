// Reads the samples of a Prometheus text exposition (what node agents serve at /metrics/resource):
// name, labels with their escapes undone, value and optional millisecond timestamp. Comment and
// malformed lines are skipped.

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs?: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;

export function parsePromText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = m[2] === undefined ? {} : parseLabels(m[2]);
    const value = parseValue(m[3]!);
    if (!labels || value === undefined) continue;
    out.push({ name: m[1]!, labels, value, ...(m[4] === undefined ? {} : { timestampMs: Number(m[4]) }) });
  }
  return out;
}

function parseValue(s: string): number | undefined {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  return s.trim() === '' || Number.isNaN(v) ? undefined : v;
}

/** `a="x",b="y\"z"`; undefined when malformed. */
function parseLabels(s: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(s.slice(i));
    if (!m) return s.slice(i).trim() === '' ? out : undefined;
    i += m[0].length;
    let value = '';
    for (;;) {
      const c = s[i++];
      if (c === undefined) return undefined;
      if (c === '"') break;
      if (c === '\\') {
        const e = s[i++];
        value += e === 'n' ? '\n' : (e ?? '');
      } else value += c;
    }
    out[m[1]!] = value;
    const rest = /^\s*,?/.exec(s.slice(i));
    i += rest?.[0].length ?? 0;
  }
  return out;
}
