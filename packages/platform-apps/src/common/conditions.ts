// status.conditions as metav1.Condition: setting one keeps its lastTransitionTime unless its
// status changes, so a resync that finds nothing new writes nothing new.
import type { V1Condition } from '@kubernetes/client-node';

export interface ConditionInput {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** The conditions with `c` set (added, or replaced keeping its transition time if the status holds). */
export function setCondition(
  conditions: readonly V1Condition[] | undefined,
  c: ConditionInput,
  now: string,
  observedGeneration?: number,
): V1Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const old = i >= 0 ? list[i] : undefined;
  const next: V1Condition = {
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
    lastTransitionTime: (old && old.status === c.status ? old.lastTransitionTime : now) as unknown as Date,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export const conditionOf = (conditions: readonly V1Condition[] | undefined, type: string): V1Condition | undefined =>
  conditions?.find((c) => c.type === type);
