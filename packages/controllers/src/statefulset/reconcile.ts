// The StatefulSet controller's decisions, without I/O (after stateful_set_control.go): pods
// `<set>-<ordinal>` created in order (OrderedReady waits for each to be Running and Ready) or
// all at once (Parallel), removed from the highest ordinal, their claims, the rolling update
// with a partition from the highest ordinal down, revisions, and the status
// `kubectl rollout status sts` reads.
import type {
  V1ControllerRevision,
  V1OwnerReference,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StatefulSet,
  V1StatefulSetStatus,
} from '@kubernetes/client-node';
import { isAvailable, isReady, isTerminating, ownerRefTo, readyCondition } from '../common/pods.js';
import {
  REVISION_HASH_LABEL,
  syncUpdateRevision,
  templateOf,
  truncateHistory,
  type RevisionAction,
} from '../common/revisions.js';
import { ordinalOf, podClaims, statefulPod } from './identity.js';

export type StatefulSetAction =
  | RevisionAction
  | { readonly type: 'createClaim'; readonly claim: V1PersistentVolumeClaim }
  | {
      readonly type: 'setClaimOwners';
      readonly claim: V1PersistentVolumeClaim;
      readonly ownerReferences: V1OwnerReference[];
    }
  | { readonly type: 'createPod'; readonly pod: V1Pod }
  | { readonly type: 'deletePod'; readonly pod: V1Pod; readonly reason: string }
  | { readonly type: 'status'; readonly status: V1StatefulSetStatus };

export interface StatefulSetObserved {
  /** Pods controlled by the StatefulSet. */
  readonly pods: readonly V1Pod[];
  /** PersistentVolumeClaims of its namespace. */
  readonly claims: readonly V1PersistentVolumeClaim[];
  /** ControllerRevisions controlled by the StatefulSet, oldest revision first. */
  readonly revisions: readonly V1ControllerRevision[];
  readonly now: number;
  readonly canManagePods: boolean;
}

export interface StatefulSetPlan {
  readonly actions: StatefulSetAction[];
  readonly requeueAfterMs?: number;
}

const runningAndReady = (p: V1Pod): boolean => p.status?.phase === 'Running' && isReady(p);
const finished = (p: V1Pod): boolean => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

