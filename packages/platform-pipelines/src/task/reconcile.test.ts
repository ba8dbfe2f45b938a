import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { TaskRun, TaskSpec } from '../types.js';
import { parseResults } from './pod.js';
import { reconcileTaskRun, type TaskRunAction, type TaskRunObserved } from './reconcile.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const later = (s: number): Date => new Date(T0.getTime() + s * 1000);
const spec: TaskSpec = {
  params: [{ name: 'target' }, { name: 'flags', type: 'array', default: ['-v'] }],
  results: [{ name: 'digest' }],
  workspaces: [{ name: 'src' }],
  steps: [
    { name: 'compile', image: 'busybox:1', command: ['make'], args: ['$(params.target)', '$(params.flags[*])'] },
    {
      name: 'publish',
      image: 'busybox:1',
      script: 'echo $(params.target) > $(results.digest.path)',
      computeResources: { limits: { memory: '2Gi' } },
    },
  ],
};
const taskRun = (extra: Partial<TaskRun['spec']> = {}, status?: TaskRun['status']): TaskRun => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'TaskRun',
  metadata: { name: 'tr', namespace: 'ci', uid: 'u1', generation: 1 },
  spec: {
    taskRef: { name: 'build' },
    params: [{ name: 'target', value: 'app' }],
    workspaces: [{ name: 'src', emptyDir: {} }],
    ...extra,
  },
  ...(status ? { status } : {}),
});
const observed = (o: Partial<TaskRunObserved> = {}): TaskRunObserved => ({
  task: { spec },
  pod: undefined,
  claims: new Set(),
  now: T0,
  podOptions: { helperImage: 'busybox:1', defaultResources: { limits: { cpu: '1', memory: '1Gi' } } },
  ...o,
});
const statusOf = (actions: TaskRunAction[]): NonNullable<TaskRun['status']> => {
  const a = actions.find((x) => x.type === 'status');
  if (a?.type !== 'status') throw new Error('no status action');
  return a.status;
};
const podOf = (actions: TaskRunAction[]): V1Pod => {
  const a = actions.find((x) => x.type === 'createPod');
  if (a?.type !== 'createPod') throw new Error('no pod');
  return a.pod;
};
const podIn = (phase: string, init: { name: string; exitCode?: number; running?: boolean }[] = []): V1Pod => ({
  metadata: { name: 'tr-pod' },
  status: {
    phase,
    initContainerStatuses: init.map((c) => ({
      name: c.name,
      image: 'busybox:1',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: c.running
        ? { running: {} }
        : c.exitCode !== undefined
          ? { terminated: { exitCode: c.exitCode } }
          : { waiting: { reason: 'PodInitializing' } },
    })),
  },
});

