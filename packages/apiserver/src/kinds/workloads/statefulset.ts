// apps/v1 StatefulSet (pkg/registry/apps/statefulset). Its name becomes each pod's hostname, so
// it must be a DNS label.
import type { KindStrategy } from '../strategy.js';
import { defaultStatefulSet } from './defaults.js';
import { statefulSetFieldLabels } from './fields.js';
import { statefulSetPrinter } from './table-apps.js';
import { validateStatefulSet, validateWorkloadUpdate } from './validation.js';

export const statefulSetStrategy: KindStrategy = {
  group: 'apps',
  kind: 'StatefulSet',
  resource: 'statefulsets',
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,
  validateUpdate: (o, old) => validateWorkloadUpdate('StatefulSet', o, old),
  nameRule: 'label',
  printer: statefulSetPrinter,
  fieldLabels: statefulSetFieldLabels,
};
