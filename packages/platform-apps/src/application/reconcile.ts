// The Application controller's pure core: from an Application and what is observed (its
// revisions, ConfigSets, Secrets' hashes, Deployments, Services, Ingresses, mirrors, pods),
// the actions that bring the cluster to it: rollback requests, new revisions, the rollout step,
// the objects of the revisions that should run, pruning, events and status.
import type { KubernetesObject, V1ConfigMap, V1Deployment, V1Ingress, V1Pod, V1Service } from '@kubernetes/client-node';
import { setCondition, type ConditionInput } from '../common/conditions.js';
import { hashOf } from '../common/hash.js';
import {
  type Application,
  type ApplicationRevision,
  type ApplicationRevisionStatus,
  type ApplicationSpec,
  type ApplicationStatus,
  type ArtifactDelivery,
  type Component,
  type ConfigSet,
  DEFAULTS,
  type ImagePin,
  LABELS,
  type PendingReload,
} from '../types.js';
import { isPodReady, msOf, podFailure } from './health.js';
import { nestedInImageVolume, releasedSpec, resolveInputs, type Inputs, type SecretInfo } from './inputs.js';
import { byNumber, imagesOf, newRevision, revisionFromInputs, revisionsToPrune, rollbackRequest } from './revisions.js';
import { planReloads, type DueReload } from './reload.js';
import { revisionOfPod, stepRollout, stepsOf, type RolloutEvent, type Scale } from './rollout.js';
import {
  desiredDeployment,
  desiredIngress,
  desiredMirror,
  desiredService,
  MIRROR_OF,
  TEMPLATE_HASH,
  versionOf,
} from './workload.js';

export type AppAction =
  | { readonly type: 'apply'; readonly object: KubernetesObject }
  | {
      readonly type: 'delete';
      readonly kind: 'Deployment' | 'Service' | 'Ingress' | 'ConfigMap' | 'Secret' | 'ApplicationRevision';
      readonly name: string;
    }
  | { readonly type: 'createRevision'; readonly revision: ApplicationRevision }
  | {
      readonly type: 'revisionStatus';
      readonly revision: ApplicationRevision;
      readonly status: ApplicationRevisionStatus;
    }
  | { readonly type: 'snapshotSecret'; readonly secret: string; readonly snapshot: string; readonly hash: string }
  | { readonly type: 'drainPods'; readonly pods: readonly string[] }
  | { readonly type: 'servePods'; readonly pods: readonly string[] }
  | { readonly type: 'refreshPods'; readonly pods: readonly string[]; readonly configs: string }
  | ({ readonly type: 'reload' } & DueReload)
  | { readonly type: 'rollbackSpec'; readonly spec: ApplicationSpec | undefined }
  | { readonly type: 'status'; readonly status: ApplicationStatus }
  | ({ readonly type: 'event' } & { readonly event: RolloutEvent });

export interface AppObserved {
  readonly revisions: readonly ApplicationRevision[];
  readonly configSets: ReadonlyMap<string, ConfigSet>;
  readonly secrets: ReadonlyMap<string, SecretInfo>;
  /** Names of the snapshot Secrets that exist. */
  readonly snapshots: readonly string[];
  readonly deployments: readonly V1Deployment[];
  readonly services: readonly V1Service[];
  readonly ingresses: readonly V1Ingress[];
  readonly mirrors: readonly V1ConfigMap[];
  readonly pods: readonly V1Pod[];
  readonly now: number;
  /** The cluster's artifact delivery, for `artifactDelivery: auto`. */
  readonly delivery: ArtifactDelivery;
  /** How long pods are out of the Service before they are deleted. */
  readonly drainMs: number;
  /** The URL of an exposed host and path on the gateway. */
  readonly urlOf: (host: string | undefined, path: string) => string;
}

export interface AppPlan {
  readonly actions: AppAction[];
  readonly requeueAfterMs: number | undefined;
}

const hashAnnotation = (o: KubernetesObject | undefined): string | undefined =>
  o?.metadata?.annotations?.[TEMPLATE_HASH];
const ev = (type: RolloutEvent['type'], reason: string, message: string): AppAction => ({
  type: 'event',
  event: { type, reason, message },
});

