import { describe, expect, it } from 'vitest';
import type { TaskSpecSource } from '../task/reconcile.js';
import type { PipelineRun, PipelineSpec, TaskRun } from '../types.js';
import { reconcilePipelineRun, type PipelineRunAction, type PipelineRunObserved } from './reconcile.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const later = (s: number): Date => new Date(T0.getTime() + s * 1000);
const buildSpec: TaskSpecSource = {
  spec: {
    params: [{ name: 'target' }],
    results: [{ name: 'digest' }],
    steps: [{ image: 'busybox:1', script: 'true' }],
  },
};
const simple: TaskSpecSource = {
  spec: {
    params: [
      { name: 'digest', default: '' },
      { name: 'status', default: '' },
    ],
    steps: [{ image: 'busybox:1', script: 'true' }],
  },
};
const spec: PipelineSpec = {
  params: [{ name: 'target' }, { name: 'env', default: 'prod' }],
  tasks: [
    { name: 'build', taskRef: { name: 'build' }, params: [{ name: 'target', value: '$(params.target)' }] },
    { name: 'lint', taskRef: { name: 'simple' } },
    {
      name: 'deploy',
      taskRef: { name: 'simple' },
      params: [{ name: 'digest', value: '$(tasks.build.results.digest)' }],
      when: [{ input: '$(params.env)', operator: 'in', values: ['prod'] }],
    },
    {
      name: 'smoke',
      taskRef: { name: 'simple' },
      runAfter: ['deploy'],
      when: [{ input: '$(params.env)', operator: 'notin', values: ['prod'] }],
    },
  ],
  finally: [{ name: 'notify', taskRef: { name: 'simple' }, params: [{ name: 'status', value: '$(tasks.status)' }] }],
};
const tasks = new Map<string, TaskSpecSource>([
  ['build', buildSpec],
  ['lint', simple],
  ['deploy', simple],
  ['smoke', simple],
  ['notify', simple],
]);
const run = (extra: Partial<PipelineRun['spec']> = {}, status?: PipelineRun['status']): PipelineRun => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'PipelineRun',
  metadata: { name: 'pr', namespace: 'ci', uid: 'u1', annotations: { 'wharf.dev/commit': 'abc' } },
  spec: { pipelineRef: { name: 'ci' }, params: [{ name: 'target', value: 'app' }], ...extra },
  ...(status ? { status } : {}),
});
const observed = (
  children: Record<string, TaskRun> = {},
  o: Partial<PipelineRunObserved> = {},
): PipelineRunObserved => ({
  pipeline: { spec, name: 'ci' },
  tasks,
  children: new Map(Object.entries(children)),
  claims: new Set(),
  now: T0,
  ...o,
});
const child = (
  task: string,
  outcome: 'True' | 'False' | 'Unknown',
  extra: Partial<NonNullable<TaskRun['status']>> = {},
  reason?: string,
): TaskRun => ({
  metadata: { name: `pr-${task}`, labels: { 'tekton.dev/pipelineTask': task } },
  spec: {},
  status: {
    conditions: [
      {
        type: 'Succeeded',
        status: outcome,
        reason: reason ?? (outcome === 'True' ? 'Succeeded' : outcome === 'False' ? 'Failed' : 'Running'),
      },
    ],
    ...extra,
  },
});
const created = (actions: PipelineRunAction[]): TaskRun[] =>
  actions.flatMap((a) => (a.type === 'createTaskRun' ? [a.taskRun] : []));
const statusOf = (actions: PipelineRunAction[]): NonNullable<PipelineRun['status']> => {
  const a = actions.find((x) => x.type === 'status');
  if (a?.type !== 'status') throw new Error('no status');
  return a.status;
};

