// core/v1 Namespace (pkg/registry/core/namespace): a DNS label name, a phase set on create, and
// the "kubernetes" finalizer in spec.finalizers that holds its deletion until the namespace
// controller (objects/namespaces.ts) has emptied it.
import { isRecord, type KubeObject } from '@wharf/api';
import { defaultNamespace } from '../../defaults/core.js';
import { identity, metaFields, notSupported, str } from '../../selectors/field-values.js';
import { namespacePrinter } from '../../tables/core.js';
import { validateNamespace } from '../../validation/core.js';
import type { KindStrategy } from '../strategy.js';

function specFinalizers(ns: KubeObject): unknown[] {
  return isRecord(ns.spec) && Array.isArray(ns.spec.finalizers) ? ns.spec.finalizers : [];
}

export const namespaceStrategy: KindStrategy = {
  group: '',
  kind: 'Namespace',
  resource: 'namespaces',
  defaults: defaultNamespace,
  validate: validateNamespace,
  nameRule: 'label',
  keepsStatusOnCreate: true,
  printer: namespacePrinter,
  fieldLabels: {
    accepted: identity(['status.phase', 'metadata.name']),
    unsupported: notSupported,
    get: (o) => ({ ...metaFields(o, false), 'status.phase': str(o, 'status.phase') }),
  },
  specFinalizers: {
    pending: (ns) => specFinalizers(ns).length > 0,
    markDeleting: (ns) => {
      ns.status = { ...(isRecord(ns.status) ? ns.status : {}), phase: 'Terminating' };
    },
  },
};
