// scheduling.k8s.io/v1 messages (k8s.io/api/scheduling/v1/types.go): PriorityClass.
import type { SchemaTable } from './types.js';

export const scheduling: SchemaTable = {
  'scheduling.PriorityClass': {
    metadata: [1, 'meta.ObjectMeta'],
    value: [2, '*int32'],
    globalDefault: [3, 'bool'],
    description: [4, 'string'],
    preemptionPolicy: [5, '*string'],
  },
};
