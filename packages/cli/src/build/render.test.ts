import { describe, expect, it } from 'vitest';
import type { PipelineRun, TaskRun } from '@wharf/platform-pipelines';
import { duration, renderBuild, renderBuildList } from './render.js';

const now = Date.parse('2026-12-01T10:05:00Z');
const run: PipelineRun = {
  metadata: {
    name: 'ci-7',
    namespace: 'shop',
    creationTimestamp: '2026-12-01T10:00:00Z' as never,
    annotations: {
      'platform.wharf.dev/commit': 'abcdef0123',
      'platform.wharf.dev/author': 'Ann <ann@x>',
      'platform.wharf.dev/trigger': 'push',
    },
  },
  spec: { pipelineRef: { name: 'ci' } },
  status: {
    startTime: '2026-12-01T10:00:00Z',
    completionTime: '2026-12-01T10:01:05Z',
    conditions: [
      {
        type: 'Succeeded',
        status: 'False',
        reason: 'Failed',
        message: 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 1',
      },
    ],
    childReferences: [{ apiVersion: 'tekton.dev/v1', kind: 'TaskRun', name: 'ci-7-test', pipelineTaskName: 'test' }],
    skippedTasks: [{ name: 'deploy', reason: 'PipelineRun was stopping' }],
  },
};
const test: TaskRun = {
  metadata: { name: 'ci-7-test' },
  spec: {},
  status: {
    startTime: '2026-12-01T10:00:00Z',
    completionTime: '2026-12-01T10:00:30Z',
    conditions: [{ type: 'Succeeded', status: 'False', reason: 'Failed' }],
    steps: [
      {
        name: 'unit',
        container: 'step-unit',
        terminated: {
          exitCode: 3,
          reason: 'Error',
          startedAt: '2026-12-01T10:00:02Z',
          finishedAt: '2026-12-01T10:00:12Z',
        },
      },
    ],
  },
};

describe('wharf build rendering', () => {
  it('prints durations as minutes and seconds, running ones up to now', () => {
    expect(duration('2026-12-01T10:00:00Z', '2026-12-01T10:01:05Z', now)).toBe('1m05s');
    expect(duration('2026-12-01T10:04:50Z', undefined, now)).toBe('10s');
    expect(duration(undefined, undefined, now)).toBe('-');
  });

  it('lists builds with pipeline, outcome, deployment, short commit and trigger', () => {
    expect(renderBuildList([run], now)).toBe(
      'NAME   PIPELINE   STATUS   DEPLOYMENT   COMMIT    TRIGGER   DURATION   AGE\nci-7   ci         Failed   -            abcdef0   push      1m05s      5m\n',
    );
    const deployed = {
      ...run,
      metadata: {
        ...run.metadata,
        annotations: {
          ...run.metadata?.annotations,
          'platform.wharf.dev/deploy-state': 'Deployed',
          'platform.wharf.dev/deployed-revision': '3',
        },
      },
    };
    expect(renderBuildList([deployed], now)).toContain('Deployed r3');
  });

  it('shows where a build deployed its image, the revision and why a deployment failed', () => {
    const notes = {
      'platform.wharf.dev/deploy-state': 'DeploymentFailed',
      'platform.wharf.dev/deployed-to': 'shop/web',
      'platform.wharf.dev/deployed-revision': '4',
      'platform.wharf.dev/deploy-message': 'revision 4 was rolled back: pod web-x: readiness probe failing',
      'platform.wharf.dev/images': '127.0.0.1:5000/site@sha256:ab',
    };
    const out = renderBuild(
      { ...run, metadata: { ...run.metadata, annotations: { ...run.metadata?.annotations, ...notes } } },
      [],
      now,
    );
    expect(out).toContain(
      'Deployment:  DeploymentFailed to shop/web (revision 4)\n             revision 4 was rolled back: pod web-x: readiness probe failing\n',
    );
    expect(out).toContain('Images:      127.0.0.1:5000/site@sha256:ab\n');
  });

  it('shows a build with its tasks, steps and skipped tasks', () => {
    const out = renderBuild(run, [test], now);
    expect(out).toContain('Status:      Failed (Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 1)\n');
    expect(out).toContain('Author:      Ann <ann@x>\n');
    expect(out).toMatch(/^ {2}test\s+Failed\s+30s\s+ci-7-test$/m);
    expect(out).toMatch(/^ {4}unit\s+Error \(exit 3\)\s+10s$/m);
    expect(out).toMatch(/^ {2}deploy\s+Skipped\s+-\s+PipelineRun was stopping$/m);
  });
});
