// What every platform controller receives: the client, shared informers, the clock, a Logger
// and an event recorder; and the collection paths they watch.
import type { KubernetesObject } from '@kubernetes/client-node';
import { type ControllerContext, type EventRecorder, Informer, type Logger } from '@wharf/client';
import { API_VERSION, LABELS } from '../types.js';

export interface PlatformContext extends ControllerContext {
  readonly logger: Logger;
  readonly events: EventRecorder;
}

export const COLLECTIONS = {
  applications: `/apis/${API_VERSION}/applications`,
  revisions: `/apis/${API_VERSION}/applicationrevisions`,
  configSets: `/apis/${API_VERSION}/configsets`,
  deployments: '/apis/apps/v1/deployments',
  pods: '/api/v1/pods',
  secrets: '/api/v1/secrets',
} as const;

/** An informer on the objects carrying `label` only (never every ConfigMap or pod of the cluster). */
export function labelledInformer<T extends KubernetesObject>(
  ctx: PlatformContext,
  path: string,
  label: string,
): Informer<T> {
  return new Informer<T>({
    client: ctx.client,
    path,
    labelSelector: label,
    clock: ctx.clock,
    onError: (e) => ctx.logger.warn({ err: e, path }, 'watch failed; retrying'),
  });
}

export const PLATFORM_LABEL_SELECTORS = {
  versionConfigMaps: LABELS.configSet,
  appObjects: LABELS.application,
} as const;
