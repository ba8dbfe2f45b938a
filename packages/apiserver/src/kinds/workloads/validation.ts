// Workload kinds that carry a pod template: Deployment, ReplicaSet, StatefulSet, DaemonSet,
// ReplicationController, Job, CronJob. Selector/template agreement, counts, strategies, and the
// spec fields an update may not change.
import { isEmptySelector, isRecord, matchesSelector, type LabelSelectorLike } from '@wharf/api';
import {
  FieldPath,
  forbidden,
  invalid,
  invalidRendered,
  notSupported,
  required,
  immutable,
  type FieldIssue,
} from '../../validation/issues.js';
import { regexError } from '../../validation/names.js';
import { validateLabels } from '../../validation/metadata.js';
import { validatePodSpec, stableJson } from '../pod/validation.js';
import { cronScheduleError } from './cron.js';
import { goLabelSelector, goStringMap, validateLabelSelector } from '../../validation/selectors.js';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const spec = FieldPath.root('spec');

function nonNegative(s: Obj, field: string, path: FieldPath, errs: FieldIssue[]): void {
  const v = s[field];
  if (typeof v === 'number' && v < 0) errs.push(invalid(path.child(field), v, 'must be greater than or equal to 0'));
}

interface TemplateRules {
  /** The restart policies the controller allows; Always for long-running workloads. */
  restartPolicies: readonly string[];
  /** Name used in "empty selector is invalid for X"; undefined when the selector may be absent. */
  selectorOwner?: string;
}

/** selector + template checks shared by every controller with a pod template. */
function validateSelectorAndTemplate(s: Obj, path: FieldPath, rules: TemplateRules, errs: FieldIssue[]): void {
  if (rules.selectorOwner !== undefined) {
    if (s.selector === undefined || s.selector === null) errs.push(required(path.child('selector')));
    else if (isEmptySelector(s.selector))
      errs.push(
        invalidRendered(
          path.child('selector'),
          goLabelSelector(s.selector),
          `empty selector is invalid for ${rules.selectorOwner}`,
        ),
      );
  }
  errs.push(...validateLabelSelector(s.selector, path.child('selector')));
  const template = rec(s.template);
  const tPath = path.child('template');
  const labels = rec(template.metadata).labels;
  if (isRecord(s.selector) && !isEmptySelector(s.selector) && !matchesSelector(s.selector, labels)) {
    errs.push(
      invalidRendered(
        tPath.child('metadata', 'labels'),
        goStringMap(labels),
        '`selector` does not match template `labels`',
      ),
    );
  }
  errs.push(...validateTemplate(template, tPath, rules));
}

function validateTemplate(template: Obj, tPath: FieldPath, rules: TemplateRules): FieldIssue[] {
  const errs = validateLabels(rec(template.metadata).labels, tPath.child('metadata', 'labels'));
  const podSpec = rec(template.spec);
  errs.push(...validatePodSpec(podSpec, tPath.child('spec')));
  const policy = podSpec.restartPolicy ?? 'Always'; // the pod defaulting's value
  if (typeof policy === 'string' && policy !== '' && !rules.restartPolicies.includes(policy)) {
    errs.push(notSupported(tPath.child('spec', 'restartPolicy'), policy, rules.restartPolicies));
  }
  return errs;
}

const LONG_RUNNING: TemplateRules = { restartPolicies: ['Always'] };

