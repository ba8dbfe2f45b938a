import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from '../../tables/table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60_000;
const PODS = BUILTIN_RESOURCES.find((r) => r.resource === 'pods') as ResourceInfo;

function row(pod: KubeObject): unknown[] {
  return toTable(PODS, [pod], { now: NOW }).rows[0]?.cells ?? [];
}

function pod(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  meta: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', creationTimestamp: ago(10 * MIN), ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}

const running = { running: { startedAt: ago(9 * MIN) } };

describe('pod table', () => {
  it('has the kubectl columns, the wide ones at priority 1', () => {
    const table = toTable(PODS, [], { now: NOW });
    expect(table.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
    expect(table.columnDefinitions[0]).toMatchObject({ type: 'string', format: 'name' });
    expect(table.columnDefinitions[0]?.description).toMatch(/^Name must be unique within a namespace/);
  });

  it('counts ready containers out of all: one of two ready is 1/2 Running', () => {
    const p = pod(
      { containers: [{ name: 'app' }, { name: 'sidecar' }], nodeName: 'node-a' },
      {
        phase: 'Running',
        podIPs: [{ ip: '10.244.0.7' }],
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 0, state: running },
          { name: 'sidecar', ready: false, restartCount: 0, state: running },
        ],
      },
    );
    expect(row(p)).toEqual(['web-1', '1/2', 'Running', '0', '10m', '10.244.0.7', 'node-a', '<none>', '<none>']);
  });

  it('shows CrashLoopBackOff with restarts and when the last one happened', () => {
    const p = pod(
      {},
      {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MIN) } },
          },
        ],
      },
    );
    expect(row(p).slice(0, 5)).toEqual(['web-1', '0/1', 'CrashLoopBackOff', '5 (5m ago)', '10m']);
  });

  it('shows a freshly created pod as Pending with <none> wide cells', () => {
    expect(row(pod({}, { phase: 'Pending' }))).toEqual([
      'web-1',
      '0/1',
      'Pending',
      '0',
      '10m',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });

  it('shows ContainerCreating while the image is pulled', () => {
    const p = pod(
      {},
      {
        phase: 'Pending',
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      },
    );
    expect(row(p)[2]).toBe('ContainerCreating');
  });

  it('shows Init:x/y while init containers run', () => {
    const p = pod(
      { initContainers: [{ name: 'migrate' }, { name: 'seed' }] },
      {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'migrate',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
          { name: 'seed', ready: false, restartCount: 0, state: running },
        ],
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    );
    expect(row(p).slice(1, 4)).toEqual(['0/1', 'Init:1/2', '0']);
  });

  it('shows a failing init container as Init:<reason> and counts its restarts', () => {
    const p = pod(
      { initContainers: [{ name: 'migrate' }] },
      {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'migrate',
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 2, finishedAt: ago(2 * MIN) } },
          },
        ],
      },
    );
    expect(row(p).slice(2, 4)).toEqual(['Init:CrashLoopBackOff', '3 (2m ago)']);
    const exited = pod(
      { initContainers: [{ name: 'migrate' }] },
      {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'migrate', restartCount: 0, state: { terminated: { exitCode: 2 } } }],
      },
    );
    expect(row(exited)[2]).toBe('Init:ExitCode:2');
  });

  it('counts a started sidecar (restartable init container) as a container', () => {
    const p = pod(
      { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: running }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
    );
    expect(row(p).slice(1, 4)).toEqual(['2/2', 'Running', '1']);
  });

  it('shows Completed for a finished pod and marks the row completed', () => {
    const p = pod(
      {},
      {
        phase: 'Succeeded',
        containerStatuses: [
          { name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
    );
    const table = toTable(PODS, [p], { now: NOW });
    expect(table.rows[0]?.cells.slice(1, 3)).toEqual(['0/1', 'Completed']);
    expect(table.rows[0]?.conditions).toEqual([
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
  });

  it('shows Error / ExitCode for a failed container and NotReady when one container still runs', () => {
    const failed = pod(
      {},
      {
        phase: 'Failed',
        containerStatuses: [
          { name: 'app', restartCount: 0, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } },
        ],
      },
    );
    expect(row(failed)[2]).toBe('OOMKilled');
    const partly = pod(
      { containers: [{ name: 'app' }, { name: 'job' }] },
      {
        phase: 'Running',
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 0, state: running },
          { name: 'job', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
    );
    expect(row(partly).slice(1, 3)).toEqual(['1/2', 'NotReady']);
  });

  it('shows Terminating once deletionTimestamp is set, Unknown when the node is lost', () => {
    const status = {
      phase: 'Running',
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
    };
    expect(row(pod({}, status, { deletionTimestamp: ago(0) }))[2]).toBe('Terminating');
    expect(row(pod({}, { ...status, reason: 'NodeLost' }, { deletionTimestamp: ago(0) }))[2]).toBe('Unknown');
    const done = pod({}, { phase: 'Succeeded' }, { deletionTimestamp: ago(0) });
    expect(row(done)[2]).toBe('Succeeded');
  });

  it('shows SchedulingGated and readiness gates', () => {
    const gated = pod(
      {},
      { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
    );
    expect(row(gated)[2]).toBe('SchedulingGated');
    const gates = pod(
      { readinessGates: [{ conditionType: 'lb/ready' }, { conditionType: 'dns/ready' }] },
      {
        phase: 'Running',
        conditions: [
          { type: 'lb/ready', status: 'True' },
          { type: 'dns/ready', status: 'False' },
        ],
      },
    );
    expect(row(gates)[8]).toBe('1/2');
  });
});