describe('reconcilePipelineRun', () => {
  it('starts the tasks without parents, with params substituted and the run propagated to labels and annotations', () => {
    const d = reconcilePipelineRun(run(), observed());
    const trs = created(d.actions);
    expect(trs.map((t) => t.metadata?.name)).toEqual(['pr-build', 'pr-lint']);
    expect(trs[0]?.spec.params).toEqual([{ name: 'target', value: 'app' }]);
    expect(trs[0]?.metadata?.labels).toMatchObject({
      'tekton.dev/pipelineRun': 'pr',
      'tekton.dev/pipeline': 'ci',
      'tekton.dev/pipelineTask': 'build',
      'tekton.dev/memberOf': 'tasks',
    });
    expect(trs[0]?.metadata?.annotations).toEqual({ 'wharf.dev/commit': 'abc' });
    expect(trs[0]?.spec.timeout).toBe('3600s');
    expect(statusOf(d.actions).conditions?.[0]).toMatchObject({
      status: 'Unknown',
      reason: 'Running',
      message: 'Tasks Completed: 0 (Failed: 0, Cancelled 0), Incomplete: 5, Skipped: 0',
    });
  });

  it('passes results on, skips by `when`, then runs finally with $(tasks.status) and completes', () => {
    const build = child('build', 'True', { results: [{ name: 'digest', value: 'sha256:1' }] });
    const d = reconcilePipelineRun(run(), observed({ build, lint: child('lint', 'True') }));
    const deploy = created(d.actions);
    expect(deploy.map((t) => [t.metadata?.name, t.spec.params])).toEqual([
      ['pr-deploy', [{ name: 'digest', value: 'sha256:1' }]],
    ]);
    const d2 = reconcilePipelineRun(
      run(),
      observed({ build, lint: child('lint', 'True'), deploy: child('deploy', 'True') }),
    );
    expect(statusOf(d2.actions).skippedTasks).toEqual([
      {
        name: 'smoke',
        reason: 'When Expressions evaluated to false',
        whenExpressions: [{ input: 'prod', operator: 'notin', values: ['prod'] }],
      },
    ]);
    expect(
      created(d2.actions).map((t) => [t.metadata?.name, t.spec.params, t.metadata?.labels?.['tekton.dev/memberOf']]),
    ).toEqual([['pr-notify', [{ name: 'status', value: 'Completed' }], 'finally']]);
    const all = {
      build,
      lint: child('lint', 'True'),
      deploy: child('deploy', 'True'),
      notify: child('notify', 'True'),
    };
    const end = statusOf(reconcilePipelineRun(run({}, statusOf(d2.actions)), observed(all)).actions);
    expect(end.conditions?.[0]).toMatchObject({
      status: 'True',
      reason: 'Completed',
      message: 'Tasks Completed: 4 (Failed: 0, Cancelled 0), Skipped: 1',
    });
    expect(end.completionTime).toBe('2026-12-01T10:00:00Z');
  });

  it('stops at a failure: no new tasks, the rest skipped, finally still runs, and the run fails', () => {
    const d = reconcilePipelineRun(run(), observed({ build: child('build', 'False'), lint: child('lint', 'True') }));
    const st = statusOf(d.actions);
    expect(st.skippedTasks?.map((s) => [s.name, s.reason])).toEqual([
      ['deploy', 'PipelineRun was stopping'],
      ['smoke', 'PipelineRun was stopping'],
    ]);
    expect(created(d.actions).map((t) => [t.metadata?.name, t.spec.params])).toEqual([
      ['pr-notify', [{ name: 'status', value: 'Failed' }]],
    ]);
    const end = statusOf(
      reconcilePipelineRun(
        run({}, st),
        observed({ build: child('build', 'False'), lint: child('lint', 'True'), notify: child('notify', 'True') }),
      ).actions,
    );
    expect(end.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: 'Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 2',
    });
  });

  it('cancels running TaskRuns and skips finally on Cancelled; runs finally on CancelledRunFinally', () => {
    const started = { startTime: '2026-12-01T10:00:00Z' };
    const cancel = reconcilePipelineRun(
      run({ status: 'Cancelled' }, started),
      observed({ build: child('build', 'Unknown'), lint: child('lint', 'True') }),
    );
    expect(
      cancel.actions.filter((a) => a.type === 'cancelTaskRun').map((a) => a.type === 'cancelTaskRun' && a.name),
    ).toEqual(['pr-build']);
    const over = reconcilePipelineRun(
      run({ status: 'Cancelled' }, statusOf(cancel.actions)),
      observed({ build: child('build', 'False', {}, 'TaskRunCancelled'), lint: child('lint', 'True') }),
    );
    expect(created(over.actions)).toEqual([]);
    expect(statusOf(over.actions).conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'Cancelled',
      message: 'PipelineRun "pr" was cancelled',
    });
    const graceful = reconcilePipelineRun(
      run({ status: 'CancelledRunFinally' }, started),
      observed({ build: child('build', 'False', {}, 'TaskRunCancelled'), lint: child('lint', 'True') }),
    );
    expect(created(graceful.actions).map((t) => t.metadata?.name)).toEqual(['pr-notify']);
    expect(statusOf(graceful.actions).conditions?.[0]?.reason).toBe('CancelledRunningFinally');
  });

  it('times out: running TaskRuns cancelled, then PipelineRunTimeout', () => {
    const started = { startTime: '2026-12-01T10:00:00Z' };
    const d = reconcilePipelineRun(
      run({ timeouts: { pipeline: '1m0s' } }, started),
      observed({ build: child('build', 'Unknown'), lint: child('lint', 'Unknown') }, { now: later(61) }),
    );
    expect(d.actions.filter((a) => a.type === 'cancelTaskRun')).toHaveLength(2);
    const end = reconcilePipelineRun(
      run({ timeouts: { pipeline: '1m0s' } }, statusOf(d.actions)),
      observed(
        {
          build: child('build', 'False', {}, 'TaskRunCancelled'),
          lint: child('lint', 'False', {}, 'TaskRunCancelled'),
        },
        { now: later(62) },
      ),
    );
    expect(statusOf(end.actions).conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'PipelineRunTimeout',
      message: 'PipelineRun "pr" failed to finish within "1m0s"',
    });
    expect(statusOf(end.actions).skippedTasks?.map((s) => s.reason)).toEqual([
      'PipelineRun timeout has been reached',
      'PipelineRun timeout has been reached',
      'PipelineRun timeout has been reached',
    ]);
  });

  it('refuses to start with Tekton reasons: missing pipeline, task, param, result and workspace', () => {
    const reason = (pr: PipelineRun, o: Partial<PipelineRunObserved>): string | undefined => {
      const d = reconcilePipelineRun(pr, observed({}, o));
      expect(created(d.actions)).toEqual([]);
      return statusOf(d.actions).conditions?.[0]?.reason;
    };
    expect(reason(run(), { pipeline: { reason: 'CouldntGetPipeline', error: 'not found' } })).toBe(
      'CouldntGetPipeline',
    );
    expect(
      reason(run(), {
        tasks: new Map([...tasks, ['lint', { reason: 'CouldntGetTask', error: 'Couldn\'t retrieve Task "simple"' }]]),
      }),
    ).toBe('CouldntGetTask');
    expect(reason(run({ params: [] }), {})).toBe('ParameterMissing');
    expect(reason(run(), { tasks: new Map([...tasks, ['build', { spec: { ...buildSpec.spec, results: [] } }]]) })).toBe(
      'InvalidTaskResultReference',
    );
    expect(reason(run(), { pipeline: { spec: { ...spec, workspaces: [{ name: 'src' }] }, name: 'ci' } })).toBe(
      'InvalidWorkspaceBindings',
    );
    expect(
      reason(run(), {
        pipeline: {
          spec: {
            tasks: [
              { name: 'a', taskRef: { name: 'simple' }, runAfter: ['b'] },
              { name: 'b', taskRef: { name: 'simple' }, runAfter: ['a'] },
            ],
          },
          name: 'ci',
        },
        tasks: new Map([
          ['a', simple],
          ['b', simple],
        ]),
      }),
    ).toBe('PipelineValidationFailed');
  });

  it('makes the claim of a volumeClaimTemplate once and binds it to the tasks that map the workspace', () => {
    const ws: PipelineSpec = {
      workspaces: [{ name: 'src' }],
      tasks: [
        {
          name: 'a',
          taskSpec: { workspaces: [{ name: 'source' }], steps: [{ image: 'busybox:1', script: 'true' }] },
          workspaces: [{ name: 'source', workspace: 'src', subPath: 'app' }],
        },
      ],
    };
    const pr = run({
      params: [],
      pipelineRef: undefined,
      pipelineSpec: ws,
      workspaces: [{ name: 'src', volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } }],
    });
    const d = reconcilePipelineRun(
      pr,
      observed({}, { pipeline: { spec: ws, name: 'pr' }, tasks: new Map([['a', { spec: ws.tasks[0]!.taskSpec! }]]) }),
    );
    const claim = d.actions.find((a) => a.type === 'createClaim');
    expect(claim?.type === 'createClaim' && claim.claim.metadata?.name).toBe('pvc-pr-src');
    expect(created(d.actions)[0]?.spec.workspaces).toEqual([
      { name: 'source', subPath: 'app', persistentVolumeClaim: { claimName: 'pvc-pr-src' } },
    ]);
    const again = reconcilePipelineRun(
      pr,
      observed(
        {},
        {
          pipeline: { spec: ws, name: 'pr' },
          tasks: new Map([['a', { spec: ws.tasks[0]!.taskSpec! }]]),
          claims: new Set(['pvc-pr-src']),
        },
      ),
    );
    expect(again.actions.some((a) => a.type === 'createClaim')).toBe(false);
  });
});

