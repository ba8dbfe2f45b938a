// What a TaskSpec must be for Wharf to run it: steps with images, script or command (not both),
// no Tekton feature outside the subset, and every `$(params.x)`, `$(results.x.path)` and
// `$(workspaces.x.path)` naming something the Task declares.
import { type FieldError, fieldError, unsupported } from '../common/field-error.js';
import { refsIn, stringsIn } from '../common/substitute.js';
import type { TaskSpec } from '../types.js';

/** Fields of a Task or step left out of the subset, refused rather than ignored. */
const UNSUPPORTED_TASK = ['sidecars', 'stepTemplate', 'volumes', 'stepActions'] as const;
const UNSUPPORTED_STEP = [
  'onError',
  'timeout',
  'ref',
  'volumeMounts',
  'volumeDevices',
  'stdoutConfig',
  'stderrConfig',
  'params',
  'results',
  'when',
] as const;

/** `propagated`: the pipeline's params, which an inline taskSpec may use without declaring them. */
export function validateTaskSpec(
  spec: TaskSpec | undefined,
  at = 'spec',
  propagated: ReadonlySet<string> = new Set(),
): FieldError[] {
  if (!spec || typeof spec !== 'object') return [fieldError(at, 'Required value')];
  const errors: FieldError[] = [];
  const raw = spec as unknown as Record<string, unknown>;
  for (const f of UNSUPPORTED_TASK) if (raw[f] !== undefined) errors.push(unsupported(`${at}.${f}`, f));
  if (!Array.isArray(spec.steps) || spec.steps.length === 0)
    errors.push(fieldError(`${at}.steps`, 'Required value: a Task needs at least one step'));
  const params = new Set([...propagated, ...(spec.params ?? []).map((p) => p.name)]);
  const results = new Set((spec.results ?? []).map((r) => r.name));
  const workspaces = new Set((spec.workspaces ?? []).map((w) => w.name));
  const names = new Set<string>();
  (spec.steps ?? []).forEach((step, i) => {
    const sp = `${at}.steps[${i}]`;
    const rawStep = step as unknown as Record<string, unknown>;
    for (const f of UNSUPPORTED_STEP) if (rawStep[f] !== undefined) errors.push(unsupported(`${sp}.${f}`, `step ${f}`));
    if (!step.image) errors.push(fieldError(`${sp}.image`, 'Required value'));
    if (step.script !== undefined && step.command !== undefined)
      errors.push(fieldError(sp, 'expected exactly one, got both: command, script'));
    if (step.name) {
      if (names.has(step.name)) errors.push(fieldError(`${sp}.name`, `Duplicate value: "${step.name}"`));
      names.add(step.name);
    }
    for (const s of stringsIn(step)) {
      for (const ref of refsIn(s)) {
        const [kind, name, member] = ref.key.split('.');
        if (kind === 'params' && name && !params.has(name))
          errors.push(
            fieldError(sp, `non-existent variable in "${s.trim().slice(0, 80)}": param "${name}" is not declared`),
          );
        if (kind === 'results' && name && member === 'path' && !results.has(name))
          errors.push(
            fieldError(sp, `non-existent variable in "${s.trim().slice(0, 80)}": result "${name}" is not declared`),
          );
        if (kind === 'workspaces' && name && !workspaces.has(name))
          errors.push(
            fieldError(sp, `non-existent variable in "${s.trim().slice(0, 80)}": workspace "${name}" is not declared`),
          );
      }
    }
  });
  return errors;
}
