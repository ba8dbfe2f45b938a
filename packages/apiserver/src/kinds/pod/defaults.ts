// Pod and PodSpec defaults. defaultPodSpec runs on every PodSpec (pods and every workload's pod
// template); defaultPod adds what only a Pod object gets (SetDefaults_Pod: requests from limits,
// enableServiceLinks, host-network ports) plus the always-on Priority admission plugin's fields.
import { defaultContainer } from './container-defaults.js';
import { defaultResourceList } from '../../defaults/quantity.js';
import { ensureRec, rec, recs, setDefault, setDefaultIfZero, type Obj } from '../../defaults/util.js';
import { defaultVolume } from './volume-defaults.js';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Applies the PodSpec defaults in place (SetDefaults_PodSpec and everything nested in it). */
export function defaultPodSpec(spec: Obj): void {
  setDefaultIfZero(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultIfZero(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefaultIfZero(spec, 'schedulerName', 'default-scheduler');
  mirrorServiceAccount(spec);
  for (const v of recs(spec, 'volumes')) defaultVolume(v);
  for (const list of CONTAINER_LISTS) for (const c of recs(spec, list)) defaultContainer(c);
  defaultResourceList(spec, 'overhead');
  const podResources = rec(spec, 'resources');
  defaultResourceList(podResources, 'limits');
  defaultResourceList(podResources, 'requests');
}

/**
 * v1 keeps the deprecated `serviceAccount` as a mirror of `serviceAccountName` (the conversion to
 * and from the internal type does this), so both always read back together.
 */
function mirrorServiceAccount(spec: Obj): void {
  const deprecated = spec.serviceAccount;
  if (
    (spec.serviceAccountName === undefined || spec.serviceAccountName === '') &&
    typeof deprecated === 'string' &&
    deprecated !== ''
  ) {
    spec.serviceAccountName = deprecated;
  }
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '')
    spec.serviceAccount = spec.serviceAccountName;
}

/** Defaults of a PodTemplateSpec ({metadata, spec}) inside a workload. */
export function defaultPodTemplateSpec(template: Obj | undefined): void {
  const spec = template ? rec(template, 'spec') : undefined;
  if (spec) defaultPodSpec(spec);
}

/** Requests default to limits, per resource, for regular and init containers (Pods only). */
function defaultRequestsFromLimits(spec: Obj): void {
  for (const c of [...recs(spec, 'containers'), ...recs(spec, 'initContainers')]) {
    const resources = rec(c, 'resources');
    const limits = resources ? rec(resources, 'limits') : undefined;
    if (!resources || !limits) continue;
    const requests = ensureRec(resources, 'requests');
    if (!requests) continue;
    for (const [name, value] of Object.entries(limits)) if (!(name in requests)) requests[name] = value;
  }
}

/** With hostNetwork, every container port's hostPort defaults to its containerPort. */
function defaultHostNetworkPorts(spec: Obj): void {
  if (spec.hostNetwork !== true) return;
  for (const c of [...recs(spec, 'containers'), ...recs(spec, 'initContainers')]) {
    for (const p of recs(c, 'ports')) if (!p.hostPort) p.hostPort = p.containerPort;
  }
}

/** A PriorityClass as the Priority admission plugin reads it. */
export interface PriorityClassInfo {
  value: number;
  preemptionPolicy?: string;
}

/** The two classes every cluster has (scheduling/v1 system classes). */
export const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, PriorityClassInfo>> = {
  'system-cluster-critical': { value: 2000000000 },
  'system-node-critical': { value: 2000001000 },
};

/**
 * The Priority admission plugin: resolves priorityClassName to spec.priority and
 * spec.preemptionPolicy; no class means priority 0 (Wharf has no global-default class unless
 * `lookup` returns one for ""). Leaves both unset when the class is unknown.
 */
export function admitPodPriority(pod: Obj, lookup?: (className: string) => PriorityClassInfo | undefined): void {
  const spec = rec(pod, 'spec');
  if (!spec) return;
  const className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
  const cls =
    lookup?.(className) ?? SYSTEM_PRIORITY_CLASSES[className] ?? (className === '' ? { value: 0 } : undefined);
  if (!cls) return;
  setDefault(spec, 'priority', cls.value);
  setDefault(spec, 'preemptionPolicy', cls.preemptionPolicy ?? 'PreemptLowerPriority');
}

/** Applies all defaults a Pod object gets on create (except the ServiceAccount admission). */
export function defaultPod(pod: Obj): void {
  const spec = rec(pod, 'spec');
  if (!spec) return;
  defaultRequestsFromLimits(spec);
  setDefault(spec, 'enableServiceLinks', true);
  defaultHostNetworkPorts(spec);
  defaultPodSpec(spec);
  admitPodPriority(pod);
}