export function validateDeployment(obj: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const errs: FieldIssue[] = [];
  for (const f of ['replicas', 'minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds'])
    nonNegative(s, f, spec, errs);
  validateSelectorAndTemplate(s, spec, { ...LONG_RUNNING, selectorOwner: 'deployment' }, errs);
  const pds = s.progressDeadlineSeconds;
  if (typeof pds === 'number' && pds <= (typeof s.minReadySeconds === 'number' ? s.minReadySeconds : 0)) {
    errs.push(invalid(spec.child('progressDeadlineSeconds'), pds, 'must be greater than minReadySeconds'));
  }
  const strategy = rec(s.strategy);
  const sPath = spec.child('strategy');
  if (strategy.type === 'Recreate') {
    if (isRecord(strategy.rollingUpdate))
      errs.push(forbidden(sPath.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') {
    errs.push(notSupported(sPath.child('type'), strategy.type, ['Recreate', 'RollingUpdate']));
  } else if (isRecord(strategy.rollingUpdate)) {
    const ru = strategy.rollingUpdate;
    const ruPath = sPath.child('rollingUpdate');
    for (const f of ['maxUnavailable', 'maxSurge']) errs.push(...intOrPercent(ru[f], ruPath.child(f)));
    if (
      ru.maxUnavailable !== undefined &&
      ru.maxSurge !== undefined &&
      percentValue(ru.maxUnavailable) === 0 &&
      percentValue(ru.maxSurge) === 0
    ) {
      errs.push(
        invalidRendered(
          ruPath.child('maxUnavailable'),
          goIntOrString(ru.maxUnavailable),
          'may not be 0 when `maxSurge` is 0',
        ),
      );
    }
    const mu = ru.maxUnavailable;
    if (typeof mu === 'string' && (percentValue(mu) ?? 0) > 100)
      errs.push(invalid(ruPath.child('maxUnavailable'), mu, 'must not be greater than 100%'));
  }
  return errs;
}

export function validateReplicaSet(obj: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const errs: FieldIssue[] = [];
  for (const f of ['replicas', 'minReadySeconds']) nonNegative(s, f, spec, errs);
  validateSelectorAndTemplate(s, spec, { ...LONG_RUNNING, selectorOwner: 'deployment' }, errs);
  return errs;
}

export function validateReplicationController(obj: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const errs: FieldIssue[] = [];
  for (const f of ['replicas', 'minReadySeconds']) nonNegative(s, f, spec, errs);
  const selector = isRecord(s.selector) ? { matchLabels: s.selector } : undefined;
  errs.push(...validateLabels(s.selector, spec.child('selector')));
  const template = rec(s.template);
  const labels = rec(template.metadata).labels;
  if (selector && !isEmptySelector(selector) && !matchesSelector(selector as LabelSelectorLike, labels)) {
    errs.push(
      invalidRendered(
        spec.child('template', 'metadata', 'labels'),
        goStringMap(labels),
        '`selector` does not match template `labels`',
      ),
    );
  }
  errs.push(...validateTemplate(template, spec.child('template'), LONG_RUNNING));
  return errs;
}

export function validateStatefulSet(obj: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const errs: FieldIssue[] = [];
  for (const f of ['replicas', 'minReadySeconds', 'revisionHistoryLimit']) nonNegative(s, f, spec, errs);
  const pmp = s.podManagementPolicy;
  if (pmp !== undefined && pmp !== 'OrderedReady' && pmp !== 'Parallel') {
    errs.push(invalid(spec.child('podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const strategy = rec(s.updateStrategy);
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate' && strategy.type !== 'OnDelete') {
    errs.push(invalid(spec.child('updateStrategy'), strategy.type, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  validateSelectorAndTemplate(withClaimVolumes(s), spec, { ...LONG_RUNNING, selectorOwner: 'statefulset' }, errs);
  return errs;
}

/** Containers may mount a volumeClaimTemplate by name, so the claims count as pod volumes. */
function withClaimVolumes(s: Obj): Obj {
  const claims = Array.isArray(s.volumeClaimTemplates) ? s.volumeClaimTemplates : [];
  const names = claims
    .map((c) => rec(rec(c).metadata).name)
    .filter((n): n is string => typeof n === 'string' && n !== '');
  const template = rec(s.template);
  const podSpec = rec(template.spec);
  const declared = new Set((Array.isArray(podSpec.volumes) ? podSpec.volumes : []).map((v) => rec(v).name));
  const extra = names
    .filter((n) => !declared.has(n))
    .map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } }));
  if (!extra.length) return s;
  // Appended after the declared volumes, so issues about declared ones keep their index.
  const volumes = [...(Array.isArray(podSpec.volumes) ? podSpec.volumes : []), ...extra];
  return { ...s, template: { ...template, spec: { ...podSpec, volumes } } };
}

export function validateDaemonSet(obj: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const errs: FieldIssue[] = [];
  for (const f of ['minReadySeconds', 'revisionHistoryLimit']) nonNegative(s, f, spec, errs);
  const strategy = rec(s.updateStrategy);
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate' && strategy.type !== 'OnDelete') {
    errs.push(notSupported(spec.child('updateStrategy', 'type'), strategy.type, ['OnDelete', 'RollingUpdate']));
  }
  validateSelectorAndTemplate(s, spec, { ...LONG_RUNNING, selectorOwner: 'daemonset' }, errs);
  return errs;
}

const JOB_RULES: TemplateRules = { restartPolicies: ['OnFailure', 'Never'] };

/** Job spec at `path`; the selector is generated by the server, so it may be absent here. */
function validateJobSpec(s: Obj, path: FieldPath, errs: FieldIssue[]): void {
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'])
    nonNegative(s, f, path, errs);
  validateSelectorAndTemplate(s, path, JOB_RULES, errs);
}

export function validateJob(obj: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  validateJobSpec(rec(obj.spec), spec, errs);
  return errs;
}

export function validateCronJob(obj: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const errs: FieldIssue[] = [];
  const name = rec(obj.metadata).name;
  if (typeof name === 'string' && name.length > 52)
    errs.push(invalid(FieldPath.root('metadata').child('name'), name, 'must be no more than 52 characters'));
  const schedule = typeof s.schedule === 'string' ? s.schedule : '';
  if (!schedule) errs.push(required(spec.child('schedule')));
  else {
    const err = cronScheduleError(schedule);
    if (err) errs.push(invalid(spec.child('schedule'), schedule, err));
    if (schedule.includes('TZ'))
      errs.push(
        invalid(spec.child('schedule'), schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'),
      );
  }
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'])
    nonNegative(s, f, spec, errs);
  if (s.concurrencyPolicy !== undefined && !['Allow', 'Forbid', 'Replace'].includes(String(s.concurrencyPolicy))) {
    errs.push(notSupported(spec.child('concurrencyPolicy'), s.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  }
  const jt = rec(s.jobTemplate);
  const jtSpec = rec(jt.spec);
  const jtPath = spec.child('jobTemplate', 'spec');
  errs.push(...validateLabels(rec(jt.metadata).labels, spec.child('jobTemplate', 'metadata', 'labels')));
  if (jtSpec.selector !== undefined && jtSpec.selector !== null) {
    errs.push(
      invalidRendered(jtPath.child('selector'), goLabelSelector(jtSpec.selector), '`selector` will be auto-generated'),
    );
  }
  validateJobSpec({ ...jtSpec, selector: undefined }, jtPath, errs);
  return errs;
}

/** Spec fields each workload kind keeps for life; `old` is the stored object. */
export function validateWorkloadUpdate(kind: string, obj: Obj, old: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const o = rec(old.spec);
  const errs: FieldIssue[] = [];
  const selectorChanged = stableJson(s.selector) !== stableJson(o.selector);
  switch (kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'DaemonSet':
      if (selectorChanged)
        errs.push(invalidRendered(spec.child('selector'), goLabelSelector(s.selector), 'field is immutable'));
      break;
    case 'StatefulSet': {
      const strip = (x: Obj): string =>
        stableJson({
          ...x,
          replicas: undefined,
          template: undefined,
          updateStrategy: undefined,
          minReadySeconds: undefined,
          ordinals: undefined,
          revisionHistoryLimit: undefined,
          persistentVolumeClaimRetentionPolicy: undefined,
        });
      if (strip(s) !== strip(o)) {
        errs.push(
          forbidden(
            spec,
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          ),
        );
      }
      break;
    }
    case 'Job':
      if (selectorChanged && o.selector !== undefined)
        errs.push(invalidRendered(spec.child('selector'), goLabelSelector(s.selector), 'field is immutable'));
      if (stableJson(s.template) !== stableJson(o.template))
        errs.push(invalidRendered(spec.child('template'), JSON.stringify(s.template ?? null), 'field is immutable'));
      if (s.completionMode !== o.completionMode && o.completionMode !== undefined)
        errs.push(immutable(spec.child('completionMode'), s.completionMode ?? ''));
      break;
  }
  return errs;
}

function intOrPercent(v: unknown, path: FieldPath): FieldIssue[] {
  if (typeof v === 'string') {
    return /^[0-9]+%$/.test(v)
      ? []
      : [
          invalid(
            path,
            v,
            regexError(
              "a valid percent string must be a numeric string followed by an ending '%'",
              '[0-9]+%',
              '1%',
              '93%',
            ),
          ),
        ];
  }
  if (typeof v === 'number' && v < 0) return [invalid(path, v, 'must be greater than or equal to 0')];
  return [];
}

function percentValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return undefined;
}

function goIntOrString(v: unknown): string {
  return typeof v === 'string'
    ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`
    : `intstr.IntOrString{Type:0, IntVal:${String(v)}, StrVal:""}`;
}
