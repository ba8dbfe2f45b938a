// The Deployment controller's decisions, without I/O: which ReplicaSets to create, scale,
// annotate or delete for one sync, following the real controller's control flow (paused and
// scaling events → proportional scaling; RollingUpdate; Recreate; history cleanup), and the
// status it reports.
import type { V1Deployment, V1DeploymentStatus, V1Pod, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import { matchesSelector, timeOf } from '@wharf/client';
import { clone, controllerRef, ownerRefTo, stableJson } from '../common/pods.js';
import { podTemplateHash } from './hash.js';
import { isRollingUpdate, maxScaledDown, maxSurge, maxUnavailable, newRSNewReplicas, replicasOf } from './rolling.js';
import {
  calculateStatus,
  condition,
  deploymentComplete,
  FOUND_NEW_RS,
  getCondition,
  NEW_RS_CREATED,
  PAUSED,
  RESUMED,
  rolloutStatus,
  setCondition,
} from './status.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const HASH_LABEL = 'pod-template-hash';
const SKIP_COPY = new Set([
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'kubectl.kubernetes.io/last-applied-configuration',
  'deprecated.deployment.rollback.to',
]);

export type DeploymentAction =
  | { readonly type: 'adoptReplicaSet'; readonly rs: V1ReplicaSet }
  | { readonly type: 'createReplicaSet'; readonly rs: V1ReplicaSet }
  | { readonly type: 'updateReplicaSet'; readonly rs: V1ReplicaSet }
  | { readonly type: 'deleteReplicaSet'; readonly rs: V1ReplicaSet }
  | { readonly type: 'annotateDeployment'; readonly annotations: Record<string, string> }
  | { readonly type: 'status'; readonly status: V1DeploymentStatus }
  | {
      readonly type: 'event';
      readonly eventType: 'Normal' | 'Warning';
      readonly reason: string;
      readonly message: string;
    };

export interface DeploymentObserved {
  /** ReplicaSets of the namespace owned by the Deployment or matching its selector. */
  readonly replicaSets: readonly V1ReplicaSet[];
  /** Pods of the namespace owned by those ReplicaSets (Recreate waits for old ones to go). */
  readonly pods: readonly V1Pod[];
  readonly now: number;
}

export interface DeploymentPlan {
  readonly actions: DeploymentAction[];
  readonly requeueAfterMs?: number;
}

/** Templates equal once the pod-template-hash label is ignored (EqualIgnoreHash). */
export function equalIgnoreHash(a: V1PodTemplateSpec | undefined, b: V1PodTemplateSpec | undefined): boolean {
  const strip = (t: V1PodTemplateSpec | undefined): V1PodTemplateSpec => {
    const c = clone(t ?? {});
    if (c.metadata?.labels) {
      delete c.metadata.labels[HASH_LABEL];
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    }
    if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata;
    return c;
  };
  return stableJson(strip(a)) === stableJson(strip(b));
}

export function revisionOf(rs: V1ReplicaSet): number {
  const n = Number(rs.metadata?.annotations?.[REVISION] ?? 0);
  return Number.isFinite(n) ? n : 0;
}

const byCreation = (a: V1ReplicaSet, b: V1ReplicaSet): number =>
  timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp) ||
  (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** One sync: a mutable working copy of the ReplicaSets, and the actions taken on them. */
class Sync {
  readonly actions: DeploymentAction[] = [];
  readonly rss: V1ReplicaSet[];
  private readonly dirty = new Set<V1ReplicaSet>();
  newRS: V1ReplicaSet | undefined;
  readonly status: V1DeploymentStatus;

  constructor(
    readonly d: V1Deployment,
    observed: DeploymentObserved,
  ) {
    const uid = d.metadata?.uid;
    this.rss = [];
    for (const rs of observed.replicaSets) {
      const ref = controllerRef(rs);
      if (ref?.uid === uid) this.rss.push(clone(rs));
      else if (!ref && matchesSelector(d.spec?.selector, rs.metadata?.labels) && !d.metadata?.deletionTimestamp) {
        const adopted = clone(rs);
        adopted.metadata = {
          ...adopted.metadata,
          ownerReferences: [...(rs.metadata?.ownerReferences ?? []), ownerRefTo(d, 'apps/v1', 'Deployment')],
        };
        this.actions.push({ type: 'adoptReplicaSet', rs: adopted });
        this.rss.push(adopted);
      }
    }
    this.rss.sort(byCreation);
    this.newRS = this.rss.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
    this.status = clone(d.status ?? {});
  }

  get oldRSs(): V1ReplicaSet[] {
    return this.rss.filter((rs) => rs !== this.newRS);
  }

  /** Scales a ReplicaSet (and refreshes its replica annotations), recording the event. */
  scale(rs: V1ReplicaSet, to: number): boolean {
    const from = replicasOf(rs);
    const annotationsChanged = this.setReplicaAnnotations(rs);
    if (from === to && !annotationsChanged) return false;
    rs.spec = { ...rs.spec, replicas: to } as V1ReplicaSet['spec'];
    this.dirty.add(rs);
    if (from !== to)
      this.event(
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata?.name} from ${from} to ${to}`,
      );
    return from !== to;
  }

  private setReplicaAnnotations(rs: V1ReplicaSet): boolean {
    const a = { ...(rs.metadata?.annotations ?? {}) };
    const desired = String(replicasOf(this.d));
    const max = String(replicasOf(this.d) + maxSurge(this.d));
    if (a[DESIRED_REPLICAS] === desired && a[MAX_REPLICAS] === max) return false;
    a[DESIRED_REPLICAS] = desired;
    a[MAX_REPLICAS] = max;
    rs.metadata = { ...rs.metadata, annotations: a };
    return true;
  }

  event(eventType: 'Normal' | 'Warning', reason: string, message: string): void {
    this.actions.push({ type: 'event', eventType, reason, message });
  }

  /** Finds or creates the new ReplicaSet and keeps revision annotations in step (getAllReplicaSetsAndSyncRevision). */
  syncRevision(create: boolean, now: number): void {
    const d = this.d;
    const maxOld = Math.max(0, ...this.oldRSs.map(revisionOf));
    const newRevision = String(maxOld + 1);
    if (this.newRS) {
      const rs = this.newRS;
      const changed = this.copyAnnotations(rs, newRevision);
      if (changed || (rs.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
        rs.spec = { ...rs.spec, minReadySeconds: d.spec?.minReadySeconds ?? 0 } as V1ReplicaSet['spec'];
        this.dirty.add(rs);
      }
      if (!getCondition(this.status, 'Progressing') && d.spec?.progressDeadlineSeconds !== undefined) {
        setCondition(
          this.status,
          condition('Progressing', 'True', FOUND_NEW_RS, `Found new replica set "${rs.metadata?.name}"`, now),
        );
      }
    } else if (create) {
      const hash = podTemplateHash(d.spec?.template, d.status?.collisionCount);
      const template = clone(d.spec?.template ?? {});
      template.metadata = {
        ...template.metadata,
        labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
      };
      const selector = clone(d.spec?.selector ?? {});
      selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
      const rs: V1ReplicaSet = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${d.metadata?.name}-${hash}`,
          namespace: d.metadata?.namespace,
          labels: { ...(template.metadata.labels ?? {}) },
          ownerReferences: [ownerRefTo(d, 'apps/v1', 'Deployment')],
        },
        spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
      };
      this.copyAnnotations(rs, newRevision);
      this.setReplicaAnnotations(rs);
      rs.spec = { ...rs.spec, replicas: newRSNewReplicas(d, this.rss, undefined) } as V1ReplicaSet['spec'];
      this.actions.push({ type: 'createReplicaSet', rs });
      this.rss.push(rs);
      this.newRS = rs;
      const to = replicasOf(rs);
      if (to > 0)
        this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata?.name} from 0 to ${to}`);
      if (d.spec?.progressDeadlineSeconds !== undefined) {
        setCondition(
          this.status,
          condition('Progressing', 'True', NEW_RS_CREATED, `Created new replica set "${rs.metadata?.name}"`, now),
        );
      }
    }
    const rev = this.newRS ? this.newRS.metadata?.annotations?.[REVISION] : undefined;
    if (rev && d.metadata?.annotations?.[REVISION] !== rev)
      this.actions.push({ type: 'annotateDeployment', annotations: { [REVISION]: rev } });
  }

  /** Deployment annotations onto the ReplicaSet, and a newer revision (old one to the history). */
  private copyAnnotations(rs: V1ReplicaSet, newRevision: string): boolean {
    const a = { ...(rs.metadata?.annotations ?? {}) };
    let changed = false;
    for (const [k, v] of Object.entries(this.d.metadata?.annotations ?? {})) {
      if (SKIP_COPY.has(k) || a[k] === v) continue;
      a[k] = v;
      changed = true;
    }
    const old = a[REVISION];
    if (!old || Number(old) < Number(newRevision)) {
      a[REVISION] = newRevision;
      if (old) a[REVISION_HISTORY] = a[REVISION_HISTORY] ? `${a[REVISION_HISTORY]},${old}` : old;
      changed = true;
    }
    rs.metadata = { ...rs.metadata, annotations: a };
    return changed;
  }

  flush(): void {
    for (const rs of this.rss)
      if (this.dirty.has(rs) && !this.actions.some((a) => a.type === 'createReplicaSet' && a.rs === rs))
        this.actions.push({ type: 'updateReplicaSet', rs });
  }
}

export function reconcileDeployment(d: V1Deployment, observed: DeploymentObserved): DeploymentPlan {
  const s = new Sync(d, observed);
  const now = observed.now;
  if (d.metadata?.deletionTimestamp) return finish(s, calculateStatus(d, s.rss, s.newRS, now));
  if (isEmptySelectorDeployment(d)) {
    s.event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
    return finish(s, undefined);
  }
  pausedConditions(s, now);
  if (d.spec?.paused || isScalingEvent(s)) {
    s.syncRevision(false, now);
    scale(s);
    if (d.spec?.paused) cleanup(s);
    return finish(s, withConditions(calculateStatus(d, s.rss, s.newRS, now), s.status));
  }
  if (isRollingUpdate(d)) return rolling(s, now);
  return recreate(s, observed.pods, now);
}

function isEmptySelectorDeployment(d: V1Deployment): boolean {
  const sel = d.spec?.selector;
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

function pausedConditions(s: Sync, now: number): void {
  if (s.d.spec?.progressDeadlineSeconds === undefined) return;
  const cur = getCondition(s.status, 'Progressing');
  const pausedNow = cur?.reason === PAUSED;
  if (s.d.spec?.paused && !pausedNow)
    setCondition(s.status, condition('Progressing', 'Unknown', PAUSED, 'Deployment is paused', now));
  else if (!s.d.spec?.paused && pausedNow)
    setCondition(s.status, condition('Progressing', 'Unknown', RESUMED, 'Deployment is resumed', now));
}

/** Conditions the sync set (Progressing) carried into a freshly calculated status. */
function withConditions(fresh: V1DeploymentStatus, working: V1DeploymentStatus): V1DeploymentStatus {
  const prog = getCondition(working, 'Progressing');
  if (prog) fresh.conditions = [...(fresh.conditions ?? []).filter((c) => c.type !== 'Progressing'), prog];
  return fresh;
}

function isScalingEvent(s: Sync): boolean {
  const want = String(replicasOf(s.d));
  return s.rss
    .filter((rs) => replicasOf(rs) > 0)
    .some((rs) => {
      const desired = rs.metadata?.annotations?.[DESIRED_REPLICAS];
      return desired !== undefined && desired !== want;
    });
}

/** Proportional scaling across active ReplicaSets (DeploymentController.scale). */
function scale(s: Sync): void {
  const d = s.d;
  const active = s.rss.filter((rs) => replicasOf(rs) > 0);
  let only: V1ReplicaSet | undefined;
  if (active.length === 1) only = active[0];
  else if (active.length === 0) only = s.newRS ?? [...s.oldRSs].sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  if (only) {
    s.scale(only, replicasOf(d));
    return;
  }
  const newRS = s.newRS;
  if (
    newRS &&
    replicasOf(newRS) === replicasOf(d) &&
    newRS.metadata?.annotations?.[DESIRED_REPLICAS] === String(replicasOf(d)) &&
    (newRS.status?.availableReplicas ?? 0) === replicasOf(d)
  ) {
    for (const rs of s.oldRSs) s.scale(rs, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const current = active.reduce((n, rs) => n + replicasOf(rs), 0);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - current;
  const ordered = [...active].sort((a, b) => {
    const diff = replicasOf(b) - replicasOf(a);
    if (diff !== 0) return toAdd > 0 ? diff : -diff;
    return toAdd > 0 ? byCreation(b, a) : byCreation(a, b);
  });
  let added = 0;
  const sizes = new Map<V1ReplicaSet, number>();
  for (const rs of ordered) {
    let proportion = 0;
    if (toAdd !== 0 && toAdd !== added) {
      const fraction = replicaSetFraction(rs, d);
      const allowedLeft = toAdd - added;
      proportion = toAdd > 0 ? Math.min(fraction, allowedLeft) : Math.max(fraction, allowedLeft);
    }
    sizes.set(rs, replicasOf(rs) + proportion);
    added += proportion;
  }
  const first = ordered[0];
  if (first && toAdd !== 0) sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  for (const [rs, n] of sizes) s.scale(rs, n);
}

function replicaSetFraction(rs: V1ReplicaSet, d: V1Deployment): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = Number(rs.metadata?.annotations?.[MAX_REPLICAS] ?? NaN);
  const base = Number.isFinite(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0);
  if (base === 0) return 0;
  return Math.round((replicasOf(rs) * deploymentReplicas) / base) - replicasOf(rs);
}

function rolling(s: Sync, now: number): DeploymentPlan {
  const d = s.d;
  s.syncRevision(true, now);
  const newRS = s.newRS;
  // Scale up the new ReplicaSet.
  if (newRS && !s.actions.some((a) => a.type === 'createReplicaSet')) {
    const want = replicasOf(d);
    const cur = replicasOf(newRS);
    if (cur > want) {
      if (s.scale(newRS, want)) return progress(s, now);
    } else if (cur < want) {
      if (s.scale(newRS, newRSNewReplicas(d, s.rss, newRS))) return progress(s, now);
    } else s.scale(newRS, want);
  } else if (s.actions.some((a) => a.type === 'createReplicaSet') && newRS && replicasOf(newRS) > 0) {
    return progress(s, now);
  }
  // Scale down old ReplicaSets: unhealthy pods first, then as far as availability allows.
  const old = s.oldRSs;
  if (old.reduce((n, rs) => n + replicasOf(rs), 0) > 0) {
    const budget = maxScaledDown(d, s.rss, newRS);
    if (budget > 0) {
      let cleaned = 0;
      for (const rs of old) {
        if (cleaned >= budget) break;
        const r = replicasOf(rs);
        if (r === 0) continue;
        const unhealthy = r - (rs.status?.availableReplicas ?? 0);
        if (unhealthy <= 0) continue;
        const n = Math.min(budget - cleaned, unhealthy);
        s.scale(rs, r - n);
        cleaned += n;
      }
      const minAvailable = replicasOf(d) - maxUnavailable(d);
      const available = s.rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
      let scaled = 0;
      if (available > minAvailable) {
        const total = available - minAvailable;
        for (const rs of old) {
          if (scaled >= total) break;
          const r = replicasOf(rs);
          if (r === 0) continue;
          const n = Math.min(r, total - scaled);
          s.scale(rs, r - n);
          scaled += n;
        }
      }
      if (cleaned + scaled > 0) return progress(s, now);
    }
  }
  const status = calculateStatus(d, s.rss, newRS, now);
  if (deploymentComplete(d, status)) cleanup(s);
  return progress(s, now);
}

function recreate(s: Sync, pods: readonly V1Pod[], now: number): DeploymentPlan {
  const d = s.d;
  s.syncRevision(false, now);
  let scaledDown = false;
  for (const rs of s.oldRSs) if (replicasOf(rs) > 0) scaledDown = s.scale(rs, 0) || scaledDown;
  if (scaledDown) return progress(s, now);
  const oldUids = new Set(s.oldRSs.map((rs) => rs.metadata?.uid));
  const oldRunning = pods.some(
    (p) => oldUids.has(controllerRef(p)?.uid) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded',
  );
  if (oldRunning || s.oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return progress(s, now);
  if (!s.newRS) s.syncRevision(true, now);
  if (s.newRS) s.scale(s.newRS, replicasOf(d));
  if (deploymentComplete(d, calculateStatus(d, s.rss, s.newRS, now))) cleanup(s);
  return progress(s, now);
}

/** Deletes old, empty ReplicaSets beyond revisionHistoryLimit, oldest revision first. */
function cleanup(s: Sync): void {
  const limit = s.d.spec?.revisionHistoryLimit ?? 10;
  const cleanable = s.oldRSs
    .filter(
      (rs) =>
        replicasOf(rs) === 0 &&
        (rs.status?.replicas ?? 0) === 0 &&
        !rs.metadata?.deletionTimestamp &&
        (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    )
    .sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  for (const rs of cleanable.slice(0, Math.max(0, cleanable.length - limit)))
    s.actions.push({ type: 'deleteReplicaSet', rs });
}

function progress(s: Sync, now: number): DeploymentPlan {
  const d: V1Deployment = { ...s.d, status: s.status };
  const { status, requeueAfterMs } = rolloutStatus(d, s.rss, s.newRS, now);
  const plan = finish(s, status);
  return requeueAfterMs === undefined ? plan : { ...plan, requeueAfterMs };
}

function finish(s: Sync, status: V1DeploymentStatus | undefined): DeploymentPlan {
  s.flush();
  if (status && statusDiffers(s.d.status, status)) s.actions.push({ type: 'status', status });
  return { actions: s.actions };
}

function statusDiffers(a: V1DeploymentStatus | undefined, b: V1DeploymentStatus): boolean {
  const norm = (x: V1DeploymentStatus | undefined): string => {
    const c = clone(x ?? {});
    c.conditions = [...(c.conditions ?? [])].sort((p, q) => p.type.localeCompare(q.type));
    for (const k of [
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas',
      'observedGeneration',
    ] as const)
      c[k] = c[k] ?? 0;
    return stableJson(c);
  };
  return norm(a) !== norm(b);
}