export function reconcileApplication(app: Application, o: AppObserved): AppPlan {
  const actions: AppAction[] = [];
  let requeue: number | undefined;
  const later = (ms: number | undefined): void => {
    if (ms !== undefined) requeue = requeue === undefined ? ms : Math.min(requeue, ms);
  };
  const name = app.metadata?.name ?? '';
  const revs = [...o.revisions].sort(byNumber);
  const latest = revs.at(-1);
  const prior = app.status ?? {};
  const current = revs.find((r) => r.spec.revision === prior.revision);
  const explicit =
    app.spec.artifactDelivery && app.spec.artifactDelivery !== 'auto' ? app.spec.artifactDelivery : undefined;
  // `auto`: image volumes where the cluster has them, except for a component with a file mount
  // inside an artifact (an image volume is read-only): its artifacts are copied.
  const deliveryOf = (c: Component): ArtifactDelivery =>
    explicit ?? (o.delivery === 'imageVolume' && nestedInImageVolume(c).length ? 'initCopy' : o.delivery);
  const delivery: ArtifactDelivery = app.spec.components.some(
    (c) => c.artifacts?.length && deliveryOf(c) === 'initCopy',
  )
    ? 'initCopy'
    : (explicit ?? o.delivery);
  const sources = {
    app: name,
    configSets: o.configSets,
    secrets: o.secrets,
    current: current ?? latest,
    delivery: explicit,
  };

  // 1. A rollback request: a new revision copying the old one's spec and exact versions.
  const to = rollbackRequest(app);
  if (to !== undefined) {
    const old = revs.find((r) => r.spec.revision === to);
    if (!old) {
      actions.push(
        ev(
          'Warning',
          'RollbackFailed',
          `revision ${to} is not kept; kept: ${revs.map((r) => r.spec.revision).join(', ') || 'none'}`,
        ),
        { type: 'rollbackSpec', spec: undefined },
      );
    } else {
      const done =
        latest?.spec.cause === `rollback to ${to}` && hashOf(latest.spec.template) === hashOf(old.spec.template);
      if (!done) {
        const inputs = resolveInputs(old.spec.template, sources);
        const copy = newRevision(app, (latest?.spec.revision ?? 0) + 1, {
          template: old.spec.template,
          config: old.spec.config,
          secrets: old.spec.secrets,
          images: old.status?.images?.length ? old.status.images : old.spec.images,
          cause: `rollback to ${to}`,
          inputs: inputs.fingerprint,
        });
        actions.push(
          { type: 'createRevision', revision: copy },
          ev(
            'Normal',
            'RollbackRequested',
            `revision ${copy.spec.revision} restores revision ${to}: its images, artifacts and config versions ${describeConfig(old)}`,
          ),
        );
      }
      actions.push({ type: 'rollbackSpec', spec: old.spec.template });
    }
    return { actions, requeueAfterMs: 200 };
  }

  // 2. The inputs: a new revision when they changed (config edits batched for batchSeconds).
  const inputs = resolveInputs(app.spec, sources);
  if (!inputs.problems.length && (!latest || latest.spec.inputs !== inputs.fingerprint)) {
    const batchMs = (app.spec.rollout?.batchSeconds ?? DEFAULTS.batchSeconds) * 1000;
    const wait = latest && inputs.newestConfigTime ? (msOf(inputs.newestConfigTime) ?? 0) + batchMs - o.now : 0;
    if (wait > 0) later(wait);
    else {
      actions.push({
        type: 'createRevision',
        revision: revisionFromInputs(app, (latest?.spec.revision ?? 0) + 1, inputs, causeOf(app, latest, inputs)),
      });
      return { actions, requeueAfterMs: 200 };
    }
  }
  const snapshotted = new Set(o.snapshots);
  for (const pin of [...inputs.secrets, ...revs.flatMap((r) => r.spec.secrets)]) {
    if (snapshotted.has(pin.snapshot) || o.secrets.get(pin.secret)?.hash !== pin.hash) continue;
    snapshotted.add(pin.snapshot);
    actions.push({ type: 'snapshotSecret', secret: pin.secret, snapshot: pin.snapshot, hash: pin.hash });
  }

  // 3. The rollout step.
  const target = latest && latest.status?.phase !== 'Failed' ? latest : undefined;
  const step = stepRollout({
    spec: app.spec,
    rollout: prior.rollout,
    current: prior.revision,
    target,
    pods: o.pods,
    now: o.now,
    drainMs: o.drainMs,
  });
  for (const e of step.events) actions.push({ type: 'event', event: e });
  later(step.recheckMs);
  if (step.drain.length) actions.push({ type: 'drainPods', pods: step.drain });
  if (step.restore?.length) actions.push({ type: 'servePods', pods: step.restore });

  // 4. The objects: Deployments of the revisions that run, Services, Ingresses, mirrors.
  const wanted = new Set<string>();
  for (const [n, scale] of step.replicas) {
    const rev = revs.find((r) => r.spec.revision === n);
    if (!rev) continue;
    for (const c of rev.spec.template.components) {
      const live = app.spec.components.find((x) => x.name === c.name)?.replicas ?? c.replicas ?? DEFAULTS.replicas;
      const existing = o.deployments.find(
        (d) => d.metadata?.labels?.[LABELS.revision] === String(n) && d.metadata?.labels?.[LABELS.component] === c.name,
      );
      const replicas = scaleOf(scale, live, existing);
      const d = desiredDeployment(app, rev, c, { delivery: deliveryOf(c), replicas });
      wanted.add(d.metadata?.name ?? '');
      if (!existing || hashAnnotation(existing) !== hashAnnotation(d) || existing.spec?.replicas !== replicas)
        actions.push({ type: 'apply', object: d });
    }
  }
  for (const d of o.deployments)
    if (!wanted.has(d.metadata?.name ?? ''))
      actions.push({ type: 'delete', kind: 'Deployment', name: d.metadata?.name ?? '' });
  const shown = current ?? target;
  const version = shown ? versionOf(app, shown) : 'r0';
  const objects = app.spec.components
    .flatMap((c) => [desiredService(app, c, version), desiredIngress(app, c, version)])
    .filter((x) => x !== undefined);
  syncSet(actions, objects, [...o.services, ...o.ingresses]);
  const batchMs = (app.spec.rollout?.batchSeconds ?? DEFAULTS.batchSeconds) * 1000;
  const mirrors: V1ConfigMap[] = [];
  for (const l of inputs.live) {
    const existing = o.mirrors.find((m) => m.metadata?.labels?.[MIRROR_OF] === l.configSet);
    // An edit not yet published as a version: the mirror stays as it is meanwhile.
    if (!l.data) {
      if (existing) mirrors.push(existing);
      continue;
    }
    const wait = existing ? (msOf(l.time) ?? 0) + batchMs - o.now : 0;
    if (wait > 0) {
      later(wait);
      if (existing) mirrors.push(existing);
    } else mirrors.push(desiredMirror(app, l.configSet, l.version, l.data, l.binaryData ?? {}));
  }
  const changed = inputs.problems.length
    ? []
    : mirrors.filter((m) => {
        const existing = o.mirrors.find((x) => x.metadata?.name === m.metadata?.name);
        return existing && hashAnnotation(existing) !== hashAnnotation(m);
      });
  if (!inputs.problems.length) syncSet(actions, mirrors, o.mirrors);
  const changedVersions = changed.map((m) => ({
    configSet: m.metadata?.labels?.[MIRROR_OF] ?? '',
    version: Number(m.metadata?.labels?.[LABELS.configVersion]),
  }));
  const refresh = inPlaceReaders(
    app,
    changedVersions.map((c) => c.configSet),
    o.pods,
  );
  if (refresh.length)
    actions.push({
      type: 'refreshPods',
      pods: refresh,
      configs: changedVersions.map((c) => `${c.configSet} v${c.version}`).join(', '),
    });
  const reloads = planReloads(app, prior.reloads ?? [], changedVersions, o.pods, o.now);
  for (const r of reloads.due) actions.push({ type: 'reload', ...r });
  later(reloads.recheckMs);

  // 5. Revisions' status, pruning.
  let revision = prior.revision;
  if (step.completed !== undefined) {
    const done = revs.find((r) => r.spec.revision === step.completed);
    if (done)
      actions.push({
        type: 'revisionStatus',
        revision: done,
        status: { phase: 'Active', images: digests(done, o.pods) },
      });
    if (current)
      actions.push({ type: 'revisionStatus', revision: current, status: { ...current.status, phase: 'Superseded' } });
    revision = step.completed;
  }
  if (step.failed) {
    const bad = revs.find((r) => r.spec.revision === step.failed?.revision);
    if (bad)
      actions.push({
        type: 'revisionStatus',
        revision: bad,
        status: { phase: 'Failed', message: step.failed.message },
      });
  }
  const keep = new Set(
    [revision, step.rollout?.revision, latest?.spec.revision].filter((n): n is number => n !== undefined),
  );
  const pruned = revisionsToPrune(app, revs, keep);
  for (const r of pruned) actions.push({ type: 'delete', kind: 'ApplicationRevision', name: r.metadata?.name ?? '' });
  const keptSnapshots = new Set(
    [...inputs.secrets, ...revs.filter((r) => !pruned.includes(r)).flatMap((r) => r.spec.secrets)].map(
      (p) => p.snapshot,
    ),
  );
  for (const s of o.snapshots) if (!keptSnapshots.has(s)) actions.push({ type: 'delete', kind: 'Secret', name: s });

  // 6. Status.
  const status = statusOf(app, {
    o,
    inputs,
    revs,
    revision,
    rollout: step.rollout,
    failing: step.failing,
    failed: step.failed,
    delivery,
    reloads: reloads.pending,
  });
  if (hashOf(status) !== hashOf(prior)) actions.push({ type: 'status', status });
  // A new problem is also an Event (RolledBack has its own, from the rollout).
  const was = prior.conditions?.find((c) => c.type === 'Degraded');
  const now = status.conditions?.find((c) => c.type === 'Degraded');
  if (
    now?.status === 'True' &&
    now.reason !== 'RolledBack' &&
    (was?.status !== 'True' || was.reason !== now.reason || was.message !== now.message)
  ) {
    actions.push(ev('Warning', now.reason ?? 'Degraded', now.message ?? ''));
  }
  return { actions, requeueAfterMs: requeue };
}

