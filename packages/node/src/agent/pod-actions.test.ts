import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { ContainerStatus } from '../runtime/types.js';
import {
  completionOf,
  computePodActions,
  computePodPhase,
  FAST_SYNC_MS,
  formatDelay,
  garbageContainers,
  REMOVED_GRACE_SECONDS,
  restartingContainers,
  type PodAction,
  type PodActionsContext,
} from './pod-actions.js';
import type { ProbeKind } from './probes.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const SEC = 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

const pod = (spec: Partial<V1PodSpec>, metadata: V1Pod['metadata'] = {}): V1Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u-1', ...metadata },
  spec: { containers: [], ...spec },
});
const specOf = (...names: string[]): { name: string; image: string }[] =>
  names.map((name) => ({ name, image: 'busybox:1' }));

const base = (
  name: string,
  attempt: number,
): Pick<ContainerStatus, 'id' | 'sandboxId' | 'name' | 'attempt' | 'createdAt' | 'logPath'> => ({
  id: `s-${name}-${attempt}`,
  sandboxId: 's',
  name,
  attempt,
  createdAt: iso(T0 - 60 * SEC),
  logPath: `/logs/${name}/${attempt}.log`,
});
const running = (name: string, attempt = 0): ContainerStatus => ({
  ...base(name, attempt),
  state: 'running',
  startedAt: iso(T0 - 50 * SEC),
});
const created = (name: string, attempt = 0): ContainerStatus => ({ ...base(name, attempt), state: 'created' });
const exited = (name: string, attempt: number, exitCode: number, finishedAt = T0 - 30 * SEC): ContainerStatus => ({
  ...base(name, attempt),
  state: 'exited',
  startedAt: iso(finishedAt - SEC),
  finishedAt: iso(finishedAt),
  exitCode,
  reason: exitCode ? 'Error' : 'Completed',
});

const ctx = (extra: Partial<PodActionsContext> = {}): PodActionsContext => ({
  sandboxExists: true,
  backoff: { baseMs: 10 * SEC, maxMs: 300 * SEC },
  ...extra,
});
const unhealthy = (id: string, kind: ProbeKind = 'liveness'): PodActionsContext =>
  ctx({ unhealthy: new Map([[id, kind]]) });
/** The actions as short strings: `start c#1`, `init-start i#0`, `backOff c 20s`, `kill c liveness`. */
const brief = (actions: readonly PodAction[]): string[] =>
  actions.map((a) => {
    switch (a.type) {
      case 'createSandbox':
        return 'createSandbox';
      case 'start':
        return `${a.init ? 'init-' : ''}start ${a.container.name}#${a.attempt}`;
      case 'backOff':
        return `${a.init ? 'init-' : ''}backOff ${a.container.name} ${formatDelay(a.delayMs)}`;
      case 'kill':
        return `kill ${a.container.name} ${a.probe}`;
    }
  });

describe('computePodActions: a new pod', () => {
  it('creates the sandbox, then starts only the first init container and syncs again soon', () => {
    const plan = computePodActions(
      pod({ initContainers: specOf('i1', 'i2'), containers: specOf('a', 'b') }),
      [],
      T0,
      ctx({ sandboxExists: false }),
    );
    expect(brief(plan.actions)).toEqual(['createSandbox', 'init-start i1#0']);
    expect(plan.requeueAfterMs).toBe(FAST_SYNC_MS);
    expect(plan.terminate).toBeUndefined();
  });
  it('without init containers, starts every app container in spec order', () => {
    const plan = computePodActions(pod({ containers: specOf('a', 'b') }), [], T0, ctx({ sandboxExists: false }));
    expect(brief(plan.actions)).toEqual(['createSandbox', 'start a#0', 'start b#0']);
  });
  it('a running pod with nothing to do waits for the resync', () => {
    const plan = computePodActions(pod({ containers: specOf('a') }), [running('a')], T0, ctx());
    expect(plan).toEqual({ actions: [] });
  });
});

