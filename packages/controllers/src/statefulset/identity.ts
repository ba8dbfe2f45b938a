// A StatefulSet pod's stable identity: its name `<set>-<ordinal>`, hostname and subdomain, the
// identity labels, and its PersistentVolumeClaims `<claim>-<set>-<ordinal>`.
import type {
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodTemplateSpec,
  V1StatefulSet,
  V1Volume,
} from '@kubernetes/client-node';
import { clone, ownerRefTo } from '../common/pods.js';
import { REVISION_HASH_LABEL } from '../common/revisions.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export function podName(sts: V1StatefulSet, ordinal: number): string {
  return `${sts.metadata?.name}-${ordinal}`;
}

/** The ordinal of a pod named `<set>-<n>`, or undefined for another name. */
export function ordinalOf(sts: V1StatefulSet, pod: V1Pod): number | undefined {
  const prefix = `${sts.metadata?.name}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

export function claimName(sts: V1StatefulSet, claim: string, ordinal: number): string {
  return `${claim}-${sts.metadata?.name}-${ordinal}`;
}

export function podClaims(sts: V1StatefulSet, ordinal: number): V1PersistentVolumeClaim[] {
  const ns = sts.metadata?.namespace ?? 'default';
  const deleteWithSet = sts.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
  return (sts.spec?.volumeClaimTemplates ?? []).map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(sts, t.metadata?.name ?? '', ordinal),
      namespace: ns,
      labels: { ...(t.metadata?.labels ?? {}), ...(sts.spec?.selector?.matchLabels ?? {}) },
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ...(deleteWithSet
        ? { ownerReferences: [{ ...ownerRefTo(sts, 'apps/v1', 'StatefulSet'), controller: false }] }
        : {}),
    },
    spec: clone(t.spec ?? {}),
  }));
}

export function statefulPod(
  sts: V1StatefulSet,
  template: V1PodTemplateSpec | undefined,
  revision: string,
  ordinal: number,
): V1Pod {
  const name = podName(sts, ordinal);
  const spec = clone(template?.spec ?? { containers: [] });
  const claims = sts.spec?.volumeClaimTemplates ?? [];
  const claimNames = new Set(claims.map((c) => c.metadata?.name));
  const volumes: V1Volume[] = (spec.volumes ?? []).filter((v) => !claimNames.has(v.name));
  for (const c of claims) {
    const n = c.metadata?.name ?? '';
    volumes.push({ name: n, persistentVolumeClaim: { claimName: claimName(sts, n, ordinal) } });
  }
  if (volumes.length) spec.volumes = volumes;
  spec.hostname = name;
  if (sts.spec?.serviceName) spec.subdomain = sts.spec.serviceName;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: sts.metadata?.namespace ?? 'default',
      labels: {
        ...(template?.metadata?.labels ?? {}),
        [POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(ordinal),
        [REVISION_HASH_LABEL]: revision,
      },
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerRefTo(sts, 'apps/v1', 'StatefulSet')],
    },
    spec,
  };
}
