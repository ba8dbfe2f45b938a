// apps/v1 Deployment (pkg/registry/apps/deployment).
import type { KindStrategy } from '../strategy.js';
import { defaultDeployment } from './defaults.js';
import { deploymentPrinter } from './table-apps.js';
import { validateDeployment, validateWorkloadUpdate } from './validation.js';

export const deploymentStrategy: KindStrategy = {
  group: 'apps',
  kind: 'Deployment',
  resource: 'deployments',
  defaults: defaultDeployment,
  validate: validateDeployment,
  validateUpdate: (o, old) => validateWorkloadUpdate('Deployment', o, old),
  printer: deploymentPrinter,
};
