// The queue policy for triggered runs, as pure decisions. Per Repository and branch: `queue`
// runs every push in order, one at a time; `supersede` (the default) keeps only the newest
// queued push; `cancel-running` also cancels the run in progress. Cluster-wide, at most `limit`
// runs go at once. A queued run is a PipelineRun with spec.status PipelineRunPending (Tekton's
// pending state); starting it clears that field, cancelling sets Cancelled, as Tekton reads them.
import type { PipelineRun } from './pipelinerun.js';
import { LABEL_BRANCH, LABEL_REPOSITORY, type ConcurrencyPolicy } from './types.js';

export type RunState = 'pending' | 'running' | 'done';

export interface RunView {
  readonly name: string;
  /** namespace/repository/branch: the queue a run waits in. */
  readonly queue: string;
  readonly created: string;
  readonly state: RunState;
}

export function runState(run: PipelineRun): RunState {
  const succeeded = run.status?.conditions?.find((c) => c.type === 'Succeeded');
  if (succeeded && succeeded.status !== 'Unknown') return 'done';
  // Cancelled runs stop; they no longer hold a slot.
  if (run.spec.status?.startsWith('Cancelled') || run.spec.status === 'StoppedRunFinally') return 'done';
  return run.spec.status === 'PipelineRunPending' ? 'pending' : 'running';
}

export function viewOf(run: PipelineRun): RunView {
  const m = run.metadata;
  return {
    name: `${m.namespace}/${m.name ?? ''}`,
    queue: `${m.namespace}/${m.labels[LABEL_REPOSITORY] ?? ''}/${m.labels[LABEL_BRANCH] ?? ''}`,
    created: m.creationTimestamp ?? '',
    state: runState(run),
  };
}

export interface PushPlan {
  /** Create the new run started (else pending). */
  readonly startNow: boolean;
  /** Runs of the same queue to cancel, and why. */
  readonly cancel: readonly { readonly name: string; readonly reason: 'Superseded' | 'CancelledByNewerPush' }[];
}

/** What a new push to a queue does, given that queue's runs and the cluster's running count. */
export function planPush(
  policy: ConcurrencyPolicy,
  sameQueue: readonly RunView[],
  runningInCluster: number,
  limit: number,
): PushPlan {
  const pending = sameQueue.filter((r) => r.state === 'pending');
  const running = sameQueue.filter((r) => r.state === 'running');
  switch (policy) {
    case 'queue':
      return { startNow: pending.length === 0 && running.length === 0 && runningInCluster < limit, cancel: [] };
    case 'supersede':
      return {
        startNow: running.length === 0 && runningInCluster < limit,
        cancel: pending.map((r) => ({ name: r.name, reason: 'Superseded' as const })),
      };
    case 'cancel-running':
      return {
        startNow: runningInCluster - running.length < limit,
        cancel: [
          ...pending.map((r) => ({ name: r.name, reason: 'Superseded' as const })),
          ...running.map((r) => ({ name: r.name, reason: 'CancelledByNewerPush' as const })),
        ],
      };
  }
}

/** The pending runs to start now: oldest first, one per queue, while the cluster has slots. */
export function admit(runs: readonly RunView[], limit: number): string[] {
  let running = runs.filter((r) => r.state === 'running').length;
  const busy = new Set(runs.filter((r) => r.state === 'running').map((r) => r.queue));
  const start: string[] = [];
  const pending = runs
    .filter((r) => r.state === 'pending')
    .sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name));
  for (const r of pending) {
    if (running >= limit) break;
    if (busy.has(r.queue)) continue;
    start.push(r.name);
    busy.add(r.queue);
    running++;
  }
  return start;
}