function scaleOf(scale: Scale, live: number, existing: V1Deployment | undefined): number {
  if (scale === 'full') return live;
  if (scale === 'keep') return existing?.spec?.replicas ?? 0;
  if (typeof scale === 'function') return scale(live);
  return Math.min(scale, live);
}

/** Applies what differs from what exists (by the template hash) and deletes what is no longer wanted. */
function syncSet(
  actions: AppAction[],
  desired: readonly KubernetesObject[],
  existing: readonly KubernetesObject[],
): void {
  const key = (x: KubernetesObject): string => `${x.kind ?? ''}/${x.metadata?.name ?? ''}`;
  const have = new Map(existing.map((x) => [key(x), x]));
  for (const d of desired)
    if (hashAnnotation(have.get(key(d))) !== hashAnnotation(d)) actions.push({ type: 'apply', object: d });
  const want = new Set(desired.map(key));
  for (const x of existing) {
    if (!want.has(key(x)))
      actions.push({
        type: 'delete',
        kind: x.kind as 'Service' | 'Ingress' | 'ConfigMap',
        name: x.metadata?.name ?? '',
      });
  }
}

function causeOf(app: Application, latest: ApplicationRevision | undefined, inputs: Inputs): string {
  if (!latest) return 'created';
  if (hashOf(releasedSpec(latest.spec.template)) !== hashOf(releasedSpec(app.spec))) return 'spec';
  const changed = inputs.config.filter(
    (c) => !latest.spec.config.some((p) => p.configSet === c.configSet && p.version === c.version),
  );
  if (changed.length) return `config ${changed.map((c) => `${c.configSet} v${c.version}`).join(', ')}`;
  return 'secret';
}

