// core/v1 Service (pkg/registry/core/service). Its name becomes a DNS label under the cluster
// domain, so it follows RFC 1035; the cluster IP is allocated by objects/service-ips.ts.
import { defaultService } from '../../defaults/core.js';
import { identity, metaFields, notSupported, str } from '../../selectors/field-values.js';
import { servicePrinter } from '../../tables/core.js';
import { validateService, validateServiceUpdate } from '../../validation/core.js';
import type { KindStrategy } from '../strategy.js';

export const serviceStrategy: KindStrategy = {
  group: '',
  kind: 'Service',
  resource: 'services',
  defaults: defaultService,
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  nameRule: 'dns1035',
  keepsStatusOnCreate: true,
  printer: servicePrinter,
  fieldLabels: {
    accepted: identity(['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type']),
    unsupported: notSupported,
    get: (o) => ({
      ...metaFields(o, true),
      'spec.clusterIP': str(o, 'spec.clusterIP'),
      'spec.type': str(o, 'spec.type'),
    }),
  },
};