describe('reconcilePipelineRun with a stale cache', () => {
  it('neither makes again nor skips a TaskRun its status says it made', () => {
    const first = reconcilePipelineRun(run(), observed());
    const st = statusOf(first.actions);
    const again = reconcilePipelineRun(run({}, st), observed({ lint: child('lint', 'False') }));
    expect(created(again.actions)).toEqual([]);
    expect(statusOf(again.actions).skippedTasks?.map((s) => s.name)).toEqual(['deploy', 'smoke']);
    expect(statusOf(again.actions).childReferences?.map((c) => c.name)).toEqual(['pr-build', 'pr-lint']);
    expect(statusOf(again.actions).conditions?.[0]?.reason).toBe('Running');
  });
});

describe('reconcilePipelineRun: pending runs, graceful stops and pipeline results', () => {
  it('holds a PipelineRunPending run without starting anything, then starts it once released', () => {
    const held = reconcilePipelineRun(run({ status: 'PipelineRunPending' }), observed());
    expect(created(held.actions)).toEqual([]);
    expect(statusOf(held.actions)).toMatchObject({ conditions: [{ status: 'Unknown', reason: 'PipelineRunPending' }] });
    expect(statusOf(held.actions).startTime).toBeUndefined();
    expect(created(reconcilePipelineRun(run({}, statusOf(held.actions)), observed()).actions)).toHaveLength(2);
  });

  it('StoppedRunFinally lets running tasks finish, starts no new ones, runs finally, and reports Cancelled', () => {
    const started = { startTime: '2026-12-01T10:00:00Z' };
    const stopping = reconcilePipelineRun(
      run({ status: 'StoppedRunFinally' }, started),
      observed({ build: child('build', 'Unknown'), lint: child('lint', 'True') }),
    );
    expect(stopping.actions.some((a) => a.type === 'cancelTaskRun')).toBe(false);
    expect(created(stopping.actions)).toEqual([]);
    expect(statusOf(stopping.actions).conditions?.[0]?.reason).toBe('StoppedRunningFinally');
    const fin = reconcilePipelineRun(
      run({ status: 'StoppedRunFinally' }, statusOf(stopping.actions)),
      observed({
        build: child('build', 'True', { results: [{ name: 'digest', value: 'x' }] }),
        lint: child('lint', 'True'),
      }),
    );
    expect(created(fin.actions).map((t) => t.metadata?.name)).toEqual(['pr-notify']);
    expect(statusOf(fin.actions).skippedTasks?.map((s) => [s.name, s.reason])).toEqual([
      ['deploy', 'PipelineRun was gracefully stopped'],
      ['smoke', 'PipelineRun was gracefully stopped'],
    ]);
  });

  it('reports the pipeline results from its tasks once done', () => {
    const withResults: PipelineSpec = {
      ...spec,
      results: [{ name: 'image', value: 'registry/app@$(tasks.build.results.digest)' }],
    };
    const children = {
      build: child('build', 'True', { results: [{ name: 'digest', value: 'sha256:9' }] }),
      lint: child('lint', 'True'),
      deploy: child('deploy', 'True'),
      notify: child('notify', 'True'),
    };
    const st = statusOf(
      reconcilePipelineRun(
        run(
          {},
          {
            startTime: '2026-12-01T10:00:00Z',
            skippedTasks: [{ name: 'smoke', reason: 'When Expressions evaluated to false' }],
          },
        ),
        observed(children, { pipeline: { spec: withResults, name: 'ci' } }),
      ).actions,
    );
    expect(st.conditions?.[0]?.reason).toBe('Completed');
    expect(st.results).toEqual([{ name: 'image', value: 'registry/app@sha256:9' }]);
  });
});
