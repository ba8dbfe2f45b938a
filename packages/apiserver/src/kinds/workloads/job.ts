// batch/v1 Job (pkg/registry/batch/job).
import type { KindStrategy } from '../strategy.js';
import { defaultJob, generateJobSelector } from './defaults.js';
import { jobFieldLabels } from './fields.js';
import { jobPrinter } from './table-batch.js';
import { validateJob, validateWorkloadUpdate } from './validation.js';

export const jobStrategy: KindStrategy = {
  group: 'batch',
  kind: 'Job',
  resource: 'jobs',
  defaults: (job, operation) => {
    // Upstream the selector comes from the registry on create; the label copy in the Job
    // defaults then sees the generated labels when the stored object is read back.
    if (operation === 'create') generateJobSelector(job);
    defaultJob(job);
  },
  validate: validateJob,
  validateUpdate: (o, old) => validateWorkloadUpdate('Job', o, old),
  printer: jobPrinter,
  fieldLabels: jobFieldLabels,
};