export function reconcileStatefulSet(sts: V1StatefulSet, observed: StatefulSetObserved): StatefulSetPlan {
  const actions: StatefulSetAction[] = [];
  const now = observed.now;
  const minReady = sts.spec?.minReadySeconds ?? 0;
  const healthy = (p: V1Pod): boolean => runningAndReady(p) && isAvailable(p, minReady, now) && !isTerminating(p);
  const rev = syncUpdateRevision(sts, 'apps/v1', 'StatefulSet', observed.revisions, sts.status?.collisionCount);
  actions.push(...rev.actions);
  const update = rev.update;
  const updateName = update.metadata?.name ?? '';
  const current = observed.revisions.find((r) => r.metadata?.name === sts.status?.currentRevision) ?? update;
  const currentName = current.metadata?.name ?? '';
  const rolling = (sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = rolling ? (sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
  const replicas = sts.spec?.replicas ?? 1;
  const start = sts.spec?.ordinals?.start ?? 0;
  const monotonic = (sts.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const revisionOf = (p: V1Pod): string => p.metadata?.labels?.[REVISION_HASH_LABEL] ?? '';

  const slots: (V1Pod | undefined)[] = Array.from({ length: replicas }, () => undefined);
  const condemned: V1Pod[] = [];
  for (const p of observed.pods) {
    const ord = ordinalOf(sts, p);
    if (ord === undefined) continue;
    if (ord >= start && ord < start + replicas) slots[ord - start] = p;
    else condemned.push(p);
  }
  condemned.sort((a, b) => (ordinalOf(sts, b) ?? 0) - (ordinalOf(sts, a) ?? 0));
  const claimNames = new Set(observed.claims.map((c) => c.metadata?.name));
  const missingClaims = (ord: number): V1PersistentVolumeClaim[] =>
    podClaims(sts, ord).filter((c) => !claimNames.has(c.metadata?.name));

  const manage = observed.canManagePods && !sts.metadata?.deletionTimestamp;
  let blocked = !manage;
  let changed = false;
  if (manage) {
    for (let i = 0; i < replicas && !blocked; i++) {
      const ord = start + i;
      const pod = slots[i];
      if (!pod) {
        for (const claim of missingClaims(ord)) actions.push({ type: 'createClaim', claim });
        const useCurrent = rolling && ord < partition;
        const template = useCurrent ? (templateOf(current) ?? sts.spec?.template) : sts.spec?.template;
        actions.push({
          type: 'createPod',
          pod: statefulPod(sts, template, useCurrent ? currentName : updateName, ord),
        });
        changed = true;
        if (monotonic) blocked = true;
        continue;
      }
      if (finished(pod) && !isTerminating(pod)) {
        actions.push({ type: 'deletePod', pod, reason: `pod ${pod.status?.phase}` });
        changed = true;
        if (monotonic) blocked = true;
        continue;
      }
      for (const claim of missingClaims(ord)) actions.push({ type: 'createClaim', claim });
      if (monotonic && !healthy(pod)) blocked = true;
    }
    if (!blocked) {
      const terminating = observed.pods.some(isTerminating);
      for (const pod of condemned) {
        if (isTerminating(pod)) continue;
        if (monotonic && terminating) break;
        if (sts.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') {
          const ord = ordinalOf(sts, pod) ?? 0;
          for (const want of podClaims(sts, ord)) {
            const claim = observed.claims.find((c) => c.metadata?.name === want.metadata?.name);
            if (!claim || claim.metadata?.ownerReferences?.some((r) => r.uid === pod.metadata?.uid)) continue;
            actions.push({
              type: 'setClaimOwners',
              claim,
              ownerReferences: [
                ...(claim.metadata?.ownerReferences ?? []),
                { ...ownerRefTo({ ...pod }, 'v1', 'Pod'), controller: false },
              ],
            });
          }
        }
        actions.push({ type: 'deletePod', pod, reason: 'scale down' });
        changed = true;
        if (monotonic) break;
      }
      if (condemned.length) blocked = monotonic;
    }
    // The rolling update: from the highest ordinal down to the partition, one pod at a time.
    if (!blocked && !changed && rolling) {
      for (let i = replicas - 1; i >= Math.max(0, partition - start); i--) {
        const pod = slots[i];
        if (!pod) break;
        if (revisionOf(pod) !== updateName && !isTerminating(pod)) {
          actions.push({ type: 'deletePod', pod, reason: 'rolling update' });
          break;
        }
        if (!healthy(pod)) break;
      }
    }
  }

  let requeueAfterMs: number | undefined;
  const live = observed.pods.filter((p) => !isTerminating(p));
  if (minReady > 0) {
    for (const p of live) {
      const { ready, since } = readyCondition(p);
      if (!ready || isAvailable(p, minReady, now) || !Number.isFinite(since)) continue;
      const wait = since + minReady * 1000 - now + 1;
      requeueAfterMs = Math.min(requeueAfterMs ?? wait, wait);
    }
  }

  const status: V1StatefulSetStatus = {
    observedGeneration: sts.metadata?.generation ?? 0,
    replicas: observed.pods.filter((p) => !!p.status?.phase).length,
    readyReplicas: observed.pods.filter(runningAndReady).length,
    availableReplicas: observed.pods.filter((p) => runningAndReady(p) && isAvailable(p, minReady, now)).length,
    currentReplicas: live.filter((p) => revisionOf(p) === currentName).length,
    updatedReplicas: live.filter((p) => revisionOf(p) === updateName).length,
    currentRevision: currentName,
    updateRevision: updateName,
  };
  if (rev.collisionCount !== undefined) status.collisionCount = rev.collisionCount;
  if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = updateName;
  }
  const inUse = new Set([updateName, status.currentRevision ?? '', ...observed.pods.map(revisionOf)]);
  actions.push(...truncateHistory(sts, observed.revisions, inUse));
  if (statusChanged(sts.status, status)) actions.push({ type: 'status', status });
  return requeueAfterMs === undefined ? { actions } : { actions, requeueAfterMs };
}

const KEYS = [
  'observedGeneration',
  'replicas',
  'readyReplicas',
  'availableReplicas',
  'currentReplicas',
  'updatedReplicas',
  'currentRevision',
  'updateRevision',
  'collisionCount',
] as const;

function statusChanged(old: V1StatefulSetStatus | undefined, next: V1StatefulSetStatus): boolean {
  return KEYS.some((k) => (old?.[k] ?? 0) !== (next[k] ?? 0));
}
