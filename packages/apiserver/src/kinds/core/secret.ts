// core/v1 Secret (pkg/registry/core/secret): typed keys, and frozen once immutable.
import { defaultSecret } from '../../defaults/core.js';
import { identity, metaFields, notSupported, str } from '../../selectors/field-values.js';
import { secretPrinter } from '../../tables/core.js';
import { validateImmutableDataUpdate, validateSecret } from '../../validation/core.js';
import type { KindStrategy } from '../strategy.js';

export const secretStrategy: KindStrategy = {
  group: '',
  kind: 'Secret',
  resource: 'secrets',
  defaults: defaultSecret,
  validate: validateSecret,
  validateUpdate: (o, old) => validateImmutableDataUpdate('Secret', o, old),
  printer: secretPrinter,
  fieldLabels: {
    accepted: identity(['type', 'metadata.namespace', 'metadata.name']),
    unsupported: notSupported,
    get: (o) => ({ ...metaFields(o, true), type: str(o, 'type') }),
  },
};
