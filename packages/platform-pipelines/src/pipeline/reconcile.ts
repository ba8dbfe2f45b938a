// A PipelineRun's next actions from what is observed: the Pipeline's spec (or why there is none),
// the TaskSpecs of its tasks, the TaskRuns it made so far, and the time. It validates once, walks
// the DAG (runAfter and result references), evaluates `when`, runs `finally` after the DAG,
// cancels and times out as Tekton does, and writes Tekton's Succeeded condition. Pure.
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { isDone, setSucceeded, succeeded, type Outcome } from '../common/conditions.js';
import { formatDuration, parseDuration } from '../common/duration.js';
import { describeErrors } from '../common/field-error.js';
import { PIPELINERUN_REASONS as R, RUN_SPEC_STATUS as S, TASKRUN_REASONS } from '../common/reasons.js';
import { substituteDeep, type VarValue } from '../common/substitute.js';
import { resolveParams } from '../task/params.js';
import { templateClaims, type TaskSpecSource } from '../task/reconcile.js';
import { validateTaskSpec } from '../task/validate.js';
import {
  API_VERSION,
  type ChildReference,
  type PipelineRun,
  type PipelineRunStatus,
  type PipelineSpec,
  type PipelineTask,
  type SkippedTask,
  type TaskRun,
} from '../types.js';
import { parentsOf, resultRefs } from './dag.js';
import { buildTaskRun } from './taskrun.js';
import { validatePipelineSpec } from './validate.js';
import { resolveWhen, whenAllows } from './when.js';

export const DEFAULT_PIPELINE_TIMEOUT = '1h0m0s';

/** Tekton's skipping reasons, as `status.skippedTasks[].reason` shows them. */
export const SKIP = {
  when: 'When Expressions evaluated to false',
  parent: 'Parent Tasks were skipped',
  results: 'Results were missing',
  stopping: 'PipelineRun was stopping',
  cancelled: 'PipelineRun was cancelled',
  gracefullyCancelled: 'PipelineRun was gracefully cancelled',
  gracefullyStopped: 'PipelineRun was gracefully stopped',
  timeout: 'PipelineRun timeout has been reached',
  tasksTimeout: 'PipelineRun Tasks timeout has been reached',
  finallyTimeout: 'PipelineRun Finally timeout has been reached',
} as const;

export type PipelineSource = { spec: PipelineSpec; name: string } | { error: string; reason: string };

export interface PipelineRunObserved {
  readonly pipeline: PipelineSource;
  /** The TaskSpec of each pipeline task (by pipeline task name). */
  readonly tasks: ReadonlyMap<string, TaskSpecSource>;
  /** The TaskRuns this run made, by pipeline task name. */
  readonly children: ReadonlyMap<string, TaskRun>;
  readonly claims: ReadonlySet<string>;
  readonly now: Date;
}

export type PipelineRunAction =
  | { type: 'createTaskRun'; taskRun: TaskRun }
  | { type: 'cancelTaskRun'; name: string; message: string }
  | { type: 'createClaim'; claim: V1PersistentVolumeClaim }
  | { type: 'status'; status: PipelineRunStatus }
  | { type: 'event'; eventType: 'Normal' | 'Warning'; reason: string; message: string };

export interface PipelineRunDecision {
  readonly actions: PipelineRunAction[];
  readonly requeueAfterMs?: number;
}

type TaskState = 'none' | 'running' | 'succeeded' | 'failed' | 'cancelled';

