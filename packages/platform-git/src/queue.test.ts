import { describe, expect, it } from 'vitest';
import { admit, planPush, runState, type RunView } from './queue.js';
import type { PipelineRun } from './pipelinerun.js';

const run = (name: string, state: RunView['state'], queue = 'ns/app/main', created = name): RunView => ({
  name,
  queue,
  created,
  state,
});

describe('queue policy for a new push', () => {
  const q = [run('r1', 'running'), run('r2', 'pending'), run('r3', 'done')];

  it('queue: waits behind what runs or waits, cancels nothing', () => {
    expect(planPush('queue', q, 1, 4)).toEqual({ startNow: false, cancel: [] });
    expect(planPush('queue', [run('r3', 'done')], 0, 4)).toEqual({ startNow: true, cancel: [] });
  });

  it('supersede: the queued push is cancelled, the new one waits for the running one', () => {
    expect(planPush('supersede', q, 1, 4)).toEqual({ startNow: false, cancel: [{ name: 'r2', reason: 'Superseded' }] });
    expect(planPush('supersede', [run('r2', 'pending')], 0, 4).startNow).toBe(true);
  });

  it('cancel-running: queued and running runs are cancelled, the new one starts', () => {
    expect(planPush('cancel-running', q, 1, 4)).toEqual({
      startNow: true,
      cancel: [
        { name: 'r2', reason: 'Superseded' },
        { name: 'r1', reason: 'CancelledByNewerPush' },
      ],
    });
  });

  it('the cluster-wide limit holds a new run back under every policy', () => {
    for (const p of ['queue', 'supersede', 'cancel-running'] as const)
      expect(planPush(p, [], 2, 2).startNow).toBe(false);
    // The run cancel-running stops frees its own slot.
    expect(planPush('cancel-running', [run('r1', 'running')], 2, 2).startNow).toBe(true);
  });
});

describe('admission of queued runs', () => {
  it('starts the oldest pending run per queue while slots are free', () => {
    const runs = [
      run('a1', 'running', 'ns/a/main'),
      run('a2', 'pending', 'ns/a/main'),
      run('b1', 'pending', 'ns/b/main', '1'),
      run('b2', 'pending', 'ns/b/dev', '2'),
      run('c1', 'pending', 'ns/c/main', '3'),
    ];
    expect(admit(runs, 3)).toEqual(['b1', 'b2']);
    expect(admit(runs, 10)).toEqual(['b1', 'b2', 'c1']);
    expect(admit(runs, 1)).toEqual([]);
  });
});

describe('run state from the PipelineRun', () => {
  const pr = (status?: string, cond?: string): PipelineRun => ({
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { namespace: 'ns', labels: {}, annotations: {} },
    spec: { pipelineRef: { name: 'p' }, params: [], ...(status ? { status } : {}) },
    ...(cond ? { status: { conditions: [{ type: 'Succeeded', status: cond }] } } : {}),
  });
  it('pending, running, done (finished or cancelled)', () => {
    expect(runState(pr('PipelineRunPending'))).toBe('pending');
    expect(runState(pr())).toBe('running');
    expect(runState(pr(undefined, 'Unknown'))).toBe('running');
    expect(runState(pr(undefined, 'False'))).toBe('done');
    expect(runState(pr('Cancelled'))).toBe('done');
  });
});
