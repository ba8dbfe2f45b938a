// apps/v1 ReplicaSet (pkg/registry/apps/replicaset).
import type { KindStrategy } from '../strategy.js';
import { defaultReplicaSet } from './defaults.js';
import { replicaSetFieldLabels } from './fields.js';
import { replicaSetPrinter } from './table-apps.js';
import { validateReplicaSet, validateWorkloadUpdate } from './validation.js';

export const replicaSetStrategy: KindStrategy = {
  group: 'apps',
  kind: 'ReplicaSet',
  resource: 'replicasets',
  defaults: defaultReplicaSet,
  validate: validateReplicaSet,
  validateUpdate: (o, old) => validateWorkloadUpdate('ReplicaSet', o, old),
  printer: replicaSetPrinter,
  fieldLabels: replicaSetFieldLabels,
};
