import { describe, expect, it } from 'vitest';
import type { PipelineTask } from '../types.js';
import { parentsOf, resultRefs, validateGraph } from './dag.js';

const t = (name: string, extra: Partial<PipelineTask> = {}): PipelineTask => ({
  name,
  taskRef: { name: 'x' },
  ...extra,
});

describe('the pipeline DAG', () => {
  it('orders a task after its runAfter and the tasks whose results it uses', () => {
    const tasks = [
      t('clone'),
      t('build', { runAfter: ['clone'] }),
      t('deploy', {
        params: [{ name: 'd', value: '$(tasks.build.results.digest)' }],
        when: [{ input: '$(tasks.clone.results.commit)', operator: 'in', values: ['x'] }],
      }),
    ];
    expect(resultRefs(tasks[2]!)).toEqual([
      { task: 'build', result: 'digest' },
      { task: 'clone', result: 'commit' },
    ]);
    expect(parentsOf(tasks).get('deploy')).toEqual(new Set(['build', 'clone']));
    expect(validateGraph(tasks)).toEqual([]);
  });

  it('names an unknown runAfter and a task running after itself by field path', () => {
    expect(validateGraph([t('a', { runAfter: ['nope'] })])).toEqual([
      { path: 'spec.tasks[0].runAfter[0]', message: 'invalid value: task "nope" is not defined in the pipeline' },
    ]);
    expect(validateGraph([t('a', { runAfter: ['a'] })])[0]?.message).toContain('cannot run after itself');
  });

  it('finds a cycle through runAfter and result references', () => {
    const errors = validateGraph([
      t('a', { runAfter: ['c'] }),
      t('b', { runAfter: ['a'] }),
      t('c', { params: [{ name: 'p', value: '$(tasks.b.results.r)' }] }),
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toMatch(/^spec\.tasks\[\d\]\.runAfter$/);
    expect(errors[0]?.message).toMatch(/cycle detected; task "(a|b|c)" depends on itself through/);
  });
});
