// Completion indexes of Indexed Jobs: the "1,3-5,7" interval form of status.completedIndexes,
// and the index a pod carries.
import type { V1Pod } from '@kubernetes/client-node';

export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (let i = from; i <= to && i < completions; i++) out.add(i);
  }
  return out;
}

export function formatIndexes(set: ReadonlySet<number>): string {
  const sorted = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const from = sorted[i] as number;
    let to = from;
    while (i + 1 < sorted.length && sorted[i + 1] === to + 1) to = sorted[++i] as number;
    parts.push(from === to ? String(from) : `${from}-${to}`);
  }
  return parts.join(',');
}

/** The pod's completion index (annotation, then label), or undefined. */
export function indexOf(pod: V1Pod): number | undefined {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX] ?? pod.metadata?.labels?.[COMPLETION_INDEX];
  return v !== undefined && /^(0|[1-9][0-9]*)$/.test(v) ? Number(v) : undefined;
}
