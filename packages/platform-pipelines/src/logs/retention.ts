// Which archived runs to drop: per pipeline (or per Task for TaskRuns outside pipelines), all but
// the newest `keepRuns` runs, and any run older than `maxAgeMs`. A Pipeline's annotations
// override the defaults for its runs.
import type { ArchiveMeta } from './archive.js';

export interface RetentionPolicy {
  /** Runs kept per pipeline. @default 20 */
  readonly keepRuns: number;
  /** Runs older than this are dropped. @default 30 days */
  readonly maxAgeMs: number;
}

export const RETENTION_ANNOTATIONS = {
  keepRuns: 'pipelines.wharf.dev/log-retention-runs',
  maxAge: 'pipelines.wharf.dev/log-retention-age',
} as const;

/** The TaskRun archives (namespace/name) to remove. */
export function expiredArchives(
  metas: readonly ArchiveMeta[],
  policyOf: (namespace: string, pipeline: string | undefined) => RetentionPolicy,
  now: Date,
): ArchiveMeta[] {
  const groups = new Map<string, ArchiveMeta[]>();
  for (const m of metas) {
    const owner = m.pipeline ?? m.task ?? m.taskRun;
    const key = `${m.namespace}/${owner}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const out: ArchiveMeta[] = [];
  for (const list of groups.values()) {
    const first = list[0];
    if (!first) continue;
    const policy = policyOf(first.namespace, first.pipeline);
    // Runs: a PipelineRun's TaskRuns go together; a lone TaskRun is its own run.
    const runs = new Map<string, ArchiveMeta[]>();
    for (const m of list) {
      const run = m.pipelineRun ?? m.taskRun;
      runs.set(run, [...(runs.get(run) ?? []), m]);
    }
    const ordered = [...runs.values()]
      .map((ms) => ({ ms, created: ms.map((m) => m.created).sort()[0] ?? '' }))
      .sort((a, b) => b.created.localeCompare(a.created));
    ordered.forEach((r, i) => {
      const age = now.getTime() - Date.parse(r.created);
      if (i >= policy.keepRuns || age > policy.maxAgeMs) out.push(...r.ms);
    });
  }
  return out;
}
