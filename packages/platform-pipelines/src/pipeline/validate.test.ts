import { describe, expect, it } from 'vitest';
import { validateTaskSpec } from '../task/validate.js';
import type { PipelineSpec } from '../types.js';
import { validatePipelineSpec } from './validate.js';

const step = { name: 's', image: 'busybox:1', script: 'true' };

describe('Task validation', () => {
  it('accepts a Task whose references are all declared', () => {
    expect(
      validateTaskSpec({
        params: [{ name: 'p' }],
        results: [{ name: 'r' }],
        workspaces: [{ name: 'w' }],
        steps: [{ ...step, script: 'echo $(params.p) > $(results.r.path); ls $(workspaces.w.path); echo $(date)' }],
      }),
    ).toEqual([]);
  });

  it('names each problem by field path', () => {
    const errors = validateTaskSpec({
      steps: [
        { name: 'a', image: '', script: 'x', command: ['y'] },
        { name: 'a', image: 'i', args: ['$(params.nope)'] },
      ],
      sidecars: [{}],
    } as never);
    expect(errors).toEqual([
      { path: 'spec.sidecars', message: "sidecars is not supported by Wharf's Tekton subset" },
      { path: 'spec.steps[0].image', message: 'Required value' },
      { path: 'spec.steps[0]', message: 'expected exactly one, got both: command, script' },
      { path: 'spec.steps[1].name', message: 'Duplicate value: "a"' },
      { path: 'spec.steps[1]', message: 'non-existent variable in "$(params.nope)": param "nope" is not declared' },
    ]);
    expect(validateTaskSpec({ steps: [] })).toEqual([
      { path: 'spec.steps', message: 'Required value: a Task needs at least one step' },
    ]);
  });
});

describe('Pipeline validation', () => {
  const base: PipelineSpec = {
    params: [{ name: 'rev' }],
    workspaces: [{ name: 'src' }],
    tasks: [{ name: 'a', taskSpec: { steps: [step] } }],
  };

  it('accepts a pipeline whose inline tasks use the pipeline params (propagated)', () => {
    expect(
      validatePipelineSpec({
        ...base,
        tasks: [{ name: 'a', taskSpec: { steps: [{ ...step, script: 'echo $(params.rev)' }] } }],
      }),
    ).toEqual([]);
  });

  it('refuses features outside the subset and bad references with field paths', () => {
    const errors = validatePipelineSpec({
      ...base,
      tasks: [
        { name: 'a', taskRef: { name: 't', resolver: 'git' }, matrix: {} },
        {
          name: 'b',
          taskSpec: { steps: [step] },
          params: [{ name: 'x', value: '$(params.nope) $(tasks.zz.results.r)' }],
          workspaces: [{ name: 'w', workspace: 'nope' }],
          when: [{ cel: "'a' == 'a'" }],
        },
      ],
      finally: [{ name: 'f', taskSpec: { steps: [step] }, runAfter: ['a'] }],
    });
    expect(errors.map((e) => e.path)).toEqual([
      'spec.tasks[0].matrix',
      'spec.tasks[0].taskRef.resolver',
      'spec.tasks[1].when[0].cel',
      'spec.tasks[1].params',
      'spec.tasks[1].params',
      'spec.tasks[1].workspaces[0].workspace',
      'spec.finally[0].runAfter',
    ]);
    expect(errors[0]?.message).toBe("matrix is not supported by Wharf's Tekton subset");
  });

  it('refuses duplicate names, neither/both of taskRef and taskSpec, and cycles', () => {
    expect(
      validatePipelineSpec({
        tasks: [{ name: 'a' }, { name: 'a', taskRef: { name: 't' }, taskSpec: { steps: [step] } }],
      }).map((e) => e.message),
    ).toEqual([
      'Duplicate value: "a"',
      'expected exactly one, got neither: taskRef, taskSpec',
      'expected exactly one, got both: taskRef, taskSpec',
    ]);
    expect(
      validatePipelineSpec({
        tasks: [
          { name: 'a', runAfter: ['b'], taskRef: { name: 't' } },
          { name: 'b', runAfter: ['a'], taskRef: { name: 't' } },
        ],
      })[0]?.message,
    ).toContain('cycle detected');
  });
});
