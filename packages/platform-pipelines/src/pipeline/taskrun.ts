// The TaskRun a PipelineRun makes for one of its tasks: Tekton's name (`<run>-<task>`), labels
// and owner, the task's params with pipeline variables substituted, workspaces mapped from the
// run's bindings, and a timeout no longer than what is left of the pipeline's.
import { createHash } from 'node:crypto';
import { substituteDeep, substituteList, substituteString, type VarValue, type Vars } from '../common/substitute.js';
import { concreteBindings } from '../task/reconcile.js';
import {
  API_VERSION,
  LABELS,
  type Param,
  type PipelineRun,
  type PipelineTask,
  type TaskRun,
  type TaskSpec,
  type WorkspaceBinding,
} from '../types.js';

/** `<run>-<task>`, shortened with a hash past 63 characters as Tekton does. */
export function taskRunName(run: string, task: string): string {
  const full = `${run}-${task}`;
  if (full.length <= 63) return full;
  const hash = createHash('md5').update(full).digest('hex').slice(0, 5);
  return `${full.slice(0, 57)}-${hash}`;
}

function substituteParam(p: Param, vars: Vars): Param {
  if (typeof p.value === 'string') return { name: p.name, value: substituteString(p.value, vars) };
  if (Array.isArray(p.value)) return { name: p.name, value: substituteList(p.value, vars) ?? [] };
  return { name: p.name, value: substituteDeep(p.value, vars) };
}

/** An inline taskSpec sees the pipeline's params it does not declare itself (Tekton's propagated params). */
function propagate(spec: TaskSpec, vars: Vars): TaskSpec {
  const own = new Set((spec.params ?? []).map((p) => `params.${p.name}`));
  const outer = new Map<string, VarValue>(
    [...vars].filter(
      ([k]) => !own.has(k) && (k.startsWith('params.') || k.startsWith('context.') || k.startsWith('tasks.')),
    ),
  );
  return { ...spec, steps: substituteDeep(spec.steps, outer) };
}

export interface TaskRunInput {
  readonly run: PipelineRun;
  readonly task: PipelineTask;
  readonly vars: Vars;
  readonly isFinally: boolean;
  /** @default no timeout beyond the pipeline's */
  readonly timeoutMs: number | undefined;
}

export function buildTaskRun(i: TaskRunInput): TaskRun {
  const pr = i.run;
  const prName = pr.metadata?.name ?? '';
  const bindings = concreteBindings(prName, pr.spec.workspaces);
  const workspaces: WorkspaceBinding[] = (i.task.workspaces ?? []).flatMap((w) => {
    const b = bindings.find((x) => x.name === (w.workspace ?? w.name));
    if (!b) return [];
    const subPath = [b.subPath, w.subPath].filter(Boolean).join('/');
    return [{ ...b, name: w.name, ...(subPath ? { subPath } : {}) }];
  });
  const labels: Record<string, string> = {
    ...(pr.metadata?.labels ?? {}),
    [LABELS.pipelineRun]: prName,
    [LABELS.pipelineTask]: i.task.name,
    [LABELS.memberOf]: i.isFinally ? 'finally' : 'tasks',
    ...(pr.spec.pipelineRef?.name ? { [LABELS.pipeline]: pr.spec.pipelineRef.name } : { [LABELS.pipeline]: prName }),
    ...(i.task.taskRef?.name ? { [LABELS.task]: i.task.taskRef.name } : {}),
  };
  const annotations = Object.fromEntries(
    Object.entries(pr.metadata?.annotations ?? {}).filter(([k]) => !k.startsWith('kubectl.kubernetes.io/')),
  );
  const sa = pr.spec.taskRunTemplate?.serviceAccountName;
  return {
    apiVersion: API_VERSION,
    kind: 'TaskRun',
    metadata: {
      name: taskRunName(prName, i.task.name),
      namespace: pr.metadata?.namespace,
      labels,
      annotations,
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: 'PipelineRun',
          name: prName,
          uid: pr.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      ...(i.task.taskRef ? { taskRef: { name: i.task.taskRef.name, kind: 'Task' } } : {}),
      ...(i.task.taskSpec ? { taskSpec: propagate(i.task.taskSpec, i.vars) } : {}),
      params: (i.task.params ?? []).map((p) => substituteParam(p, i.vars)),
      ...(workspaces.length ? { workspaces } : {}),
      ...(i.timeoutMs !== undefined ? { timeout: `${Math.max(1, Math.ceil(i.timeoutMs / 1000))}s` } : {}),
      ...(i.task.retries ? { retries: i.task.retries } : {}),
      ...(sa ? { serviceAccountName: sa } : {}),
      ...(pr.spec.taskRunTemplate?.podTemplate ? { podTemplate: pr.spec.taskRunTemplate.podTemplate } : {}),
    },
  };
}
