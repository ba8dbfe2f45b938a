// core/v1 Node (pkg/registry/core/node): registered by its agent with a status.
import { defaultNode } from '../../defaults/core.js';
import { bool, identity, metaFields, notSupported } from '../../selectors/field-values.js';
import { nodePrinter } from '../../tables/core.js';
import type { KindStrategy } from '../strategy.js';

export const nodeStrategy: KindStrategy = {
  group: '',
  kind: 'Node',
  resource: 'nodes',
  defaults: defaultNode,
  keepsStatusOnCreate: true,
  printer: nodePrinter,
  fieldLabels: {
    accepted: identity(['metadata.name', 'spec.unschedulable']),
    unsupported: notSupported,
    get: (o) => ({ ...metaFields(o, false), 'spec.unschedulable': bool(o, 'spec.unschedulable') }),
  },
};
