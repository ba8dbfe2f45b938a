import { describe, expect, it } from 'vitest';
import type { ContainerStatus } from '../runtime/types.js';
import { containerStatusJson, observeContainers, podStatus } from './pod-status.js';

const exited = (attempt: number, exitCode: number): ContainerStatus => ({
  id: `s-c-${attempt}`,
  sandboxId: 's',
  name: 'c',
  attempt,
  state: 'exited',
  createdAt: '2025-01-01T00:00:00.000Z',
  startedAt: '2025-01-01T00:00:01.123Z',
  finishedAt: '2025-01-01T00:00:02.456Z',
  exitCode,
  reason: exitCode ? 'Error' : 'Completed',
  logPath: '/x',
});

describe('pod status', () => {
  it('shows CrashLoopBackOff with the last termination and the restart count', () => {
    const s = containerStatusJson({
      spec: { name: 'c', image: 'busybox:1' },
      latest: exited(2, 1),
      waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' },
      ready: false,
      started: false,
    });
    expect(s).toMatchObject({
      restartCount: 2,
      containerID: 'runc://s-c-2',
      state: { waiting: { reason: 'CrashLoopBackOff' } },
    });
    expect(s.lastState).toEqual({
      terminated: {
        exitCode: 1,
        reason: 'Error',
        startedAt: '2025-01-01T00:00:01Z',
        finishedAt: '2025-01-01T00:00:02Z',
        containerID: 'runc://s-c-2',
      },
    });
  });
  it('keeps lastTransitionTime and PodScheduled, names unready containers', () => {
    const pod = {
      status: {
        conditions: [
          { type: 'PodScheduled', status: 'True', lastTransitionTime: 'T0' },
          { type: 'Ready', status: 'False', lastTransitionTime: 'T1' },
        ],
      },
    };
    const s = podStatus({
      pod: pod as never,
      phase: 'Running',
      hostIP: '127.0.0.1',
      podIP: '10.0.0.2',
      sandboxReady: true,
      initDone: true,
      init: [],
      containers: [{ spec: { name: 'c' }, ready: false, started: true }],
      now: 'T2',
    }) as { conditions: Record<string, unknown>[]; podIPs: unknown };
    expect(s.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      lastTransitionTime: 'T1',
      message: 'containers with unready status: [c]',
    });
    expect(s.conditions.find((c) => c.type === 'PodScheduled')).toEqual({
      type: 'PodScheduled',
      status: 'True',
      lastTransitionTime: 'T0',
    });
    expect(s.conditions.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'True',
      lastTransitionTime: 'T2',
    });
    expect(s.podIPs).toEqual([{ ip: '10.0.0.2' }]);
  });
  it('reports each mount once the container exists, image volumes with the digest they resolved to', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const spec = {
      name: 'web',
      image: 'tomcat:10',
      volumeMounts: [
        { name: 'wars', mountPath: '/www', readOnly: true, subPath: 'app' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    };
    const facts = {
      waiting: new Map(),
      probes: { started: () => true, ready: () => true },
      imageIDs: new Map([
        ['tomcat:10', 'tomcat@sha256:1'],
        ['shop-wars:1', `127.0.0.1:5000/shop-wars@${digest}`],
      ]),
      volumes: [
        { name: 'wars', image: { reference: 'shop-wars:1' } },
        { name: 'tmp', emptyDir: {} },
      ],
    };
    expect(observeContainers([spec], false, [], facts)[0]!.volumeMounts).toBeUndefined(); // not created yet
    const running: ContainerStatus = { ...exited(0, 0), name: 'web', state: 'running' };
    const [web] = observeContainers([spec], false, [running], facts);
    expect(containerStatusJson(web!).volumeMounts).toEqual([
      {
        name: 'wars',
        mountPath: '/www',
        readOnly: true,
        recursiveReadOnly: 'Disabled',
        volumeStatus: { image: { imageRef: `127.0.0.1:5000/shop-wars@${digest}` } },
      },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
  });
});
