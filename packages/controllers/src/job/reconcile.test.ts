import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { formatIndexes, parseIndexes } from './indexes.js';
import { backoffMs, jobPod, TRACKING_FINALIZER } from './pods.js';
import { reconcileJob, type JobAction } from './reconcile.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const iso = (ms: number): Date => new Date(ms).toISOString() as unknown as Date;

function job(spec: Partial<V1Job['spec']> = {}, status: V1Job['status'] = {}): V1Job {
  return {
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid' },
    spec: {
      completions: 3,
      parallelism: 2,
      backoffLimit: 6,
      template: {
        metadata: { labels: { 'job-name': 'pi' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] },
      },
      ...spec,
    } as V1Job['spec'],
    status: { startTime: iso(NOW - 10_000), ...status },
  };
}
function pod(
  j: V1Job,
  name: string,
  phase: string,
  opts: { index?: number; finalizer?: boolean; finishedAt?: number } = {},
): V1Pod {
  const p = jobPod(j, opts.index);
  const finished = opts.finishedAt ?? NOW - 1_000;
  return {
    ...p,
    metadata: {
      ...p.metadata,
      name,
      uid: name,
      creationTimestamp: iso(NOW - 5_000),
      finalizers: opts.finalizer === false ? [] : [TRACKING_FINALIZER],
    },
    status: {
      phase,
      ...(phase === 'Succeeded' || phase === 'Failed'
        ? {
            containerStatuses: [
              {
                name: 'c',
                image: 'x',
                imageID: '',
                ready: false,
                restartCount: 0,
                state: { terminated: { exitCode: phase === 'Failed' ? 1 : 0, finishedAt: iso(finished) } },
              },
            ],
          }
        : {}),
    },
  };
}
const of = <T extends JobAction['type']>(a: JobAction[], t: T): Extract<JobAction, { type: T }>[] =>
  a.filter((x): x is Extract<JobAction, { type: T }> => x.type === t);
const lastStatus = (a: JobAction[]): NonNullable<V1Job['status']> => of(a, 'status').at(-1)?.status ?? {};

