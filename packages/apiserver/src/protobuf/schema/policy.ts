// policy/v1 messages (k8s.io/api/policy/v1/types.go): PodDisruptionBudget and Eviction.
import type { SchemaTable } from './types.js';

export const policy: SchemaTable = {
  'policy.PodDisruptionBudget': {
    metadata: [1, 'meta.ObjectMeta'],
    spec: [2, 'policy.PodDisruptionBudgetSpec'],
    status: [3, 'policy.PodDisruptionBudgetStatus'],
  },
  'policy.PodDisruptionBudgetSpec': {
    minAvailable: [1, 'IntOrString'],
    selector: [2, 'meta.LabelSelector'],
    maxUnavailable: [3, 'IntOrString'],
    unhealthyPodEvictionPolicy: [4, '*string'],
  },
  'policy.PodDisruptionBudgetStatus': {
    observedGeneration: [1, 'int64'],
    disruptedPods: [2, '{}Time'],
    disruptionsAllowed: [3, '*int32'],
    currentHealthy: [4, '*int32'],
    desiredHealthy: [5, '*int32'],
    expectedPods: [6, '*int32'],
    conditions: [7, '[]meta.Condition'],
  },
  'policy.Eviction': { metadata: [1, 'meta.ObjectMeta'], deleteOptions: [2, 'meta.DeleteOptions'] },
};
