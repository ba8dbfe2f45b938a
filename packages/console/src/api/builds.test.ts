import { describe, expect, it } from 'vitest';
import { duration, isDone, outcome, pipelineOf, rerunOf, stepState, taskColumns, type PipelineRun } from './builds.js';

const run = (
  conditions: { type: string; status: string; reason?: string }[],
  labels: Record<string, string> = {},
): PipelineRun => ({ metadata: { name: 'b', labels }, spec: {}, status: { conditions } });

describe("the Builds page's reading of PipelineRuns", () => {
  it("says Tekton's reason, Pending before any condition, and done only once Succeeded is True or False", () => {
    expect(outcome(run([]))).toBe('Pending');
    expect(outcome(run([{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }]))).toBe('Running');
    expect(isDone(run([{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }]))).toBe(false);
    expect(isDone(run([{ type: 'Succeeded', status: 'False', reason: 'Cancelled' }]))).toBe(true);
  });
  it('names the pipeline from pipelineRef, the tekton label, or inline', () => {
    expect(pipelineOf({ ...run([]), spec: { pipelineRef: { name: 'ci' } } })).toBe('ci');
    expect(pipelineOf(run([], { 'tekton.dev/pipeline': 'web' }))).toBe('web');
    expect(pipelineOf(run([]))).toBe('(inline)');
  });
  it('states steps and durations as `wharf build get` does', () => {
    expect(stepState({ name: 's', terminated: { exitCode: 0 } })).toBe('Completed');
    expect(stepState({ name: 's', terminated: { exitCode: 2, reason: 'Error' } })).toBe('Error (exit 2)');
    expect(stepState({ name: 's', running: {} })).toBe('Running');
    expect(stepState({ name: 's', waiting: { reason: 'PodInitializing' } })).toBe('PodInitializing');
    expect(duration('2026-01-01T00:00:00Z', '2026-01-01T00:01:05Z', 0)).toBe('1m05s');
    expect(duration(undefined, undefined, 0)).toBe('-');
  });
});

describe("a build's rerun and task graph", () => {
  const inline: PipelineRun = {
    metadata: {
      name: 'ci-7',
      namespace: 'default',
      labels: { 'tekton.dev/pipeline': 'ci', team: 'a' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'platform.wharf.dev/commit': 'abc' },
    },
    spec: {
      status: 'Cancelled',
      pipelineSpec: {
        tasks: [
          { name: 'clone' },
          { name: 'test', runAfter: ['clone'] },
          { name: 'lint', runAfter: ['clone'] },
          { name: 'pack', params: [{ name: 'tag', value: '$(tasks.test.results.version)' }], runAfter: ['lint'] },
        ],
        finally: [{ name: 'notify' }],
      },
    },
  };
  it('reruns with the same spec (not its cancel), the user labels and a trigger naming the run', () => {
    const r = rerunOf(inline);
    expect(r.metadata).toMatchObject({
      generateName: 'ci-7-',
      namespace: 'default',
      labels: { team: 'a' },
      annotations: { 'platform.wharf.dev/commit': 'abc', 'platform.wharf.dev/trigger': 'rerun of ci-7' },
    });
    expect(r.metadata.labels).not.toHaveProperty('tekton.dev/pipeline');
    expect(r.metadata.annotations).not.toHaveProperty('kubectl.kubernetes.io/last-applied-configuration');
    expect(r.spec.status).toBeUndefined();
    expect(r.spec.pipelineSpec).toBe(inline.spec.pipelineSpec);
  });
  it('lays tasks out in columns by what they wait for, results read included, finally last', () => {
    expect(taskColumns(inline).map((c) => c.map((t) => t.name))).toEqual([
      ['clone'],
      ['test', 'lint'],
      ['pack'],
      ['notify'],
    ]);
    expect(taskColumns(inline)[2]?.[0]?.after).toEqual(['lint', 'test']);
  });
});