const describeConfig = (r: ApplicationRevision): string =>
  r.spec.config.length ? r.spec.config.map((c) => `${c.configSet} v${c.version}`).join(', ') : '(none)';

/**
 * Digests of the images on a revision's pods: the runtime's and the artifact copiers' imageID, and
 * for artifacts mounted as image volumes the imageRef the node reports on the component's mount.
 */
function digests(rev: ApplicationRevision, pods: readonly V1Pod[]): ImagePin[] {
  const statuses = pods
    .filter((p) => revisionOfPod(p) === rev.spec.revision)
    .flatMap((p) => [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]);
  return imagesOf({ spec: rev.spec.template }).map((pin) => {
    const container = pin.role === 'runtime' ? pin.component : `copy-${pin.role}`;
    const id =
      statuses.find((s) => s.name === container && s.imageID)?.imageID ??
      (pin.role === 'runtime'
        ? undefined
        : statuses
            .filter((s) => s.name === pin.component)
            .flatMap((s) => (s as ContainerStatusWithMounts).volumeMounts ?? [])
            .find((m) => m.name === pin.role)?.volumeStatus?.image?.imageRef);
    const digest = id?.match(/sha256:[0-9a-f]{64}/)?.[0];
    return digest ? { ...pin, digest } : pin;
  });
}