function stateOf(tr: TaskRun | undefined): TaskState {
  if (!tr) return 'none';
  const c = succeeded(tr.status?.conditions);
  if (!c || c.status === 'Unknown') return 'running';
  if (c.status === 'True') return 'succeeded';
  return c.reason === TASKRUN_REASONS.cancelled ? 'cancelled' : 'failed';
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const terminal = (s: TaskState): boolean => s === 'succeeded' || s === 'failed' || s === 'cancelled';

/** Validation before anything runs: the first problem, with Tekton's reason. */
function admit(
  pr: PipelineRun,
  spec: PipelineSpec,
  pipelineName: string,
  o: PipelineRunObserved,
): { reason: string; message: string } | undefined {
  const ns = pr.metadata?.namespace ?? '';
  const name = pr.metadata?.name ?? '';
  const invalid = (m: string): string => `Pipeline ${ns}/${pipelineName} can't be Run; it has an invalid spec: ${m}`;
  const errors = validatePipelineSpec(spec, 'spec');
  if (errors.length) return { reason: R.validationFailed, message: invalid(describeErrors(errors)) };
  const all = [...spec.tasks, ...(spec.finally ?? [])];
  for (const t of all) {
    const src = o.tasks.get(t.name);
    if (!src || 'error' in src)
      return {
        reason: src?.reason === TASKRUN_REASONS.couldntGetTask || !src ? R.couldntGetTask : R.validationFailed,
        message: `Pipeline ${ns}/${pipelineName} can't be Run; it contains Tasks that don't exist: ${src?.error ?? `task ${t.name}`}`,
      };
    if (t.taskRef) {
      const taskErrors = validateTaskSpec(src.spec, `Task ${t.taskRef.name}: spec`);
      if (taskErrors.length) return { reason: R.validationFailed, message: invalid(describeErrors(taskErrors)) };
    }
  }
  const params = resolveParams(spec.params, pr.spec.params);
  if (params.missing.length)
    return {
      reason: R.parameterMissing,
      message: `PipelineRun ${ns}/${name} is missing some parameters required by Pipeline ${ns}/${pipelineName}: [${params.missing.join(', ')}]`,
    };
  if (params.mismatched.length)
    return {
      reason: R.parameterTypeMismatch,
      message: `PipelineRun ${ns}/${name} parameters have mismatching types with Pipeline ${ns}/${pipelineName}'s parameters: [${params.mismatched.join(', ')}]`,
    };
  for (const [i, t] of all.entries()) {
    const src = o.tasks.get(t.name);
    if (!src || 'error' in src) continue;
    const given = new Set((t.params ?? []).map((p) => p.name));
    const missing = (src.spec.params ?? [])
      .filter((p) => p.default === undefined && !given.has(p.name))
      .map((p) => p.name);
    const at = i < spec.tasks.length ? `spec.tasks[${i}]` : `spec.finally[${i - spec.tasks.length}]`;
    if (missing.length)
      return {
        reason: R.parameterMissing,
        message: invalid(
          `${at}.params: missing values for these params which have no default values: [${missing.join(' ')}]`,
        ),
      };
    const declaredWs = new Set((t.workspaces ?? []).map((w) => w.name));
    const missingWs = (src.spec.workspaces ?? [])
      .filter((w) => !w.optional && !declaredWs.has(w.name))
      .map((w) => w.name);
    if (missingWs.length)
      return {
        reason: R.invalidWorkspaceBinding,
        message: invalid(
          `${at}.workspaces: task "${t.name}" requires workspace(s) [${missingWs.join(' ')}] but the pipeline task does not bind them`,
        ),
      };
    for (const ref of resultRefs(t)) {
      const target = o.tasks.get(ref.task);
      if (target && 'spec' in target && !(target.spec.results ?? []).some((r) => r.name === ref.result)) {
        return {
          reason: R.invalidTaskResultReference,
          message: `invalid result reference in pipeline task "${t.name}": "${ref.result}" is not a named result of task "${ref.task}"`,
        };
      }
    }
  }
  const bound = new Set((pr.spec.workspaces ?? []).map((w) => w.name));
  const unbound = (spec.workspaces ?? []).filter((w) => !w.optional && !bound.has(w.name)).map((w) => w.name);
  if (unbound.length)
    return {
      reason: R.invalidWorkspaceBinding,
      message: `pipeline requires workspace with name "${unbound[0]}" be provided by pipelinerun`,
    };
  return undefined;
}

export function reconcilePipelineRun(pr: PipelineRun, o: PipelineRunObserved): PipelineRunDecision {
  const status: PipelineRunStatus = { ...(pr.status ?? {}) };
  if (isDone(status.conditions)) return { actions: [] };
  const name = pr.metadata?.name ?? '';
  const now = iso(o.now);
  const actions: PipelineRunAction[] = [];
  const finish = (outcome: Outcome, reason: string, message: string): PipelineRunDecision => {
    status.conditions = setSucceeded(status.conditions, outcome, reason, message, now);
    if (outcome !== 'Unknown') status.completionTime = now;
    actions.push({ type: 'status', status });
    if (outcome !== 'Unknown')
      actions.push({ type: 'event', eventType: outcome === 'True' ? 'Normal' : 'Warning', reason, message });
    return { actions };
  };
  if (pr.spec.status === S.pending && !status.startTime)
    return finish('Unknown', S.pending, `PipelineRun "${name}" is pending`);
  status.startTime ??= now;
  if ('error' in o.pipeline) return finish('False', o.pipeline.reason, o.pipeline.error);
  const spec = o.pipeline.spec;
  status.pipelineSpec = spec;
  const rejected = admit(pr, spec, o.pipeline.name, o);
  if (rejected) return finish('False', rejected.reason, rejected.message);

  const owner = {
    apiVersion: API_VERSION,
    kind: 'PipelineRun',
    name,
    uid: pr.metadata?.uid ?? '',
    namespace: pr.metadata?.namespace ?? '',
  };
  for (const claim of templateClaims(owner, pr.spec.workspaces, o.claims)) actions.push({ type: 'createClaim', claim });

  // Variables: params, context, and the results of the tasks that succeeded.
  const vars = new Map<string, VarValue>();
  for (const [k, v] of resolveParams(spec.params, pr.spec.params).values) vars.set(`params.${k}`, v);
  vars.set('context.pipelineRun.name', name);
  vars.set('context.pipelineRun.namespace', pr.metadata?.namespace ?? '');
  vars.set('context.pipelineRun.uid', pr.metadata?.uid ?? '');
  vars.set('context.pipeline.name', o.pipeline.name);
  const states = new Map<string, TaskState>();
  // A TaskRun this run already made but the cache does not show yet is running, not to be made
  // again nor skipped.
  const made = new Set((status.childReferences ?? []).map((c) => c.pipelineTaskName));
  for (const t of [...spec.tasks, ...(spec.finally ?? [])]) {
    const child = o.children.get(t.name);
    states.set(t.name, !child && made.has(t.name) ? 'running' : stateOf(child));
    for (const r of child?.status?.results ?? [])
      if (stateOf(child) === 'succeeded') vars.set(`tasks.${t.name}.results.${r.name}`, r.value);
  }
  const skipped = new Map<string, SkippedTask>((status.skippedTasks ?? []).map((s) => [s.name, s]));
  const skip = (t: PipelineTask, reason: string, when?: SkippedTask['whenExpressions']): void => {
    if (!skipped.has(t.name))
      skipped.set(t.name, { name: t.name, reason, ...(when?.length ? { whenExpressions: when } : {}) });
  };

  // Timeouts and cancellation.
  const elapsed = o.now.getTime() - Date.parse(status.startTime);
  const pipelineMs = parseDuration(pr.spec.timeouts?.pipeline ?? DEFAULT_PIPELINE_TIMEOUT);
  const tasksMs = pr.spec.timeouts?.tasks ? parseDuration(pr.spec.timeouts.tasks) : undefined;
  const finallyMs = pr.spec.timeouts?.finally ? parseDuration(pr.spec.timeouts.finally) : undefined;
  const timedOut = pipelineMs > 0 && elapsed >= pipelineMs;
  const tasksTimedOut = tasksMs !== undefined && tasksMs > 0 && elapsed >= tasksMs;
  const mode = pr.spec.status;
  const hardCancel = mode === S.cancelled;
  const cancelDag = hardCancel || mode === S.cancelledRunFinally || timedOut || tasksTimedOut;
  const cancel = (t: PipelineTask, message: string): void => {
    const child = o.children.get(t.name);
    if (child && states.get(t.name) === 'running' && child.spec.status !== TASKRUN_REASONS.cancelled)
      actions.push({ type: 'cancelTaskRun', name: child.metadata?.name ?? '', message });
  };
  const why = timedOut
    ? `TaskRun cancelled as the PipelineRun it belongs to has timed out.`
    : tasksTimedOut
      ? 'TaskRun cancelled as the PipelineRun tasks timeout has been reached.'
      : 'TaskRun cancelled as the PipelineRun it belongs to has been cancelled.';
  if (cancelDag) for (const t of spec.tasks) cancel(t, why);

  const dagFailed = spec.tasks.some((t) => ['failed', 'cancelled'].includes(states.get(t.name) ?? ''));
  const stopping = dagFailed || cancelDag || mode === S.stoppedRunFinally;
  const stopReason = timedOut
    ? SKIP.timeout
    : tasksTimedOut
      ? SKIP.tasksTimeout
      : hardCancel
        ? SKIP.cancelled
        : mode === S.cancelledRunFinally
          ? SKIP.gracefullyCancelled
          : mode === S.stoppedRunFinally
            ? SKIP.gracefullyStopped
            : SKIP.stopping;
  const remaining = (limit: number | undefined): number | undefined =>
    limit && limit > 0 ? Math.max(1000, limit - elapsed) : undefined;
  const minDefined = (...xs: (number | undefined)[]): number | undefined => {
    const d = xs.filter((x): x is number => x !== undefined);
    return d.length ? Math.min(...d) : undefined;
  };
  const start = (t: PipelineTask, isFinally: boolean, limit: number | undefined): void => {
    const own = t.timeout ? parseDuration(t.timeout) : undefined;
    actions.push({
      type: 'createTaskRun',
      taskRun: buildTaskRun({ run: pr, task: t, vars, isFinally, timeoutMs: minDefined(own || undefined, limit) }),
    });
    states.set(t.name, 'running');
  };
  const parents = parentsOf(spec.tasks);
  const usesResultsOf = (t: PipelineTask, of: string): boolean => resultRefs(t).some((r) => r.task === of);

  // The DAG: a task starts once its parents succeeded (or were skipped by their own `when`).
  for (let progress = true; progress;) {
    progress = false;
    for (const t of spec.tasks) {
      if (states.get(t.name) !== 'none' || skipped.has(t.name)) continue;
      if (stopping) {
        skip(t, stopReason);
        progress = true;
        continue;
      }
      const ps = [...(parents.get(t.name) ?? [])];
      if (ps.some((p) => !skipped.has(p) && !terminal(states.get(p) ?? 'none'))) continue;
      const skippedParent = ps.find(
        (p) => skipped.has(p) && (skipped.get(p)?.reason !== SKIP.when || usesResultsOf(t, p)),
      );
      if (skippedParent) {
        skip(t, skipped.get(skippedParent)?.reason === SKIP.when ? SKIP.results : SKIP.parent);
        progress = true;
        continue;
      }
      const when = resolveWhen(t.when, vars);
      if (!whenAllows(when)) {
        skip(t, SKIP.when, when);
        progress = true;
        continue;
      }
      start(t, false, minDefined(remaining(pipelineMs), remaining(tasksMs)));
    }
  }

  const dagDone = spec.tasks.every((t) => skipped.has(t.name) || terminal(states.get(t.name) ?? 'none'));
  const finallyTasks = spec.finally ?? [];
  const finallyTimedOut =
    finallyMs !== undefined &&
    finallyMs > 0 &&
    status.finallyStartTime !== undefined &&
    o.now.getTime() - Date.parse(status.finallyStartTime) >= finallyMs;
  if (hardCancel || timedOut || finallyTimedOut) for (const t of finallyTasks) cancel(t, why);
  if (dagDone) {
    const dagStates = spec.tasks.map((t) => (skipped.has(t.name) ? 'skipped' : states.get(t.name)));
    const aggregate = dagStates.some((s) => s === 'failed' || s === 'cancelled')
      ? 'Failed'
      : dagStates.some((s) => s === 'skipped')
        ? 'Completed'
        : 'Succeeded';
    vars.set('tasks.status', aggregate);
    for (const t of spec.tasks) {
      const s = states.get(t.name);
      vars.set(`tasks.${t.name}.status`, skipped.has(t.name) ? 'None' : s === 'succeeded' ? 'Succeeded' : 'Failed');
    }
    for (const t of finallyTasks) {
      if (states.get(t.name) !== 'none' || skipped.has(t.name)) continue;
      if (hardCancel || timedOut || finallyTimedOut) {
        skip(t, hardCancel ? SKIP.cancelled : timedOut ? SKIP.timeout : SKIP.finallyTimeout);
        continue;
      }
      if (resultRefs(t).some((r) => !vars.has(`tasks.${r.task}.results.${r.result}`))) {
        skip(t, SKIP.results);
        continue;
      }
      const when = resolveWhen(t.when, vars);
      if (!whenAllows(when)) {
        skip(t, SKIP.when, when);
        continue;
      }
      status.finallyStartTime ??= now;
      start(t, true, minDefined(remaining(pipelineMs), finallyMs ? Math.max(1000, finallyMs) : undefined));
    }
  }

  status.skippedTasks = [...skipped.values()];
  if (!status.skippedTasks.length) delete status.skippedTasks;
  const refs: ChildReference[] = [];
  for (const t of [...spec.tasks, ...finallyTasks]) {
    const child = o.children.get(t.name);
    const creating = actions.find(
      (a) => a.type === 'createTaskRun' && a.taskRun.metadata?.labels?.['tekton.dev/pipelineTask'] === t.name,
    );
    const previous = status.childReferences?.find((c) => c.pipelineTaskName === t.name)?.name;
    const trName =
      child?.metadata?.name ?? (creating?.type === 'createTaskRun' ? creating.taskRun.metadata?.name : previous);
    if (trName)
      refs.push({
        apiVersion: API_VERSION,
        kind: 'TaskRun',
        name: trName,
        pipelineTaskName: t.name,
        ...(t.when?.length ? { whenExpressions: resolveWhen(t.when, vars) } : {}),
      });
  }
  if (refs.length) status.childReferences = refs;

  const all = [...spec.tasks, ...finallyTasks];
  const count = (s: TaskState): number => all.filter((t) => !skipped.has(t.name) && states.get(t.name) === s).length;
  const failed = count('failed');
  const cancelledCount = count('cancelled');
  const completed = count('succeeded') + failed + cancelledCount;
  const skippedCount = skipped.size;
  const incomplete = all.length - completed - skippedCount;
  const done = incomplete === 0;
  const requeueAfterMs = pipelineMs > 0 ? Math.max(100, pipelineMs - elapsed) : undefined;
  if (!done) {
    const reason =
      mode === S.cancelledRunFinally
        ? R.cancelledRunningFinally
        : mode === S.stoppedRunFinally
          ? R.stoppedRunningFinally
          : R.running;
    const d = finish(
      'Unknown',
      reason,
      `Tasks Completed: ${completed} (Failed: ${failed}, Cancelled ${cancelledCount}), Incomplete: ${incomplete}, Skipped: ${skippedCount}`,
    );
    return requeueAfterMs === undefined
      ? d
      : { ...d, requeueAfterMs: Math.min(requeueAfterMs, tasksMs ? Math.max(100, tasksMs - elapsed) : requeueAfterMs) };
  }
  if (spec.results?.length)
    status.results = spec.results.map((r) => ({ name: r.name, value: substituteDeep(r.value, vars) }));
  const summary = `Tasks Completed: ${completed} (Failed: ${failed}, Cancelled ${cancelledCount}), Skipped: ${skippedCount}`;
  if (mode === S.cancelled || mode === S.cancelledRunFinally || mode === S.stoppedRunFinally)
    return finish('False', R.cancelled, `PipelineRun "${name}" was cancelled`);
  if (timedOut)
    return finish('False', R.timeout, `PipelineRun "${name}" failed to finish within "${formatDuration(pipelineMs)}"`);
  if (failed || cancelledCount) return finish('False', R.failed, summary);
  return finish('True', skippedCount ? R.completed : R.succeeded, summary);
}
