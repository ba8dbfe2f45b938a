// core/v1 ConfigMap (pkg/registry/core/configmap): key syntax, and frozen once immutable.
import { configMapPrinter } from '../../tables/core.js';
import { validateConfigMap, validateImmutableDataUpdate } from '../../validation/core.js';
import type { KindStrategy } from '../strategy.js';

export const configMapStrategy: KindStrategy = {
  group: '',
  kind: 'ConfigMap',
  resource: 'configmaps',
  validate: validateConfigMap,
  validateUpdate: (o, old) => validateImmutableDataUpdate('ConfigMap', o, old),
  printer: configMapPrinter,
};