/** VolumeMountStatus (Kubernetes 1.31+), which this client-node's types may not carry yet. */
interface ContainerStatusWithMounts {
  readonly volumeMounts?: readonly {
    readonly name: string;
    readonly volumeStatus?: { readonly image?: { readonly imageRef?: string } };
  }[];
}

interface StatusInputs {
  readonly o: AppObserved;
  readonly inputs: Inputs;
  readonly revs: readonly ApplicationRevision[];
  readonly revision: number | undefined;
  readonly rollout: ApplicationStatus['rollout'];
  readonly failing: { reason: ConditionInput['reason']; message: string } | undefined;
  readonly failed: { revision: number; message: string } | undefined;
  readonly delivery: ArtifactDelivery;
  readonly reloads: PendingReload[];
}

function statusOf(app: Application, s: StatusInputs): ApplicationStatus {
  const now = new Date(s.o.now).toISOString().replace(/\.\d+Z$/, 'Z');
  const gen = app.metadata?.generation;
  const prior = app.status ?? {};
  const serving = s.o.pods.filter((p) => revisionOfPod(p) === s.revision);
  const target = s.rollout?.revision;
  const components = app.spec.components.map((c) => {
    const mine = (n: number | undefined): V1Pod[] =>
      s.o.pods.filter((p) => revisionOfPod(p) === n && p.metadata?.labels?.[LABELS.component] === c.name);
    const url = c.expose ? s.o.urlOf(c.expose.host, c.expose.path ?? '/') : undefined;
    return {
      name: c.name,
      replicas: c.replicas ?? DEFAULTS.replicas,
      readyReplicas: mine(s.revision).filter(isPodReady).length,
      updatedReplicas: mine(target ?? s.revision).filter(isPodReady).length,
      ...(url ? { url } : {}),
    };
  });
  const set = (list: ApplicationStatus['conditions'], c: ConditionInput): ApplicationStatus['conditions'] =>
    setCondition(list, c, now, gen);
  let conditions = prior.conditions;
  const ready = s.revision !== undefined && components.every((c) => c.readyReplicas >= c.replicas);
  const readyCount = components.reduce((n, c) => n + c.readyReplicas, 0);
  const wantCount = components.reduce((n, c) => n + c.replicas, 0);
  conditions = set(
    conditions,
    ready
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'Available',
          message: `revision ${s.revision}: ${readyCount}/${wantCount} pods Ready`,
        }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'PodsNotReady',
          message:
            s.revision === undefined
              ? 'no revision is rolled out yet'
              : `revision ${s.revision}: ${readyCount}/${wantCount} pods Ready`,
        },
  );
  const ro = s.rollout;
  conditions = set(
    conditions,
    ro
      ? {
          type: 'Progressing',
          status: 'True',
          reason:
            ro.phase === 'Canary'
              ? ro.readySince
                ? 'Analysis'
                : 'Canary'
              : ro.phase === 'Promoting'
                ? ro.readySince
                  ? 'Analysis'
                  : 'Promoting'
                : ro.phase === 'Finishing'
                  ? 'Promoting'
                  : 'RollingBack',
          message: progressMessage(ro, app),
        }
      : {
          type: 'Progressing',
          status: 'False',
          reason: 'RolledOut',
          message: s.revision === undefined ? 'nothing rolled out' : `revision ${s.revision} is rolled out`,
        },
  );
  const latest = s.revs.at(-1);
  const failedLatest =
    s.failed ??
    (latest?.status?.phase === 'Failed' && latest.spec.revision > (s.revision ?? 0)
      ? { revision: latest.spec.revision, message: latest.status.message ?? '' }
      : undefined);
  const podProblem = serving.map(podFailure).find((f) => f !== undefined);
  const degraded: ConditionInput = s.inputs.problems.length
    ? {
        type: 'Degraded',
        status: 'True',
        reason: s.inputs.problems[0]!.reason,
        message: s.inputs.problems.map((p) => p.message).join('; '),
      }
    : failedLatest
      ? {
          type: 'Degraded',
          status: 'True',
          reason: 'RolledBack',
          message: `revision ${failedLatest.revision}${configNote(s.revs, failedLatest.revision)} was rolled back to revision ${s.revision ?? 0}: ${failedLatest.message}`,
        }
      : s.failing
        ? { type: 'Degraded', status: 'True', reason: s.failing.reason, message: s.failing.message }
        : podProblem
          ? { type: 'Degraded', status: 'True', reason: podProblem.reason, message: podProblem.message }
          : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no problem seen' };
  conditions = set(conditions, degraded);
  const url = components.find((c) => c.url)?.url;
  const current = s.revs.find((r) => r.spec.revision === s.revision);
  return {
    ...(gen !== undefined ? { observedGeneration: gen } : {}),
    ...(s.revision !== undefined ? { revision: s.revision } : {}),
    ...(url ? { url } : {}),
    conditions,
    components,
    ...(current ? { images: current.status?.images?.length ? current.status.images : digests(current, s.o.pods) } : {}),
    artifactDelivery: s.delivery,
    ...(ro ? { rollout: ro } : {}),
    ...(s.reloads.length ? { reloads: s.reloads } : {}),
  };
}

