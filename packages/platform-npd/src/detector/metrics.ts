// node-problem-detector's problem metrics in the Prometheus text format: problem_counter counts
// every problem seen (by reason), problem_gauge is 1 while a condition is True with that reason.
import type { Conditions } from '../problems/conditions.js';

const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class ProblemMetrics {
  private readonly counts = new Map<string, number>();
  /** type → reasons that condition ever had, so a cleared problem reads 0 rather than vanishing. */
  private readonly reasons = new Map<string, Set<string>>();

  count(reason: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  /** Remembers the reasons of conditions that are True now (called on every change, not on scrape). */
  observe(conditions: Conditions): void {
    for (const s of conditions.values()) {
      const seen = this.reasons.get(s.type) ?? new Set<string>();
      if (s.status === 'True') seen.add(s.reason);
      this.reasons.set(s.type, seen);
    }
  }

  render(conditions: Conditions): string {
    const out = [
      '# HELP problem_counter Number of times a specific type of problem have occurred.',
      '# TYPE problem_counter counter',
    ];
    for (const [reason, n] of [...this.counts].sort()) out.push(`problem_counter{reason="${label(reason)}"} ${n}`);
    out.push(
      '# HELP problem_gauge Whether a specific type of problem is affecting the node or not.',
      '# TYPE problem_gauge gauge',
    );
    for (const s of [...conditions.values()].sort((a, b) => a.type.localeCompare(b.type))) {
      for (const r of [...(this.reasons.get(s.type) ?? [])].sort())
        out.push(
          `problem_gauge{type="${label(s.type)}",reason="${label(r)}"} ${s.status === 'True' && s.reason === r ? 1 : 0}`,
        );
    }
    return `${out.join('\n')}\n`;
  }
}
