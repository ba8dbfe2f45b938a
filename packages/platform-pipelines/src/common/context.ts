// What the pipeline controllers share: the client and its kubeconfig (client-node's Log streams
// pod logs), informers, clock, logger and event recorder, and the status writer every run uses.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { type ControllerContext, type EventRecorder, Informer, isStatus } from '@wharf/client';
import { LABELS, MANAGED_BY } from '../types.js';

export interface PipelinesContext extends ControllerContext {
  readonly kubeConfig: KubeConfig;
  readonly events: EventRecorder;
}

/** The pods this package made (never every pod of the cluster). */
export function ownPods<T extends KubernetesObject>(ctx: PipelinesContext): Informer<T> {
  return new Informer<T>({
    client: ctx.client,
    path: '/api/v1/pods',
    labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`,
    clock: ctx.clock,
    onError: (e) => ctx.logger.warn({ err: e }, 'pod watch failed; retrying'),
  });
}

/** Creates `body`, treating "already exists" as done (a create from before a crash or a stale cache). */
export async function createIfAbsent(ctx: PipelinesContext, path: string, body: unknown): Promise<void> {
  try {
    await ctx.client.create(path, body);
  } catch (e) {
    if (!isStatus(e, 409)) throw e;
  }
}

export async function deleteIfPresent(ctx: PipelinesContext, path: string): Promise<void> {
  try {
    await ctx.client.delete(path, { gracePeriodSeconds: 1 });
  } catch (e) {
    if (!isStatus(e, 404)) throw e;
  }
}
