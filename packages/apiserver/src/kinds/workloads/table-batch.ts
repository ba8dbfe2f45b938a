// Printers for batch/v1: jobs (STATUS, COMPLETIONS, DURATION as kubectl 1.32 shows them) and
// cronjobs. Cells follow k8s.io/kubernetes/pkg/printers/internalversion (1.32).

import type { KubeObject } from '@wharf/api';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  ageOf,
  col,
  nameOf,
  wide,
} from '../../tables/columns.js';
import type { Printer } from '../../tables/columns.js';
import { DESC } from '../../tables/descriptions.js';
import {
  arr,
  containerCells,
  formatLabelSelector,
  get,
  humanDuration,
  num,
  parseTime,
  since,
  str,
} from '../../tables/format.js';

function hasJobCondition(job: KubeObject, type: string): boolean {
  // Only the first condition of a type counts, as in the printer.
  const cond = arr(get(job, 'status', 'conditions')).find((c) => get(c, 'type') === type);
  return cond !== undefined && get(cond, 'status') === 'True';
}

/** Complete, Failed, Terminating, Suspended, FailureTarget or Running. */
export function jobStatus(job: KubeObject): string {
  if (hasJobCondition(job, 'Complete')) return 'Complete';
  if (hasJobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp !== undefined && job.metadata.deletionTimestamp !== null) return 'Terminating';
  if (hasJobCondition(job, 'Suspended')) return 'Suspended';
  if (hasJobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

/** "1/3", or for jobs without completions "0/1" / "0/1 of 4" (parallelism). */
export function jobCompletions(job: KubeObject): string {
  const succeeded = num(get(job, 'status', 'succeeded'));
  const completions = get(job, 'spec', 'completions');
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = num(get(job, 'spec', 'parallelism'));
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** Time from start to completion, or to now while running; "" before the job starts. */
export function jobDuration(job: KubeObject, now: Date): string {
  const start = parseTime(get(job, 'status', 'startTime'));
  if (start === undefined) return '';
  const end = parseTime(get(job, 'status', 'completionTime')) ?? now.getTime();
  return humanDuration(end - start);
}

export const jobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', DESC.jobSucceeded),
    col('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wide('Selector', 'string', DESC.jobSelector),
  ],
  cells(job, ctx) {
    const [names, images] = containerCells(get(job, 'spec', 'template', 'spec'));
    return [
      nameOf(job),
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, ctx.now),
      ageOf(job, ctx),
      names,
      images,
      formatLabelSelector(get(job, 'spec', 'selector')),
    ];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Schedule', 'string', DESC.cronSchedule),
    col('Timezone', 'string', DESC.cronTimeZone),
    col('Suspend', 'boolean', DESC.cronSuspend),
    col('Active', 'integer', DESC.cronActive),
    col('Last Schedule', 'string', DESC.cronLastSchedule),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wide('Selector', 'string', DESC.jobSelector),
  ],
  cells(cj, ctx) {
    const jobSpec = get(cj, 'spec', 'jobTemplate', 'spec');
    const [names, images] = containerCells(get(jobSpec, 'template', 'spec'));
    const lastSchedule = get(cj, 'status', 'lastScheduleTime');
    // The printer writes the boolean as text; spec.suspend defaults to false.
    const suspend = get(cj, 'spec', 'suspend') === true ? 'True' : 'False';
    return [
      nameOf(cj),
      str(get(cj, 'spec', 'schedule')),
      str(get(cj, 'spec', 'timeZone'), '<none>'),
      suspend,
      arr(get(cj, 'status', 'active')).length,
      lastSchedule === undefined || lastSchedule === null ? '<none>' : since(lastSchedule, ctx.now),
      ageOf(cj, ctx),
      names,
      images,
      formatLabelSelector(get(jobSpec, 'selector')),
    ];
  },
};
