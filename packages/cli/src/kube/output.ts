// How the CLI prints: tables aligned as kubectl aligns them, objects as JSON or YAML for `-o`,
// and ages as kubectl shows them (45s, 3m, 2h, 5d).
import { stringify } from 'yaml';

export type OutputFormat = 'json' | 'yaml';

/** The `-o` value, checked: json or yaml (undefined: the human table). */
export function outputFormat(o: string | undefined): OutputFormat | undefined {
  if (o === undefined || o === '' || o === 'table') return undefined;
  if (o === 'json' || o === 'yaml') return o;
  throw new Error(`-o ${o}: unknown output format; use json or yaml`);
}

/** Rows as columns separated by three spaces, the last column not padded. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return (
    all
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
          .join('   ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function renderObject(o: unknown, format: OutputFormat): string {
  return format === 'json' ? `${JSON.stringify(o, null, 2)}\n` : stringify(o);
}

/** A kubectl-style age of an RFC 3339 time. */
export function age(time: string | Date | undefined, now: number): string {
  const t = time ? new Date(time).getTime() : NaN;
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
