// batch/v1 CronJob (pkg/registry/batch/cronjob).
import type { KindStrategy } from '../strategy.js';
import { defaultCronJob } from './defaults.js';
import { cronJobPrinter } from './table-batch.js';
import { validateCronJob } from './validation.js';

export const cronJobStrategy: KindStrategy = {
  group: 'batch',
  kind: 'CronJob',
  resource: 'cronjobs',
  defaults: defaultCronJob,
  validate: validateCronJob,
  printer: cronJobPrinter,
};