describe('computePodActions: init containers in order', () => {
  const spec = { initContainers: specOf('i1', 'i2'), containers: specOf('a') };
  it('starts the next one once the previous exited 0', () => {
    expect(brief(computePodActions(pod(spec), [exited('i1', 0, 0)], T0, ctx()).actions)).toEqual(['init-start i2#0']);
  });
  it('waits, polling fast, while one runs or is created but not started', () => {
    for (const c of [running('i1'), created('i1')]) {
      const plan = computePodActions(pod(spec), [c], T0, ctx());
      expect(plan.actions).toEqual([]);
      expect(plan.requeueAfterMs).toBe(FAST_SYNC_MS);
    }
  });
  it('starts the app containers only when every init container exited 0', () => {
    expect(brief(computePodActions(pod(spec), [exited('i1', 0, 0), running('i2')], T0, ctx()).actions)).toEqual([]);
    expect(brief(computePodActions(pod(spec), [exited('i1', 0, 0), exited('i2', 0, 0)], T0, ctx()).actions)).toEqual([
      'start a#0',
    ]);
  });
  it('restarts a failed one under Always and OnFailure, immediately the first time, then after its back-off', () => {
    for (const restartPolicy of ['Always', 'OnFailure']) {
      const p = pod({ ...spec, restartPolicy });
      expect(brief(computePodActions(p, [exited('i1', 0, 1)], T0, ctx()).actions)).toEqual(['init-start i1#1']);
      const waiting = computePodActions(p, [exited('i1', 0, 0), exited('i2', 1, 1, T0 - 4 * SEC)], T0, ctx());
      expect(brief(waiting.actions)).toEqual(['init-backOff i2 10s']);
      expect(waiting.requeueAfterMs).toBe(FAST_SYNC_MS);
    }
  });
  it('under Never leaves a failed one alone, and the pod fails', () => {
    const p = pod({ ...spec, restartPolicy: 'Never' });
    const containers = [exited('i1', 0, 0), exited('i2', 0, 3)];
    expect(computePodActions(p, containers, T0, ctx()).actions).toEqual([]);
    expect(computePodPhase(p, containers)).toEqual({ initDone: false, phase: 'Failed' });
  });
  it('reads only the newest attempt of each', () => {
    expect(
      brief(
        computePodActions(pod(spec), [exited('i1', 0, 1), exited('i1', 1, 0), exited('i2', 0, 0)], T0, ctx()).actions,
      ),
    ).toEqual(['start a#0']);
  });
});

describe('computePodActions: restartPolicy × exit code', () => {
  const cases: [string, number, boolean][] = [
    ['Always', 0, true],
    ['Always', 1, true],
    ['Always', 137, true],
    ['OnFailure', 0, false],
    ['OnFailure', 1, true],
    ['OnFailure', 137, true],
    ['Never', 0, false],
    ['Never', 1, false],
    ['Never', 137, false],
  ];
  for (const [restartPolicy, exitCode, restarts] of cases) {
    it(`${restartPolicy}, exit ${exitCode}: ${restarts ? 'restarts' : 'stays exited'}`, () => {
      const p = pod({ containers: specOf('a'), restartPolicy });
      const plan = computePodActions(p, [exited('a', 0, exitCode)], T0, ctx());
      expect(brief(plan.actions)).toEqual(restarts ? ['start a#1'] : []);
      const phase = computePodPhase(p, [exited('a', 0, exitCode)], restartingContainers(plan.actions)).phase;
      expect(phase).toBe(restarts ? 'Running' : exitCode === 0 ? 'Succeeded' : 'Failed');
    });
  }
  it('restarts one container while another keeps running', () => {
    const plan = computePodActions(pod({ containers: specOf('a', 'b') }), [running('a'), exited('b', 0, 2)], T0, ctx());
    expect(plan.actions).toMatchObject([
      { type: 'start', attempt: 1, previousId: 's-b-0', container: { name: 'b' }, init: false },
    ]);
  });
});

describe('computePodActions: back-off', () => {
  const p = pod({ containers: specOf('a') });
  it('waits 10 s after the second exit, then restarts, naming the attempt it replaces', () => {
    const finished = T0 - 4 * SEC;
    const plan = computePodActions(p, [exited('a', 0, 1, T0 - 40 * SEC), exited('a', 1, 1, finished)], T0, ctx());
    expect(plan.actions).toMatchObject([{ type: 'backOff', exitedId: 's-a-1', delayMs: 10 * SEC }]);
    expect(plan.requeueAfterMs).toBe(6 * SEC);
    const later = computePodActions(p, [exited('a', 1, 1, finished)], finished + 10 * SEC, ctx());
    expect(later.actions).toMatchObject([{ type: 'start', attempt: 2, previousId: 's-a-1' }]);
    expect(later.requeueAfterMs).toBeUndefined();
  });
  it('doubles with each restart up to the maximum', () => {
    const delays = [1, 2, 3, 5, 6, 9].map((attempt) => {
      const a = computePodActions(p, [exited('a', attempt, 1, T0)], T0, ctx()).actions[0];
      return a?.type === 'backOff' ? formatDelay(a.delayMs) : a?.type;
    });
    expect(delays).toEqual(['10s', '20s', '40s', '2m40s', '5m0s', '5m0s']);
  });
  it('counts from the exit (or the creation of a container that never ran) and never requeues below 10 ms', () => {
    const plan = computePodActions(p, [exited('a', 1, 1, T0 - 10 * SEC + 3)], T0, ctx());
    expect(plan.requeueAfterMs).toBe(10);
    const { finishedAt: _, ...noFinish } = exited('a', 1, 128);
    expect(computePodActions(p, [{ ...noFinish, createdAt: iso(T0 - 11 * SEC) }], T0, ctx()).actions).toMatchObject([
      { type: 'start', attempt: 2 },
    ]);
  });
  it('uses the back-off it is given', () => {
    const a = computePodActions(p, [exited('a', 3, 1, T0)], T0, ctx({ backoff: { baseMs: 100, maxMs: 250 } }))
      .actions[0];
    expect(a).toMatchObject({ type: 'backOff', delayMs: 250 });
  });
});

