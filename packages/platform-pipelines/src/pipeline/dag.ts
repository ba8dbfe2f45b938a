// The order of a Pipeline's tasks: a task runs after those named in its runAfter and those whose
// results it references (`$(tasks.t.results.r)`), as Tekton builds its DAG. A cycle or an
// unknown name is an error with the field path.
import { type FieldError, fieldError } from '../common/field-error.js';
import { refsIn, stringsIn } from '../common/substitute.js';
import type { PipelineTask } from '../types.js';

/** Every `$(tasks.<t>.results.<r>)` in a pipeline task's params and when expressions. */
export function resultRefs(t: PipelineTask): { task: string; result: string }[] {
  const out: { task: string; result: string }[] = [];
  for (const s of stringsIn([t.params, t.when])) {
    for (const ref of refsIn(s)) {
      const parts = ref.key.split('.');
      if (parts[0] === 'tasks' && parts[2] === 'results' && parts[1] && parts[3])
        out.push({ task: parts[1], result: parts[3] });
    }
  }
  return out;
}

/** Each task's parents: runAfter plus the tasks whose results it uses. */
export function parentsOf(tasks: readonly PipelineTask[]): Map<string, Set<string>> {
  return new Map(tasks.map((t) => [t.name, new Set([...(t.runAfter ?? []), ...resultRefs(t).map((r) => r.task)])]));
}

/** Errors for unknown parents and cycles; empty if the graph is a DAG. */
export function validateGraph(tasks: readonly PipelineTask[], at = 'spec.tasks'): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set(tasks.map((t) => t.name));
  tasks.forEach((t, i) => {
    (t.runAfter ?? []).forEach((r, j) => {
      if (!names.has(r))
        errors.push(
          fieldError(`${at}[${i}].runAfter[${j}]`, `invalid value: task "${r}" is not defined in the pipeline`),
        );
      if (r === t.name)
        errors.push(
          fieldError(`${at}[${i}].runAfter[${j}]`, `invalid value: task "${t.name}" cannot run after itself`),
        );
    });
  });
  if (errors.length) return errors;
  const parents = parentsOf(tasks);
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string, path: string[]): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'visiting');
    for (const p of parents.get(n) ?? []) {
      if (!names.has(p)) continue;
      const cycle = visit(p, [...path, n]);
      if (cycle) return cycle;
    }
    state.set(n, 'done');
    return undefined;
  };
  for (const t of tasks) {
    const cycle = visit(t.name, []);
    if (cycle) {
      const i = tasks.findIndex((x) => x.name === cycle[0]);
      errors.push(
        fieldError(
          `${at}[${i}].runAfter`,
          `invalid value: cycle detected; task "${cycle[0]}" depends on itself through ${cycle.reverse().join(' -> ')}`,
        ),
      );
      break;
    }
  }
  return errors;
}
