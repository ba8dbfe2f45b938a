// ControllerRevisions: the pod-template history of DaemonSets and StatefulSets, as the real
// controllers keep it. `data` is a strategic merge patch that replaces spec.template, which is
// what `kubectl rollout undo ds|sts` sends back to restore a revision.
import type { KubernetesObject, V1ControllerRevision, V1PodTemplateSpec } from '@kubernetes/client-node';
import { podTemplateHash } from '../deployment/hash.js';
import { clone, controllerRef, ownerRefTo, stableJson } from './pods.js';

/** The label with a revision's hash, on the revision and (DaemonSet) on its pods. */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
/** The StatefulSet controller's own hash label on revisions. */
export const HASH_LABEL = 'controller.kubernetes.io/hash';

export type RevisionAction =
  | { readonly type: 'createRevision'; readonly revision: V1ControllerRevision }
  | { readonly type: 'updateRevision'; readonly revision: V1ControllerRevision }
  | { readonly type: 'deleteRevision'; readonly revision: V1ControllerRevision };

interface Owner extends KubernetesObject {
  spec?: {
    template?: V1PodTemplateSpec;
    selector?: { matchLabels?: Record<string, string> };
    revisionHistoryLimit?: number;
  };
}

export function templatePatch(template: V1PodTemplateSpec | undefined): object {
  return { spec: { template: { ...clone(template ?? {}), $patch: 'replace' } } };
}

/** The pod template a revision restores. */
export function templateOf(rev: V1ControllerRevision | undefined): V1PodTemplateSpec | undefined {
  const t = (rev?.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template;
  if (!t) return undefined;
  const { $patch: _ignored, ...rest } = t;
  return clone(rest) as V1PodTemplateSpec;
}

export function ownedRevisions(owner: KubernetesObject, all: readonly V1ControllerRevision[]): V1ControllerRevision[] {
  return all
    .filter((r) => r.metadata?.namespace === owner.metadata?.namespace && controllerRef(r)?.uid === owner.metadata?.uid)
    .sort((a, b) => a.revision - b.revision);
}

export interface RevisionSync {
  /** The revision that matches the owner's current template (possibly about to be created). */
  readonly update: V1ControllerRevision;
  /** The hash part of its name. */
  readonly hash: string;
  readonly actions: RevisionAction[];
  /** Raised when a revision of the same name held another template. */
  readonly collisionCount: number | undefined;
}

/**
 * Finds or creates the revision of the owner's template; an older revision with the same
 * template is renumbered to the newest (as after `rollout undo`).
 */
export function syncUpdateRevision(
  owner: Owner,
  apiVersion: string,
  kind: string,
  revisions: readonly V1ControllerRevision[],
  collisionCount: number | undefined,
): RevisionSync {
  const data = templatePatch(owner.spec?.template);
  const text = stableJson(data);
  const max = revisions.reduce((m, r) => Math.max(m, r.revision), 0);
  const actions: RevisionAction[] = [];
  const equal = revisions.filter((r) => stableJson(r.data) === text);
  const found = equal[equal.length - 1];
  if (found) {
    const hash =
      found.metadata?.labels?.[REVISION_HASH_LABEL] ??
      (found.metadata?.name ?? '').slice((owner.metadata?.name ?? '').length + 1);
    if (found.revision === max) return { update: found, hash, actions, collisionCount };
    const bumped = { ...clone(found), revision: max + 1 };
    actions.push({ type: 'updateRevision', revision: bumped });
    return { update: bumped, hash, actions, collisionCount };
  }
  let count = collisionCount;
  let hash = podTemplateHash(owner.spec?.template, count);
  const names = new Set(revisions.map((r) => r.metadata?.name));
  while (names.has(`${owner.metadata?.name}-${hash}`)) {
    count = (count ?? 0) + 1;
    hash = podTemplateHash(owner.spec?.template, count);
  }
  const revision: V1ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${owner.metadata?.name}-${hash}`,
      namespace: owner.metadata?.namespace ?? 'default',
      labels: { ...(owner.spec?.selector?.matchLabels ?? {}), [REVISION_HASH_LABEL]: hash, [HASH_LABEL]: hash },
      annotations: pickChangeCause(owner),
      ownerReferences: [ownerRefTo(owner, apiVersion, kind)],
    },
    data,
    revision: max + 1,
  };
  actions.push({ type: 'createRevision', revision });
  return { update: revision, hash, actions, collisionCount: count };
}

function pickChangeCause(owner: KubernetesObject): Record<string, string> {
  const cause = owner.metadata?.annotations?.['kubernetes.io/change-cause'];
  return cause ? { 'kubernetes.io/change-cause': cause } : {};
}

/** Deletes the oldest revisions beyond revisionHistoryLimit that no live pod and no status uses. */
export function truncateHistory(
  owner: Owner,
  revisions: readonly V1ControllerRevision[],
  live: ReadonlySet<string>,
): RevisionAction[] {
  const limit = owner.spec?.revisionHistoryLimit ?? 10;
  const unused = revisions.filter((r) => !live.has(r.metadata?.name ?? ''));
  const excess = unused.length - limit;
  return excess > 0 ? unused.slice(0, excess).map((revision) => ({ type: 'deleteRevision', revision })) : [];
}
