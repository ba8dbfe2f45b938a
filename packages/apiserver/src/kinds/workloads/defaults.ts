// Defaults of the workload kinds (apps/v1 and batch/v1): replicas, update strategies, history
// limits, Job completion settings, and the pod template defaults inside each of them. Also the
// Job registry's selector generation, which real clients see as labels on every Job.
import { defaultPersistentVolumeClaim } from '../../defaults/core.js';
import { defaultPodTemplateSpec } from '../pod/defaults.js';
import { ensureRec, hasKeys, rec, recs, setDefault, setDefaultIfZero, type Obj } from '../../defaults/util.js';

const MAX_INT32 = 2147483647;

export function defaultDeployment(d: Obj): void {
  const spec = ensureRec(d, 'spec');
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  const strategy = ensureRec(spec, 'strategy');
  if (strategy) {
    setDefaultIfZero(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const rolling = ensureRec(strategy, 'rollingUpdate');
      if (rolling) {
        setDefault(rolling, 'maxUnavailable', '25%');
        setDefault(rolling, 'maxSurge', '25%');
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(rec(spec, 'template'));
}

export function defaultReplicaSet(rs: Obj): void {
  const spec = ensureRec(rs, 'spec');
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  defaultPodTemplateSpec(rec(spec, 'template'));
}

export function defaultDaemonSet(ds: Obj): void {
  const spec = ensureRec(ds, 'spec');
  if (!spec) return;
  const strategy = ensureRec(spec, 'updateStrategy');
  if (strategy) {
    setDefaultIfZero(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const rolling = ensureRec(strategy, 'rollingUpdate');
      if (rolling) {
        setDefault(rolling, 'maxUnavailable', 1);
        setDefault(rolling, 'maxSurge', 0);
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(rec(spec, 'template'));
}

export function defaultStatefulSet(sts: Obj): void {
  const spec = ensureRec(sts, 'spec');
  if (!spec) return;
  setDefaultIfZero(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureRec(spec, 'updateStrategy');
  if (strategy) {
    // As upstream: rollingUpdate is only created when the type itself was defaulted.
    if (strategy.type === undefined || strategy.type === null || strategy.type === '') {
      strategy.type = 'RollingUpdate';
      setDefault(strategy, 'rollingUpdate', {});
    }
    const rolling = rec(strategy, 'rollingUpdate');
    if (strategy.type === 'RollingUpdate' && rolling) setDefault(rolling, 'partition', 0);
  }
  const retention = ensureRec(spec, 'persistentVolumeClaimRetentionPolicy');
  if (retention) {
    setDefaultIfZero(retention, 'whenDeleted', 'Retain');
    setDefaultIfZero(retention, 'whenScaled', 'Retain');
  }
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(rec(spec, 'template'));
  for (const claim of recs(spec, 'volumeClaimTemplates')) {
    setDefaultIfZero(claim, 'apiVersion', 'v1');
    setDefaultIfZero(claim, 'kind', 'PersistentVolumeClaim');
    defaultPersistentVolumeClaim(claim);
  }
}

/** JobSpec defaults shared by the Job kind (not by a CronJob's jobTemplate, as upstream). */
export function defaultJob(job: Obj): void {
  const spec = ensureRec(job, 'spec');
  if (!spec) return;
  const unset = (k: string): boolean => spec[k] === undefined || spec[k] === null;
  if (unset('completions') && unset('parallelism')) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', unset('backoffLimitPerIndex') ? 6 : MAX_INT32);
  const template = rec(spec, 'template');
  const templateMeta = template ? rec(template, 'metadata') : undefined;
  const templateLabels = templateMeta ? rec(templateMeta, 'labels') : undefined;
  const meta = ensureRec(job, 'metadata');
  if (templateLabels && meta && !hasKeys(meta, 'labels')) meta.labels = { ...templateLabels };
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  const failurePolicy = rec(spec, 'podFailurePolicy');
  for (const rule of recs(failurePolicy, 'rules'))
    for (const pattern of recs(rule, 'onPodConditions')) setDefaultIfZero(pattern, 'status', 'True');
  setDefault(spec, 'podReplacementPolicy', failurePolicy ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplateSpec(template);
}

/**
 * The Job registry on create: unless spec.manualSelector is true, select the Job's pods by its
 * uid and label the pod template with the uid and job name (both the legacy and the
 * batch.kubernetes.io/ keys). Needs metadata.uid; does nothing without it.
 */
export function generateJobSelector(job: Obj): void {
  const meta = rec(job, 'metadata');
  const spec = rec(job, 'spec');
  if (!meta || !spec || spec.manualSelector === true) return;
  const uid = meta.uid;
  const name = meta.name;
  if (typeof uid !== 'string' || uid === '' || typeof name !== 'string') return;
  const template = ensureRec(spec, 'template');
  const templateMeta = template ? ensureRec(template, 'metadata') : undefined;
  const labels = templateMeta ? ensureRec(templateMeta, 'labels') : undefined;
  if (!labels) return;
  labels['batch.kubernetes.io/controller-uid'] = uid;
  labels['batch.kubernetes.io/job-name'] = name;
  labels['controller-uid'] = uid;
  labels['job-name'] = name;
  if (!hasKeys(spec, 'selector')) spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

export function defaultCronJob(cj: Obj): void {
  const spec = ensureRec(cj, 'spec');
  if (!spec) return;
  setDefaultIfZero(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobTemplate = rec(spec, 'jobTemplate');
  const jobSpec = jobTemplate ? rec(jobTemplate, 'spec') : undefined;
  if (jobSpec) defaultPodTemplateSpec(rec(jobSpec, 'template'));
}
