// apps/v1 DaemonSet (pkg/registry/apps/daemonset).
import type { KindStrategy } from '../strategy.js';
import { defaultDaemonSet } from './defaults.js';
import { daemonSetPrinter } from './table-apps.js';
import { validateDaemonSet, validateWorkloadUpdate } from './validation.js';

export const daemonSetStrategy: KindStrategy = {
  group: 'apps',
  kind: 'DaemonSet',
  resource: 'daemonsets',
  defaults: defaultDaemonSet,
  validate: validateDaemonSet,
  validateUpdate: (o, old) => validateWorkloadUpdate('DaemonSet', o, old),
  printer: daemonSetPrinter,
};
