// Creating and deleting a workload's pods, shared by the ReplicaSet, DaemonSet, StatefulSet and
// Job controllers as Kubernetes' PodControl is: creates go out in slow-start batches (1, 2, 4, ...)
// so a template the API rejects fails once rather than N times; every pod not created or not
// deleted is observed in the expectations, so the controller never waits for it; each outcome is
// an event on the owner.
import type { V1Pod } from '@kubernetes/client-node';
import { isStatus, type KubeClient } from './client.js';
import type { EventRecorder, EventTarget } from './events.js';
import type { Expectations } from './expectations.js';

export interface PodControlOptions {
  readonly client: Pick<KubeClient, 'create' | 'delete'>;
  readonly events: EventRecorder;
  readonly expectations: Expectations;
}

/**
 * Calls `fn` for indexes 0..count-1 in batches that double from `initialBatch`, stopping after the
 * first batch with a failure (as upstream's slowStartBatch). Answers how many succeeded and the
 * first error, if any.
 */
export async function slowStartBatch(
  count: number,
  initialBatch: number,
  fn: (i: number) => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let successes = 0;
  let start = 0;
  for (let batch = Math.min(initialBatch, count); start < count; batch = Math.min(2 * batch, count - start)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, (_, j) => fn(start + j)));
    start += batch;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
  }
  return { successes };
}

export class PodControl {
  constructor(private readonly opts: PodControlOptions) {}

  /**
   * Creates `pods` for the owner whose expectations live under `key` (the caller has raised them).
   * A named pod that exists already counts as created. Throws the first error, after the batch.
   */
  async createPods(key: string, owner: EventTarget, pods: readonly V1Pod[]): Promise<void> {
    const { client, events, expectations } = this.opts;
    const { successes, error } = await slowStartBatch(pods.length, 1, async (i) => {
      const pod = pods[i]!;
      const ns = pod.metadata?.namespace ?? owner.namespace ?? 'default';
      try {
        const created = await client.create<V1Pod>(`/api/v1/namespaces/${ns}/pods`, pod);
        events.emit(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      } catch (e) {
        if (pod.metadata?.name && isStatus(e, 409)) {
          expectations.observeAdd(key);
          return;
        }
        events.emit(owner, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        throw e;
      }
    });
    if (error === undefined) return;
    // The pods that failed or were never asked for will not be observed by the informer either.
    for (let i = successes; i < pods.length; i++) expectations.observeAdd(key);
    throw error;
  }

  /** Deletes `pods` at once, each only if its uid is still the one seen; a pod gone already counts as deleted. */
  async deletePods(key: string, owner: EventTarget, pods: readonly V1Pod[]): Promise<void> {
    const { client, events, expectations } = this.opts;
    const results = await Promise.allSettled(
      pods.map(async (p) => {
        const m = p.metadata ?? {};
        try {
          await client.delete(`/api/v1/namespaces/${m.namespace ?? owner.namespace ?? 'default'}/pods/${m.name}`, {
            preconditions: { uid: m.uid },
          });
          events.emit(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${m.name}`);
        } catch (e) {
          expectations.observeDelete(key);
          if (isStatus(e, 404) || isStatus(e, 409)) return;
          events.emit(owner, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
          throw e;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
