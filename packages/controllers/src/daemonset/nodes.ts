// Which nodes a DaemonSet runs on, and the pod it puts there: the real controller's tolerations
// and a required node affinity on metadata.name, so the ordinary scheduler binds the pod.
import type {
  V1DaemonSet,
  V1Node,
  V1NodeSelectorTerm,
  V1Pod,
  V1PodTemplateSpec,
  V1Toleration,
} from '@kubernetes/client-node';
import { clone, ownerRefTo } from '../common/pods.js';
import { REVISION_HASH_LABEL } from '../common/revisions.js';
import { matchesNodeSelectorTerms, untoleratedTaint } from '../scheduler/filters.js';

/** The tolerations every daemon pod gets (AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(hostNetwork: boolean): V1Toleration[] {
  const t = (key: string, effect: string): V1Toleration => ({ key, operator: 'Exists', effect });
  return [
    t('node.kubernetes.io/not-ready', 'NoExecute'),
    t('node.kubernetes.io/unreachable', 'NoExecute'),
    t('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    t('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    t('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    t('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [t('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

function addTolerations(existing: readonly V1Toleration[] | undefined, extra: readonly V1Toleration[]): V1Toleration[] {
  const out = [...(existing ?? [])];
  for (const t of extra) {
    if (!out.some((o) => o.key === t.key && o.effect === t.effect && o.operator === t.operator)) out.push(t);
  }
  return out;
}

export function nodeNameTerm(node: string): V1NodeSelectorTerm {
  return { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] };
}

/** The pod for one node, from a template and its revision hash. */
export function daemonPod(ds: V1DaemonSet, template: V1PodTemplateSpec | undefined, node: string, hash: string): V1Pod {
  const spec = clone(template?.spec ?? { containers: [] });
  const affinity = spec.affinity ?? {};
  spec.affinity = {
    ...affinity,
    nodeAffinity: {
      ...(affinity.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [nodeNameTerm(node)] },
    },
  };
  spec.tolerations = addTolerations(spec.tolerations, daemonTolerations(spec.hostNetwork === true));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata?.name}-`,
      namespace: ds.metadata?.namespace ?? 'default',
      labels: { ...(template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerRefTo(ds, 'apps/v1', 'DaemonSet')],
    },
    spec,
  };
}

export interface NodePlacement {
  /** The daemon pod should be created here. */
  readonly shouldRun: boolean;
  /** A pod already here may stay (no untolerated NoExecute taint, selectors still match). */
  readonly shouldContinueRunning: boolean;
}

/** nodeShouldRunDaemonPod: nodeName, nodeSelector, required node affinity and taints. */
export function placement(ds: V1DaemonSet, node: V1Node): NodePlacement {
  const spec = ds.spec?.template?.spec;
  const name = node.metadata?.name ?? '';
  const labels = node.metadata?.labels ?? {};
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec?.nodeName && spec.nodeName !== name) return no;
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return no;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && !matchesNodeSelectorTerms(required.nodeSelectorTerms ?? [], labels, { 'metadata.name': name }))
    return no;
  const probe: V1Pod = {
    spec: {
      containers: [],
      tolerations: addTolerations(spec?.tolerations, daemonTolerations(spec?.hostNetwork === true)),
    },
  };
  const taints = node.spec?.taints ?? [];
  const noExecute = untoleratedTaint(probe, taints, ['NoExecute']);
  const noSchedule = untoleratedTaint(probe, taints, ['NoSchedule']);
  return { shouldRun: !noExecute && !noSchedule, shouldContinueRunning: !noExecute };
}

/** The node a daemon pod is for: spec.nodeName, or the metadata.name of its node affinity. */
export function targetNode(pod: V1Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}