describe('reconcileJob', () => {
  it('starts parallelism pods with the tracking finalizer and sets startTime', () => {
    const plan = reconcileJob({ ...job(), status: {} }, { pods: [], now: NOW, canManagePods: true });
    const created = of(plan.actions, 'createPod');
    expect(created).toHaveLength(2);
    expect(created[0]?.pod.metadata?.finalizers).toEqual([TRACKING_FINALIZER]);
    expect(created[0]?.pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: 'pi', controller: true });
    expect(lastStatus(plan.actions)).toMatchObject({ active: 2, startTime: '2025-01-01T00:00:00Z' });
  });

  it('counts finished pods through uncountedTerminatedPods, removes finalizers, and tops up', () => {
    const j = job();
    const plan = reconcileJob(j, {
      pods: [pod(j, 'a', 'Succeeded'), pod(j, 'b', 'Running')],
      now: NOW,
      canManagePods: true,
    });
    const statuses = of(plan.actions, 'status');
    expect(statuses[0]?.status.uncountedTerminatedPods).toEqual({ succeeded: ['a'], failed: [] });
    expect(of(plan.actions, 'removeFinalizer').map((a) => a.pod.metadata?.name)).toEqual(['a']);
    expect(of(plan.actions, 'createPod')).toHaveLength(1);
    expect(lastStatus(plan.actions)).toMatchObject({ succeeded: 1, active: 2 });
    expect(lastStatus(plan.actions).uncountedTerminatedPods).toBeUndefined();
    // Not counted twice while the cache still shows the finalizer.
    const again = reconcileJob(
      { ...j, status: lastStatus(plan.actions) },
      {
        pods: [pod(j, 'a', 'Succeeded'), pod(j, 'b', 'Running'), pod(j, 'c', 'Running')],
        now: NOW,
        canManagePods: true,
        counted: new Set(['a']),
      },
    );
    expect(of(again.actions, 'removeFinalizer')).toEqual([]);
    expect(of(again.actions, 'status')).toEqual([]);
  });

  it('meets success criteria, then completes once no pod runs', () => {
    const j = job({}, { succeeded: 2 });
    const plan = reconcileJob(j, { pods: [pod(j, 'c', 'Succeeded')], now: NOW, canManagePods: true });
    const s = lastStatus(plan.actions);
    expect(s.succeeded).toBe(3);
    expect(s.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'SuccessCriteriaMet=True/CompletionsReached',
      'Complete=True/CompletionsReached',
    ]);
    expect(s.completionTime).toBe('2025-01-01T00:00:00Z');
  });

  it('fails with BackoffLimitExceeded after FailureTarget, deleting active pods first', () => {
    const j = job({ backoffLimit: 1 }, { failed: 1 });
    const first = reconcileJob(j, {
      pods: [pod(j, 'f', 'Failed'), pod(j, 'r', 'Running')],
      now: NOW,
      canManagePods: true,
    });
    expect(of(first.actions, 'deletePod').map((a) => a.pod.metadata?.name)).toEqual(['r']);
    const s1 = lastStatus(first.actions);
    expect(s1.conditions?.map((c) => c.type)).toEqual(['FailureTarget']);
    const terminating = {
      ...pod(j, 'r', 'Running'),
      metadata: { ...pod(j, 'r', 'Running').metadata, deletionTimestamp: iso(NOW) },
    };
    const second = reconcileJob(
      { ...j, status: s1 },
      { pods: [pod(j, 'f', 'Failed', { finalizer: false }), terminating], now: NOW, canManagePods: true },
    );
    const s2 = lastStatus(second.actions);
    expect(s2.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(s2.failed).toBe(2);
  });

  it('fails with DeadlineExceeded after activeDeadlineSeconds, and requeues until then', () => {
    const early = reconcileJob(job({ activeDeadlineSeconds: 30 }), { pods: [], now: NOW, canManagePods: true });
    expect(early.requeueAfterMs).toBe(20_001);
    const late = reconcileJob(job({ activeDeadlineSeconds: 5 }), { pods: [], now: NOW, canManagePods: true });
    expect(lastStatus(late.actions).conditions?.map((c) => `${c.type}/${c.reason}`)).toEqual([
      'FailureTarget/DeadlineExceeded',
      'Failed/DeadlineExceeded',
    ]);
  });

  it('backs off exponentially before replacing failed pods', () => {
    expect([1, 2, 3, 10].map(backoffMs)).toEqual([10_000, 20_000, 40_000, 360_000]);
    const j = job({ completions: 1, parallelism: 1 }, { failed: 2 });
    const plan = reconcileJob(j, {
      pods: [
        pod(j, 'f1', 'Failed', { finalizer: false, finishedAt: NOW - 30_000 }),
        pod(j, 'f2', 'Failed', { finalizer: false, finishedAt: NOW - 5_000 }),
      ],
      now: NOW,
      canManagePods: true,
    });
    expect(of(plan.actions, 'createPod')).toEqual([]);
    expect(plan.requeueAfterMs).toBe(15_001);
  });

  it('replaces a terminating pod at once by default (TerminatingOrFailed), and only once it is gone with podReplacementPolicy Failed', () => {
    const terminating = (j: V1Job, name: string): V1Pod => {
      const p = pod(j, name, 'Running', { finalizer: false });
      return { ...p, metadata: { ...p.metadata, deletionTimestamp: iso(NOW - 60_000) } };
    };
    const byDefault = job(
      { completions: 1, parallelism: 1, podReplacementPolicy: 'TerminatingOrFailed' },
      { failed: 0 },
    );
    expect(
      of(
        reconcileJob(byDefault, { pods: [terminating(byDefault, 't')], now: NOW, canManagePods: true }).actions,
        'createPod',
      ),
    ).toHaveLength(1);
    const onlyFailed = job({ completions: 1, parallelism: 1, podReplacementPolicy: 'Failed' }, { failed: 0 });
    const held = reconcileJob(onlyFailed, { pods: [terminating(onlyFailed, 't')], now: NOW, canManagePods: true });
    expect(of(held.actions, 'createPod')).toEqual([]);
    expect(lastStatus(held.actions)).toMatchObject({ active: 0, terminating: 1 });
    expect(of(reconcileJob(onlyFailed, { pods: [], now: NOW, canManagePods: true }).actions, 'createPod')).toHaveLength(
      1,
    );
  });

  it('runs Indexed jobs with one pod per pending index and JOB_COMPLETION_INDEX', () => {
    expect(formatIndexes(parseIndexes('0,2-4,6', 10))).toBe('0,2-4,6');
    const j = job({ completionMode: 'Indexed', completions: 4, parallelism: 2 }, { completedIndexes: '0' });
    const plan = reconcileJob(j, { pods: [pod(j, 'p1', 'Running', { index: 1 })], now: NOW, canManagePods: true });
    const created = of(plan.actions, 'createPod');
    expect(created.map((c) => c.pod.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'])).toEqual([
      '2',
    ]);
    expect(created[0]?.pod.metadata?.generateName).toBe('pi-2-');
    expect(created[0]?.pod.spec?.hostname).toBe('pi-2');
    expect(created[0]?.pod.spec?.containers[0]?.env).toContainEqual({
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
    const done = reconcileJob(j, {
      pods: [
        pod(j, 'p1', 'Succeeded', { index: 1 }),
        pod(j, 'p2', 'Succeeded', { index: 2 }),
        pod(j, 'p3', 'Succeeded', { index: 3 }),
      ],
      now: NOW,
      canManagePods: true,
    });
    expect(lastStatus(done.actions)).toMatchObject({ completedIndexes: '0-3', succeeded: 4 });
  });

  it('deletes active pods while suspended, and deletes the finished job after its TTL', () => {
    const j = job({ suspend: true });
    const plan = reconcileJob(j, { pods: [pod(j, 'r', 'Running')], now: NOW, canManagePods: true });
    expect(of(plan.actions, 'deletePod')).toHaveLength(1);
    expect(lastStatus(plan.actions).conditions?.[0]).toMatchObject({
      type: 'Suspended',
      status: 'True',
      reason: 'JobSuspended',
    });
    const finished = job(
      { ttlSecondsAfterFinished: 60 },
      { completionTime: iso(NOW - 30_000), conditions: [{ type: 'Complete', status: 'True' }] },
    );
    expect(reconcileJob(finished, { pods: [], now: NOW, canManagePods: true }).requeueAfterMs).toBe(30_001);
    expect(reconcileJob(finished, { pods: [], now: NOW + 30_000, canManagePods: true }).actions).toEqual([
      { type: 'deleteJob' },
    ]);
  });
});