describe('reconcileTaskRun', () => {
  it('makes one pod: the steps as init containers in order, params substituted, scripts written first, defaults for resources', () => {
    const d = reconcileTaskRun(taskRun(), observed());
    const pod = podOf(d.actions);
    expect(pod.metadata?.name).toBe('tr-pod');
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual(['place-scripts', 'step-compile', 'step-publish']);
    const [place, compile, publish] = pod.spec?.initContainers ?? [];
    expect(compile?.command).toEqual(['make']);
    expect(compile?.args).toEqual(['app', '-v']);
    expect(compile?.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' } });
    expect(publish?.resources).toEqual({ limits: { memory: '2Gi' } });
    expect(publish?.command).toEqual(['/tekton/scripts/script-1']);
    expect(place?.env).toEqual([{ name: 'SCRIPT_1', value: '#!/bin/sh\nset -e\necho app > /tekton/results/digest' }]);
    expect(compile?.volumeMounts?.map((m) => m.mountPath)).toEqual([
      '/tekton/scripts',
      '/tekton/results',
      '/workspace',
      '/tekton/home',
      '/workspace/src',
    ]);
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(['wharf-results']);
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'TaskRun',
      name: 'tr',
      uid: 'u1',
      controller: true,
    });
    expect(statusOf(d.actions).conditions?.[0]).toMatchObject({ status: 'Unknown', reason: 'Pending' });
    expect(d.requeueAfterMs).toBe(3_600_000);
  });

  it('reports running steps, then reads results back and succeeds', () => {
    const running = reconcileTaskRun(
      taskRun(),
      observed({
        pod: podIn('Pending', [
          { name: 'place-scripts', exitCode: 0 },
          { name: 'step-compile', running: true },
          { name: 'step-publish' },
        ]),
      }),
    );
    const st = statusOf(running.actions);
    expect(st.conditions?.[0]).toMatchObject({ status: 'Unknown', reason: 'Running' });
    expect(st.steps?.map((s) => [s.name, s.running ? 'running' : s.waiting?.reason])).toEqual([
      ['compile', 'running'],
      ['publish', 'PodInitializing'],
    ]);
    const succeededPod = podIn('Succeeded', [
      { name: 'step-compile', exitCode: 0 },
      { name: 'step-publish', exitCode: 0 },
    ]);
    expect(reconcileTaskRun(taskRun(), observed({ pod: succeededPod })).actions).toEqual([
      { type: 'readResults', pod: 'tr-pod' },
    ]);
    const done = statusOf(
      reconcileTaskRun(
        taskRun(),
        observed({ pod: succeededPod, results: [{ name: 'digest', type: 'string', value: 'sha' }] }),
      ).actions,
    );
    expect(done.conditions?.[0]).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
      message: 'All Steps have completed executing',
    });
    expect(done.results).toEqual([{ name: 'digest', type: 'string', value: 'sha' }]);
  });

  it('fails with the failing step and its exit code, or retries into retriesStatus with a new pod', () => {
    const failed = podIn('Failed', [{ name: 'step-compile', exitCode: 2 }, { name: 'step-publish' }]);
    const st = statusOf(reconcileTaskRun(taskRun(), observed({ pod: failed })).actions);
    expect(st.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: '"step-compile" exited with code 2 (image: "busybox:1")',
    });
    const retried = statusOf(reconcileTaskRun(taskRun({ retries: 1 }), observed({ pod: failed })).actions);
    expect(retried.conditions?.[0]).toMatchObject({ status: 'Unknown', reason: 'ToBeRetried' });
    expect(retried.retriesStatus).toHaveLength(1);
    expect(retried.retriesStatus?.[0]?.conditions?.[0]).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(retried.podName).toBe('tr-pod-retry1');
    const second = reconcileTaskRun(taskRun({ retries: 1 }, retried), observed());
    expect(podOf(second.actions).metadata?.name).toBe('tr-pod-retry1');
  });

  it('times out and cancels, deleting the pod', () => {
    const pod = podIn('Running', [{ name: 'step-compile', running: true }]);
    const started = { startTime: '2026-12-01T10:00:00Z' };
    const timedOut = reconcileTaskRun(taskRun({ timeout: '10s' }, started), observed({ pod, now: later(11) }));
    expect(timedOut.actions[0]).toEqual({ type: 'deletePod', name: 'tr-pod' });
    expect(statusOf(timedOut.actions).conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'TaskRunTimeout',
      message: 'TaskRun "tr" failed to finish within "10s"',
    });
    const cancelled = reconcileTaskRun(
      taskRun({ status: 'TaskRunCancelled', statusMessage: 'by a test' }, started),
      observed({ pod, now: later(1) }),
    );
    expect(statusOf(cancelled.actions).conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'TaskRunCancelled',
      message: 'TaskRun "tr" was cancelled. by a test',
    });
    expect(statusOf(cancelled.actions).steps?.[0]?.terminated?.reason).toBe('TaskRunCancelled');
  });

  it('fails before any pod with Tekton reasons for a missing Task, param or workspace', () => {
    const reason = (tr: TaskRun, o: Partial<TaskRunObserved> = {}): unknown =>
      statusOf(reconcileTaskRun(tr, observed(o)).actions).conditions?.[0]?.reason;
    expect(reason(taskRun(), { task: { reason: 'CouldntGetTask', error: 'not found' } })).toBe('CouldntGetTask');
    expect(reason(taskRun({ params: [] }))).toBe('TaskRunValidationFailed');
    expect(reason(taskRun({ workspaces: [] }))).toBe('TaskRunValidationFailed');
    expect(reconcileTaskRun(taskRun({ params: [] }), observed()).actions.some((a) => a.type === 'createPod')).toBe(
      false,
    );
  });

  it('parses the results container log, typed as declared', () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const spec2: TaskSpec = { results: [{ name: 'a' }, { name: 'list', type: 'array' }], steps: [] };
    expect(parseResults(`a ${b64('x y\n')}\nlist ${b64('["1","2"]')}\nundeclared ${b64('z')}\n`, spec2)).toEqual([
      { name: 'a', type: 'string', value: 'x y\n' },
      { name: 'list', type: 'array', value: ['1', '2'] },
    ]);
  });
});
