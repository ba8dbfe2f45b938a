// The core/v1 kinds whose only rules are defaults or table columns: Endpoints, LimitRange,
// ResourceQuota (its status is kept by objects/quota-controller.ts) and ServiceAccount.
import { defaultEndpoints, defaultLimitRange, defaultResourceQuota } from '../../defaults/core.js';
import { endpointsPrinter, resourceQuotaPrinter, serviceAccountPrinter } from '../../tables/core.js';
import type { KindStrategy } from '../strategy.js';

export const endpointsStrategy: KindStrategy = {
  group: '',
  kind: 'Endpoints',
  resource: 'endpoints',
  defaults: defaultEndpoints,
  printer: endpointsPrinter,
};

export const limitRangeStrategy: KindStrategy = {
  group: '',
  kind: 'LimitRange',
  resource: 'limitranges',
  defaults: defaultLimitRange,
};

export const resourceQuotaStrategy: KindStrategy = {
  group: '',
  kind: 'ResourceQuota',
  resource: 'resourcequotas',
  defaults: defaultResourceQuota,
  printer: resourceQuotaPrinter,
};

export const serviceAccountStrategy: KindStrategy = {
  group: '',
  kind: 'ServiceAccount',
  resource: 'serviceaccounts',
  printer: serviceAccountPrinter,
};
