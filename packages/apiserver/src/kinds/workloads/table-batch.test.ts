import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from '../../tables/table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60_000;

function info(group: string, resource: string): ResourceInfo {
  const found = BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource);
  if (found === undefined) throw new Error(`no resource ${group}/${resource}`);
  return found;
}

function table(
  group: string,
  resource: string,
  obj: Record<string, unknown>,
): { columns: string[]; wide: string[]; cells: unknown[] } {
  const metadata = { name: 'web', creationTimestamp: ago(45 * MIN), ...(obj.metadata as object | undefined) };
  const t = toTable(info(group, resource), [{ ...obj, metadata } as KubeObject], { now: NOW });
  return {
    columns: t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name),
    wide: t.columnDefinitions.filter((c) => c.priority > 0).map((c) => c.name),
    cells: t.rows[0]?.cells ?? [],
  };
}

const template = {
  spec: {
    containers: [
      { name: 'web', image: 'nginx:1.25' },
      { name: 'log', image: 'fluent-bit:3' },
    ],
  },
};

describe('batch/v1', () => {
  const job = (
    status: Record<string, unknown>,
    spec: Record<string, unknown> = { completions: 1, parallelism: 1 },
    metadata = {},
  ): Record<string, unknown> => ({
    metadata,
    spec: { ...spec, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } }, template },
    status,
  });

  it('jobs print STATUS, COMPLETIONS and DURATION', () => {
    const t = table('batch', 'jobs', job({ active: 1, startTime: ago(2 * MIN + 3000) }));
    expect(t.columns).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age']);
    expect(t.cells.slice(0, 5)).toEqual(['web', 'Running', '0/1', '2m3s', '45m']);
    expect(t.cells[7]).toBe('batch.kubernetes.io/controller-uid=abc');
  });

  it('jobs read Complete, Failed, Suspended and Terminating from conditions and metadata', () => {
    const done = table(
      'batch',
      'jobs',
      job({
        succeeded: 1,
        startTime: ago(10 * MIN),
        completionTime: ago(9 * MIN),
        conditions: [{ type: 'Complete', status: 'True' }],
      }),
    );
    expect(done.cells.slice(1, 4)).toEqual(['Complete', '1/1', '60s']);
    expect(table('batch', 'jobs', job({ conditions: [{ type: 'Failed', status: 'True' }] })).cells[1]).toBe('Failed');
    expect(
      table('batch', 'jobs', job({ conditions: [{ type: 'Suspended', status: 'True' }] })).cells.slice(1, 4),
    ).toEqual(['Suspended', '0/1', '']);
    expect(table('batch', 'jobs', job({}, undefined, { deletionTimestamp: ago(0) })).cells[1]).toBe('Terminating');
  });

  it('jobs without completions show parallelism', () => {
    expect(table('batch', 'jobs', job({ succeeded: 2 }, { parallelism: 4 })).cells[2]).toBe('2/1 of 4');
    expect(table('batch', 'jobs', job({ succeeded: 2 }, { completions: 5, parallelism: 2 })).cells[2]).toBe('2/5');
  });

  it('cronjobs print schedule, timezone, suspend, active and last schedule', () => {
    const t = table('batch', 'cronjobs', {
      spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'web-1' }], lastScheduleTime: ago(90_000) },
    });
    expect(t.columns).toEqual(['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']);
    expect(t.cells).toEqual([
      'web',
      '*/5 * * * *',
      '<none>',
      'False',
      1,
      '90s',
      '45m',
      'web,log',
      'nginx:1.25,fluent-bit:3',
      '<none>',
    ]);
    const tz = table('batch', 'cronjobs', {
      spec: { schedule: '0 3 * * *', timeZone: 'Europe/Paris', suspend: true, jobTemplate: { spec: { template } } },
    });
    expect(tz.cells.slice(2, 6)).toEqual(['Europe/Paris', 'True', 0, '<none>']);
  });
});