function progressMessage(ro: NonNullable<ApplicationStatus['rollout']>, app: Application): string {
  const analysis = app.spec.rollout?.analysisSeconds ?? DEFAULTS.analysisSeconds;
  switch (ro.phase) {
    case 'Canary':
      return ro.readySince
        ? `revision ${ro.revision}: canary Ready since ${ro.readySince}, analysis ${analysis} s`
        : `revision ${ro.revision}: waiting for the canary pod(s) to be Ready`;
    case 'Promoting': {
      const step = ro.step && ro.from ? `step ${ro.step} of ${stepsOf(app.spec)}: ` : '';
      return ro.readySince
        ? `revision ${ro.revision}: ${step}all pods Ready since ${ro.readySince}, analysis ${analysis} s`
        : `revision ${ro.revision}: ${step}scaling up`;
    }
    case 'Finishing':
      return `revision ${ro.revision}: draining the pods of revision ${ro.from}`;
    case 'RollingBack':
      return `revision ${ro.revision}: rolling back to revision ${ro.from}: ${ro.message ?? ''}`;
  }
}

/** The pods of the components that read one of these ConfigSets in place (their files follow its mirror). */
function inPlaceReaders(app: Application, configSets: readonly string[], pods: readonly V1Pod[]): string[] {
  const components = new Set(
    app.spec.components
      .filter((c) => (c.config ?? []).some((r) => r.update === 'inPlace' && configSets.includes(r.configSet)))
      .map((c) => c.name),
  );
  return pods
    .filter((p) => components.has(p.metadata?.labels?.[LABELS.component] ?? '') && !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata?.name ?? '');
}

/** ` (config shop-settings v3)`: the config versions a failed revision changed. */
function configNote(revs: readonly ApplicationRevision[], n: number): string {
  const r = revs.find((x) => x.spec.revision === n);
  const before = revs.filter((x) => x.spec.revision < n).at(-1);
  const changed = (r?.spec.config ?? []).filter(
    (c) => !before?.spec.config.some((p) => p.configSet === c.configSet && p.version === c.version),
  );
  return changed.length ? ` (config ${changed.map((c) => `${c.configSet} v${c.version}`).join(', ')})` : '';
}