describe('computePodActions: probe failures', () => {
  it('kills a container whose liveness probe failed and starts it again at once the first time', () => {
    const plan = computePodActions(pod({ containers: specOf('a') }), [running('a')], T0, unhealthy('s-a-0'));
    expect(brief(plan.actions)).toEqual(['kill a liveness', 'start a#1']);
  });
  it('after earlier restarts the new attempt waits its back-off, counted from the kill', () => {
    const plan = computePodActions(
      pod({ containers: specOf('a') }),
      [running('a', 2)],
      T0,
      unhealthy('s-a-2', 'startup'),
    );
    expect(brief(plan.actions)).toEqual(['kill a startup', 'backOff a 20s']);
    expect(plan.requeueAfterMs).toBe(20 * SEC);
  });
  it('restarts under OnFailure whatever the exit code of the kill; under Never only kills', () => {
    const onFailure = pod({ containers: specOf('a'), restartPolicy: 'OnFailure' });
    const plan = computePodActions(onFailure, [running('a')], T0, unhealthy('s-a-0'));
    expect(brief(plan.actions)).toEqual(['kill a liveness', 'start a#1']);
    // Had the new attempt not started (back-off, pull error), the pod still counts as restarting.
    expect(computePodPhase(onFailure, [exited('a', 0, 0)], restartingContainers(plan.actions)).phase).toBe('Running');
    expect(computePodPhase(onFailure, [exited('a', 0, 0)]).phase).toBe('Succeeded');
    const never = pod({ containers: specOf('a'), restartPolicy: 'Never' });
    const killOnly = computePodActions(never, [running('a')], T0, unhealthy('s-a-0'));
    expect(brief(killOnly.actions)).toEqual(['kill a liveness']);
    expect(computePodPhase(never, [exited('a', 0, 143)], restartingContainers(killOnly.actions)).phase).toBe('Failed');
  });
  it('ignores a failure reported for an older attempt or a container no longer running', () => {
    const p = pod({ containers: specOf('a') });
    expect(computePodActions(p, [exited('a', 0, 1), running('a', 1)], T0, unhealthy('s-a-0')).actions).toEqual([]);
    expect(brief(computePodActions(p, [exited('a', 0, 1)], T0, unhealthy('s-a-0')).actions)).toEqual(['start a#1']);
  });
});

describe('computePodActions: termination', () => {
  const spec = { initContainers: specOf('i1'), containers: specOf('a', 'b'), terminationGracePeriodSeconds: 7 };
  const deleting = { deletionTimestamp: new Date(T0), deletionGracePeriodSeconds: 3 };
  it('on graceful deletion stops every running container with the deletion grace period, and starts nothing', () => {
    const plan = computePodActions(
      pod(spec, deleting),
      [exited('i1', 0, 0), running('a'), exited('b', 0, 1)],
      T0,
      ctx(),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.terminate).toMatchObject({
      reason: 'deleted',
      graceSeconds: 3,
      stop: [{ id: 's-a-0', name: 'a', init: false, spec: { name: 'a' } }],
    });
  });
  it('falls back to the pod grace period, then 30 s', () => {
    expect(
      computePodActions(pod(spec, { deletionTimestamp: new Date(T0) }), [], T0, ctx()).terminate?.graceSeconds,
    ).toBe(7);
    expect(
      computePodActions(pod({ containers: specOf('a') }, { deletionTimestamp: new Date(T0) }), [], T0, ctx()).terminate
        ?.graceSeconds,
    ).toBe(30);
  });
  it('deleted during init: the running init container stops, nothing else starts', () => {
    const plan = computePodActions(pod(spec, deleting), [running('i1')], T0, ctx());
    expect(plan.actions).toEqual([]);
    expect(plan.terminate?.stop).toEqual([
      { id: 's-i1-0', name: 'i1', init: true, spec: { name: 'i1', image: 'busybox:1' } },
    ]);
  });
  it('deleted before its sandbox exists: nothing to stop, no sandbox created', () => {
    const plan = computePodActions(pod(spec, deleting), [], T0, ctx({ sandboxExists: false }));
    expect(plan).toEqual({ actions: [], terminate: { reason: 'deleted', graceSeconds: 3, stop: [] } });
  });
  it('gone from the API: stops within 2 s, also a completed pod', () => {
    const plan = computePodActions(pod(spec), [running('a')], T0, ctx({ removed: true, completed: 'Succeeded' }));
    expect(plan.terminate).toMatchObject({
      reason: 'removed',
      graceSeconds: REMOVED_GRACE_SECONDS,
      stop: [{ id: 's-a-0' }],
    });
  });
  it('stops a running container the spec no longer names, without a spec', () => {
    expect(computePodActions(pod(spec, deleting), [running('old')], T0, ctx()).terminate?.stop).toEqual([
      { id: 's-old-0', name: 'old', init: false },
    ]);
  });
  it('a completed pod starts nothing again, until it is deleted', () => {
    const p = pod({ containers: specOf('a'), restartPolicy: 'OnFailure' });
    expect(computePodActions(p, [exited('a', 0, 1)], T0, ctx({ completed: 'Failed' }))).toEqual({ actions: [] });
    expect(computePodActions(p, [], T0, ctx({ completed: 'Failed', sandboxExists: false }))).toEqual({ actions: [] });
    expect(
      computePodActions(
        { ...p, metadata: { ...p.metadata, ...deleting } },
        [exited('a', 0, 1)],
        T0,
        ctx({ completed: 'Failed' }),
      ).terminate,
    ).toMatchObject({ reason: 'deleted', stop: [] });
  });
  it('a pod that completes stops what still runs with its own grace period', () => {
    expect(completionOf(pod(spec), [running('a'), exited('b', 0, 0)])).toMatchObject({
      reason: 'completed',
      graceSeconds: 7,
      stop: [{ id: 's-a-0' }],
    });
  });
});

