import { describe, expect, it } from 'vitest';
import type { ArchiveMeta } from './archive.js';
import { expiredArchives } from './retention.js';

const meta = (taskRun: string, pipelineRun: string | undefined, created: string, pipeline?: string): ArchiveMeta => ({
  namespace: 'ci',
  taskRun,
  created,
  steps: [],
  ...(pipelineRun ? { pipelineRun } : {}),
  ...(pipeline ? { pipeline } : {}),
});

describe('log retention', () => {
  const now = new Date('2026-12-10T00:00:00Z');
  const metas = [
    meta('r1-build', 'r1', '2026-12-01T00:00:00Z', 'ci'),
    meta('r1-test', 'r1', '2026-12-01T00:01:00Z', 'ci'),
    meta('r2-build', 'r2', '2026-12-08T00:00:00Z', 'ci'),
    meta('r3-build', 'r3', '2026-12-09T00:00:00Z', 'ci'),
    meta('other-build', 'o1', '2026-12-01T00:00:00Z', 'other'),
    meta('lone', undefined, '2026-11-01T00:00:00Z'),
  ];

  it('keeps the newest runs of each pipeline, dropping a run with all its TaskRuns', () => {
    const expired = expiredArchives(metas, () => ({ keepRuns: 2, maxAgeMs: 365 * 86_400_000 }), now);
    expect(expired.map((m) => m.taskRun).sort()).toEqual(['r1-build', 'r1-test']);
  });

  it('drops runs older than the age limit, per pipeline policy', () => {
    const expired = expiredArchives(
      metas,
      (_ns, p) =>
        p === 'ci' ? { keepRuns: 10, maxAgeMs: 5 * 86_400_000 } : { keepRuns: 10, maxAgeMs: 30 * 86_400_000 },
      now,
    );
    expect(expired.map((m) => m.taskRun).sort()).toEqual(['lone', 'r1-build', 'r1-test']);
  });
});
