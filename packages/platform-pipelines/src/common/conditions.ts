// The `Succeeded` condition, Tekton's single source of a run's state: Unknown while it runs,
// True or False once done. lastTransitionTime moves only when status or reason changes.
import type { Condition } from '../types.js';

export type Outcome = 'True' | 'False' | 'Unknown';

export function succeeded(conditions: readonly Condition[] | undefined): Condition | undefined {
  return conditions?.find((c) => c.type === 'Succeeded');
}

/** Whether the run has finished (Succeeded is True or False). */
export function isDone(conditions: readonly Condition[] | undefined): boolean {
  const c = succeeded(conditions);
  return c !== undefined && c.status !== 'Unknown';
}

export function setSucceeded(
  old: readonly Condition[] | undefined,
  status: Outcome,
  reason: string,
  message: string,
  now: string,
): Condition[] {
  const prev = succeeded(old);
  const same = prev && prev.status === status && prev.reason === reason;
  return [
    { type: 'Succeeded', status, reason, message, lastTransitionTime: same ? (prev.lastTransitionTime ?? now) : now },
  ];
}