describe('computePodPhase', () => {
  const p = (restartPolicy = 'Always'): V1Pod =>
    pod({ initContainers: specOf('i'), containers: specOf('a', 'b'), restartPolicy });
  it('is Pending until the init containers are done and every app container started once', () => {
    expect(computePodPhase(p(), [])).toEqual({ initDone: false, phase: 'Pending' });
    expect(computePodPhase(p(), [exited('i', 0, 1)])).toEqual({ initDone: false, phase: 'Pending' });
    expect(computePodPhase(p(), [exited('i', 0, 0), running('a')])).toEqual({ initDone: true, phase: 'Pending' });
  });
  it('is Running while one runs or restarts, then Succeeded or Failed', () => {
    const done = exited('i', 0, 0);
    expect(computePodPhase(p(), [done, running('a'), exited('b', 0, 0)]).phase).toBe('Running');
    expect(computePodPhase(p(), [done, exited('a', 0, 0), exited('b', 0, 0)]).phase).toBe('Running'); // Always restarts them
    expect(computePodPhase(p('OnFailure'), [done, exited('a', 0, 0), exited('b', 0, 0)]).phase).toBe('Succeeded');
    expect(computePodPhase(p('OnFailure'), [done, exited('a', 0, 0), exited('b', 0, 1)]).phase).toBe('Running');
    expect(computePodPhase(p('Never'), [done, exited('a', 0, 0), exited('b', 0, 1)]).phase).toBe('Failed');
    expect(computePodPhase(p('Never'), [done, created('a'), exited('b', 0, 1)]).phase).toBe('Running');
  });
});

describe('helpers', () => {
  it('garbage: exited attempts older than the newest two', () => {
    const all = [
      exited('a', 0, 1),
      exited('a', 1, 1),
      exited('a', 2, 1),
      running('a', 3),
      exited('b', 0, 1),
      running('b', 1),
    ];
    expect(garbageContainers(all).map((c) => c.id)).toEqual(['s-a-0', 's-a-1']);
  });
  it('formats delays as the kubelet does', () => {
    expect([500, 10_000, 60_000, 160_000, 300_000].map(formatDelay)).toEqual(['500ms', '10s', '1m0s', '2m40s', '5m0s']);
  });
});

describe('computePodActions: ephemeral containers (kubectl debug)', () => {
  const debugged = pod({
    containers: specOf('app'),
    initContainers: specOf('init'),
    ephemeralContainers: specOf('dbg'),
    restartPolicy: 'Always',
  });

  it('starts a new one at once, even while an init container still runs', () => {
    expect(brief(computePodActions(debugged, [running('init')], T0, ctx()).actions)).toEqual(['start dbg#0']);
  });

  it('never restarts one that exited, whatever the restart policy', () => {
    const r = computePodActions(debugged, [exited('init', 0, 0), running('app'), exited('dbg', 0, 1)], T0, ctx());
    expect(brief(r.actions)).toEqual([]);
  });

  it('does not change the pod phase when it exits', () => {
    expect(computePodPhase(debugged, [exited('init', 0, 0), running('app'), exited('dbg', 0, 1)]).phase).toBe(
      'Running',
    );
  });
});
