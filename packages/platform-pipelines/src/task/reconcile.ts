// A TaskRun's next actions from what is observed: its Task's spec (or why there is none), its
// current pod, the results read back once the pod succeeded, and the time. Pure: the runner
// (controller.ts) gathers the inputs and carries out the actions.
import type { V1ContainerStatus, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { isDone, setSucceeded, type Outcome } from '../common/conditions.js';
import { formatDuration, parseDuration } from '../common/duration.js';
import { describeErrors } from '../common/field-error.js';
import { RUN_SPEC_STATUS, TASKRUN_REASONS as R } from '../common/reasons.js';
import {
  type RunResult,
  type StepState,
  type TaskRun,
  type TaskRunStatus,
  type TaskSpec,
  type WorkspaceBinding,
} from '../types.js';
import { resolveParams } from './params.js';
import { buildPod, podName, stepContainerName, type PodOptions } from './pod.js';
import { validateTaskSpec } from './validate.js';

/** Tekton's default TaskRun timeout. */
export const DEFAULT_TIMEOUT = '1h0m0s';

export type TaskSpecSource = { spec: TaskSpec } | { error: string; reason: string };

export interface TaskRunObserved {
  readonly task: TaskSpecSource;
  /** The pod of the current attempt, if it exists. */
  readonly pod: V1Pod | undefined;
  /** Results read from the succeeded pod (undefined: not read yet). */
  readonly results?: RunResult[];
  /** Claims that exist, by name (for volumeClaimTemplate workspaces). */
  readonly claims: ReadonlySet<string>;
  readonly now: Date;
  readonly podOptions: PodOptions;
}

export type TaskRunAction =
  | { type: 'createPod'; pod: V1Pod }
  | { type: 'deletePod'; name: string }
  | { type: 'createClaim'; claim: V1PersistentVolumeClaim }
  | { type: 'readResults'; pod: string }
  | { type: 'status'; status: TaskRunStatus }
  | { type: 'event'; eventType: 'Normal' | 'Warning'; reason: string; message: string };

export interface TaskRunDecision {
  readonly actions: TaskRunAction[];
  readonly requeueAfterMs?: number;
}

const attempt = (tr: TaskRun): number => tr.status?.retriesStatus?.length ?? 0;
const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The claim made for a volumeClaimTemplate workspace of this run (Tekton: `<template>-<hash of run>`). */
export function claimName(runName: string, workspace: string): string {
  return `pvc-${runName}-${workspace}`.slice(0, 63).replace(/-+$/, '');
}

/** Bindings with each volumeClaimTemplate turned into the claim of that name. */
export function concreteBindings(
  runName: string,
  bindings: readonly WorkspaceBinding[] | undefined,
): WorkspaceBinding[] {
  return (bindings ?? []).map((b) =>
    b.volumeClaimTemplate
      ? {
          name: b.name,
          ...(b.subPath ? { subPath: b.subPath } : {}),
          persistentVolumeClaim: { claimName: claimName(runName, b.name) },
        }
      : b,
  );
}

/** Claims to create for volumeClaimTemplate bindings, owned by `owner`. */
export function templateClaims(
  owner: { apiVersion: string; kind: string; name: string; uid: string; namespace: string },
  bindings: readonly WorkspaceBinding[] | undefined,
  existing: ReadonlySet<string>,
): V1PersistentVolumeClaim[] {
  return (bindings ?? [])
    .filter((b) => b.volumeClaimTemplate && !existing.has(claimName(owner.name, b.name)))
    .map((b) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...(b.volumeClaimTemplate?.metadata ?? {}),
        name: claimName(owner.name, b.name),
        namespace: owner.namespace,
        ownerReferences: [
          {
            apiVersion: owner.apiVersion,
            kind: owner.kind,
            name: owner.name,
            uid: owner.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: b.volumeClaimTemplate?.spec ?? {},
    }));
}

function stepStates(spec: TaskSpec, pod: V1Pod | undefined): StepState[] {
  const statuses = new Map<string, V1ContainerStatus>(
    (pod?.status?.initContainerStatuses ?? []).map((c) => [c.name, c]),
  );
  return spec.steps.map((s, i) => {
    const container = stepContainerName(s, i);
    const cs = statuses.get(container);
    const st: StepState = { name: s.name ?? `unnamed-${i}`, container };
    if (cs?.imageID) st.imageID = cs.imageID;
    const t = cs?.state?.terminated;
    if (t)
      st.terminated = {
        exitCode: t.exitCode,
        reason: t.reason ?? (t.exitCode === 0 ? 'Completed' : 'Error'),
        ...(t.startedAt ? { startedAt: String(t.startedAt) } : {}),
        ...(t.finishedAt ? { finishedAt: String(t.finishedAt) } : {}),
      };
    else if (cs?.state?.running)
      st.running = { ...(cs.state.running.startedAt ? { startedAt: String(cs.state.running.startedAt) } : {}) };
    else
      st.waiting = {
        reason: cs?.state?.waiting?.reason ?? 'PodInitializing',
        ...(cs?.state?.waiting?.message ? { message: cs.state.waiting.message } : {}),
      };
    return st;
  });
}

/** Steps that never ran once the run ended are terminated with the run's reason, as Tekton shows them. */
const endSteps = (steps: StepState[], reason: string): StepState[] =>
  steps.map((s) =>
    s.terminated
      ? s
      : {
          name: s.name,
          container: s.container,
          ...(s.imageID ? { imageID: s.imageID } : {}),
          terminated: { exitCode: 1, reason },
        },
  );

export function reconcileTaskRun(tr: TaskRun, o: TaskRunObserved): TaskRunDecision {
  const status: TaskRunStatus = { ...(tr.status ?? {}) };
  if (isDone(status.conditions)) return { actions: [] };
  const name = tr.metadata?.name ?? '';
  const now = iso(o.now);
  status.startTime ??= now;
  status.observedGeneration = tr.metadata?.generation ?? 1;
  const finish = (outcome: Outcome, reason: string, message: string, extra: TaskRunAction[] = []): TaskRunDecision => {
    status.conditions = setSucceeded(status.conditions, outcome, reason, message, now);
    if (outcome !== 'Unknown') status.completionTime = now;
    const ev: TaskRunAction[] =
      outcome === 'Unknown'
        ? []
        : [{ type: 'event', eventType: outcome === 'True' ? 'Normal' : 'Warning', reason, message }];
    return { actions: [...extra, { type: 'status', status }, ...ev] };
  };
  if ('error' in o.task) return finish('False', o.task.reason, o.task.error);
  const spec = o.task.spec;
  status.taskSpec = spec;
  const errors = validateTaskSpec(spec, 'spec.taskSpec');
  if (errors.length) return finish('False', R.validationFailed, `invalid TaskSpec: ${describeErrors(errors)}`);
  const params = resolveParams(spec.params, tr.spec.params);
  if (params.missing.length)
    return finish(
      'False',
      R.validationFailed,
      `invalid input params for task ${tr.spec.taskRef?.name ?? name}: missing values for these params which have no default values: [${params.missing.join(' ')}]`,
    );
  if (params.mismatched.length)
    return finish(
      'False',
      R.validationFailed,
      `invalid input params for task ${tr.spec.taskRef?.name ?? name}: param types don't match the user-specified type: [${params.mismatched.join(' ')}]`,
    );
  const missingWs = (spec.workspaces ?? [])
    .filter((w) => !w.optional && !(tr.spec.workspaces ?? []).some((b) => b.name === w.name))
    .map((w) => w.name);
  if (missingWs.length)
    return finish(
      'False',
      R.validationFailed,
      `bind workspace error: declared workspace ${missingWs.map((w) => `"${w}"`).join(', ')} is required but has not been bound`,
    );

  const retry = attempt(tr);
  const pod = o.pod;
  const currentPod = podName(name, retry);
  status.podName = currentPod;
  status.steps = stepStates(spec, pod);
  const podGone: TaskRunAction[] =
    pod && !pod.metadata?.deletionTimestamp ? [{ type: 'deletePod', name: currentPod }] : [];

  if (tr.spec.status === RUN_SPEC_STATUS.taskRunCancelled) {
    status.steps = endSteps(status.steps, R.cancelled);
    return finish(
      'False',
      R.cancelled,
      `TaskRun "${name}" was cancelled. ${tr.spec.statusMessage ?? ''}`.trim(),
      podGone,
    );
  }
  const timeoutMs = parseDuration(tr.spec.timeout ?? DEFAULT_TIMEOUT);
  const elapsed = o.now.getTime() - Date.parse(status.startTime);
  if (timeoutMs > 0 && elapsed >= timeoutMs) {
    status.steps = endSteps(status.steps, R.timeout);
    return finish(
      'False',
      R.timeout,
      `TaskRun "${name}" failed to finish within "${formatDuration(timeoutMs)}"`,
      podGone,
    );
  }
  const requeueAfterMs = timeoutMs > 0 ? timeoutMs - elapsed : undefined;
  const withTimer = (d: TaskRunDecision): TaskRunDecision =>
    requeueAfterMs === undefined ? d : { ...d, requeueAfterMs };

  if (!pod) {
    const owner = {
      apiVersion: tr.apiVersion ?? 'tekton.dev/v1',
      kind: 'TaskRun',
      name,
      uid: tr.metadata?.uid ?? '',
      namespace: tr.metadata?.namespace ?? '',
    };
    const claims = templateClaims(owner, tr.spec.workspaces, o.claims);
    const built = buildPod(
      { taskRun: tr, spec, params: params.values, workspaces: concreteBindings(name, tr.spec.workspaces), retry },
      o.podOptions,
    );
    status.podName = built.metadata?.name ?? currentPod;
    return withTimer(
      finish('Unknown', R.pending, 'Pending', [
        ...claims.map((claim): TaskRunAction => ({ type: 'createClaim', claim })),
        { type: 'createPod', pod: built },
      ]),
    );
  }
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') {
    if (!o.results) return withTimer({ actions: [{ type: 'readResults', pod: currentPod }] });
    if (o.results.length) status.results = o.results;
    return finish('True', R.succeeded, 'All Steps have completed executing');
  }
  if (phase === 'Failed') {
    const failed = status.steps.find((s) => s.terminated && s.terminated.exitCode !== 0);
    const image = spec.steps.find((_s, i) => stepContainerName(_s, i) === failed?.container)?.image;
    const message = failed
      ? `"${failed.container}" exited with code ${failed.terminated?.exitCode ?? 1}${image ? ` (image: "${image}")` : ''}`
      : (pod.status?.message ?? 'the pod failed');
    status.steps = endSteps(status.steps, 'Skipped');
    if (retry < (tr.spec.retries ?? 0)) {
      // The failed attempt goes to retriesStatus and a new pod starts (Tekton's ToBeRetried).
      const failedAttempt: TaskRunStatus = {
        ...status,
        conditions: setSucceeded(undefined, 'False', R.failed, message, now),
        completionTime: now,
      };
      delete failedAttempt.retriesStatus;
      delete failedAttempt.taskSpec;
      const next: TaskRunStatus = {
        ...status,
        retriesStatus: [...(status.retriesStatus ?? []), failedAttempt],
        podName: podName(name, retry + 1),
        steps: [],
      };
      next.conditions = setSucceeded(status.conditions, 'Unknown', R.toBeRetried, message, now);
      return withTimer({
        actions: [
          { type: 'status', status: next },
          { type: 'event', eventType: 'Warning', reason: R.toBeRetried, message },
        ],
      });
    }
    return finish('False', R.failed, message);
  }
  const pull = (pod.status?.initContainerStatuses ?? []).find((c) =>
    /ImagePullBackOff|ErrImagePull|InvalidImageName/.test(c.state?.waiting?.reason ?? ''),
  );
  if (pull)
    return withTimer(
      finish(
        'Unknown',
        R.pending,
        `the step "${pull.name}" in TaskRun "${name}" failed to pull the image "${pull.image}": ${pull.state?.waiting?.message ?? pull.state?.waiting?.reason ?? ''}`,
      ),
    );
  if (
    phase === 'Running' ||
    (pod.status?.initContainerStatuses ?? []).some((c) => c.state?.running || c.state?.terminated)
  ) {
    return withTimer(finish('Unknown', R.running, 'Not all Steps in the Task have finished executing'));
  }
  return withTimer(finish('Unknown', R.pending, 'Pending'));
}
