// What a PipelineSpec must be for Wharf to run it, with field paths: tasks with exactly one of
// taskRef/taskSpec, a DAG (no cycles, no unknown runAfter), params and workspaces that are
// declared, result references to tasks that exist, and no Tekton feature outside the subset.
import { type FieldError, fieldError, unsupported } from '../common/field-error.js';
import { refsIn, stringsIn } from '../common/substitute.js';
import { validateTaskSpec } from '../task/validate.js';
import type { PipelineSpec, PipelineTask } from '../types.js';
import { resultRefs, validateGraph } from './dag.js';

const UNSUPPORTED_TASK_FIELDS = ['matrix', 'pipelineRef', 'pipelineSpec', 'onError'] as const;

function validateTask(
  t: PipelineTask,
  at: string,
  spec: PipelineSpec,
  dagNames: ReadonlySet<string>,
  isFinally: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const raw = t as unknown as Record<string, unknown>;
  if (!t.name) errors.push(fieldError(`${at}.name`, 'Required value'));
  else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(t.name) || t.name.length > 63)
    errors.push(fieldError(`${at}.name`, `invalid value "${t.name}": must be a DNS label`));
  for (const f of UNSUPPORTED_TASK_FIELDS) if (raw[f] !== undefined) errors.push(unsupported(`${at}.${f}`, f));
  if (!!t.taskRef === !!t.taskSpec)
    errors.push(fieldError(at, `expected exactly one, got ${t.taskRef ? 'both' : 'neither'}: taskRef, taskSpec`));
  if (t.taskRef?.resolver) errors.push(unsupported(`${at}.taskRef.resolver`, 'resolvers (remote tasks)'));
  if (t.taskRef?.kind && t.taskRef.kind !== 'Task')
    errors.push(unsupported(`${at}.taskRef.kind`, `kind "${t.taskRef.kind}" (custom tasks, ClusterTasks)`));
  if (t.taskRef?.apiVersion && t.taskRef.apiVersion !== 'tekton.dev/v1')
    errors.push(unsupported(`${at}.taskRef.apiVersion`, `apiVersion "${t.taskRef.apiVersion}" (custom tasks)`));
  if (t.taskSpec)
    errors.push(...validateTaskSpec(t.taskSpec, `${at}.taskSpec`, new Set((spec.params ?? []).map((p) => p.name))));
  (t.when ?? []).forEach((w, i) => {
    if (w.cel !== undefined) errors.push(unsupported(`${at}.when[${i}].cel`, 'CEL in when'));
    else if (w.input === undefined || !w.operator || !['in', 'notin'].includes(w.operator) || !w.values?.length) {
      errors.push(
        fieldError(
          `${at}.when[${i}]`,
          'invalid value: a when expression needs input, operator (in or notin) and at least one value',
        ),
      );
    }
  });
  if (isFinally && t.runAfter?.length)
    errors.push(fieldError(`${at}.runAfter`, 'invalid value: no runAfter allowed under spec.finally'));
  const params = new Set((spec.params ?? []).map((p) => p.name));
  for (const s of stringsIn([t.params, t.when])) {
    for (const ref of refsIn(s)) {
      const [kind, name] = ref.key.split('.');
      if (kind === 'params' && name && !params.has(name))
        errors.push(
          fieldError(
            `${at}.params`,
            `non-existent variable in "${s.trim().slice(0, 80)}": pipeline param "${name}" is not declared`,
          ),
        );
    }
  }
  for (const r of resultRefs(t)) {
    if (!dagNames.has(r.task))
      errors.push(
        fieldError(
          `${at}.params`,
          `invalid value: result reference to task "${r.task}", which is not a task of spec.tasks`,
        ),
      );
  }
  const declared = new Set((spec.workspaces ?? []).map((w) => w.name));
  (t.workspaces ?? []).forEach((w, i) => {
    const target = w.workspace ?? w.name;
    if (!declared.has(target))
      errors.push(
        fieldError(
          `${at}.workspaces[${i}].workspace`,
          `invalid value: pipeline workspace "${target}" is not declared in spec.workspaces`,
        ),
      );
  });
  return errors;
}

export function validatePipelineSpec(spec: PipelineSpec | undefined, at = 'spec'): FieldError[] {
  if (!spec || typeof spec !== 'object') return [fieldError(at, 'Required value')];
  if (!Array.isArray(spec.tasks) || spec.tasks.length === 0)
    return [fieldError(`${at}.tasks`, 'Required value: a Pipeline needs at least one task')];
  const errors: FieldError[] = [];
  const all = [...spec.tasks, ...(spec.finally ?? [])];
  const seen = new Set<string>();
  all.forEach((t, i) => {
    const path = i < spec.tasks.length ? `${at}.tasks[${i}]` : `${at}.finally[${i - spec.tasks.length}]`;
    if (seen.has(t.name)) errors.push(fieldError(`${path}.name`, `Duplicate value: "${t.name}"`));
    seen.add(t.name);
  });
  const dagNames = new Set(spec.tasks.map((t) => t.name));
  spec.tasks.forEach((t, i) => errors.push(...validateTask(t, `${at}.tasks[${i}]`, spec, dagNames, false)));
  (spec.finally ?? []).forEach((t, i) => errors.push(...validateTask(t, `${at}.finally[${i}]`, spec, dagNames, true)));
  if (errors.length) return errors;
  return validateGraph(spec.tasks, `${at}.tasks`);
}
