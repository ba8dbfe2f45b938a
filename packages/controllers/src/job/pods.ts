// The pods a Job creates, and the facts about finished pods the Job controller counts.
import type { V1Container, V1Job, V1Pod } from '@kubernetes/client-node';
import { clone, isTerminating, ownerRefTo } from '../common/pods.js';
import { timeOf } from '@wharf/client';
import { COMPLETION_INDEX } from './indexes.js';

/** Keeps a finished pod until the controller has counted it in the Job's status. */
export const TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

export function isIndexed(job: V1Job): boolean {
  return job.spec?.completionMode === 'Indexed';
}

export function jobPod(job: V1Job, index: number | undefined): V1Pod {
  const tpl = job.spec?.template;
  const spec = clone(tpl?.spec ?? { containers: [] });
  const labels = { ...(tpl?.metadata?.labels ?? {}) };
  const annotations = { ...(tpl?.metadata?.annotations ?? {}) };
  let generateName = `${job.metadata?.name}-`;
  if (index !== undefined) {
    labels[COMPLETION_INDEX] = String(index);
    annotations[COMPLETION_INDEX] = String(index);
    generateName = `${job.metadata?.name}-${index}-`;
    spec.hostname ??= `${job.metadata?.name}-${index}`;
    const withIndex = (c: V1Container): V1Container => ({
      ...c,
      env: [
        ...(c.env ?? []).filter((e) => e.name !== 'JOB_COMPLETION_INDEX'),
        {
          name: 'JOB_COMPLETION_INDEX',
          valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } },
        },
      ],
    });
    spec.containers = spec.containers.map(withIndex);
    if (spec.initContainers) spec.initContainers = spec.initContainers.map(withIndex);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace: job.metadata?.namespace ?? 'default',
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      finalizers: [TRACKING_FINALIZER],
      ownerReferences: [ownerRefTo(job, 'batch/v1', 'Job')],
    },
    spec,
  };
}

export function hasTrackingFinalizer(p: V1Pod): boolean {
  return (p.metadata?.finalizers ?? []).includes(TRACKING_FINALIZER);
}

export function succeeded(p: V1Pod): boolean {
  return p.status?.phase === 'Succeeded';
}

/** Failed, or deleted before it succeeded (as the real controller counts without a pod failure policy). */
export function failed(p: V1Pod): boolean {
  return p.status?.phase === 'Failed' || (isTerminating(p) && p.status?.phase !== 'Succeeded');
}

export function finishTime(p: V1Pod): number {
  let t = NaN;
  for (const c of p.status?.containerStatuses ?? []) {
    const f = timeOf(c.state?.terminated?.finishedAt);
    if (Number.isFinite(f) && !(f <= t)) t = f;
  }
  if (Number.isFinite(t)) return t;
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const r = timeOf(ready?.lastTransitionTime);
  if (Number.isFinite(r)) return r;
  const d = timeOf(p.metadata?.deletionTimestamp);
  return Number.isFinite(d) ? d : timeOf(p.metadata?.creationTimestamp);
}

/** Pod-creation back-off after failures: 10 s doubled per failure since the last success, at most 6 min. */
export function backoffMs(failuresSinceSuccess: number): number {
  if (failuresSinceSuccess <= 0) return 0;
  return Math.min(360_000, 10_000 * 2 ** (failuresSinceSuccess - 1));
}
