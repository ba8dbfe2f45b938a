// `when` expressions: after substitution, `input` in (or notin) `values`; all must hold for the
// task to run. Tekton's CEL form is outside the subset (validation refuses it).
import { substituteList, substituteString, type Vars } from '../common/substitute.js';
import type { WhenExpression } from '../types.js';

/** The expressions with their variables replaced, as Tekton reports them in skippedTasks. */
export function resolveWhen(when: readonly WhenExpression[] | undefined, vars: Vars): WhenExpression[] {
  return (when ?? []).map((w) => ({
    input: substituteString(w.input ?? '', vars),
    operator: w.operator ?? 'in',
    values: substituteList(w.values ?? [], vars) ?? [],
  }));
}

export function whenAllows(resolved: readonly WhenExpression[]): boolean {
  return resolved.every((w) => {
    const found = (w.values ?? []).includes(w.input ?? '');
    return w.operator === 'notin' ? !found : found;
  });
}
