// The pod's status as the kubelet reports it, from what the runtime shows and what the pod worker
// decided (waiting reasons, probe results). Pure: the worker writes it only when it changed.
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { RuntimeKind } from '../runtime/runtime.js';
import type { ContainerStatus } from '../runtime/types.js';
import type { PodPhase } from './restart.js';

export interface Waiting {
  readonly reason: string;
  readonly message?: string;
}

/** One container of the spec as observed in this sync. */
export interface ObservedContainer {
  readonly spec: V1Container;
  /** The newest attempt; undefined before the first start. */
  readonly latest?: ContainerStatus;
  /** The attempt before it (lastState while the newest runs). */
  readonly previous?: ContainerStatus;
  /** Why it is not running (ErrImagePull, CrashLoopBackOff, …); wins over an exited state. */
  readonly waiting?: Waiting;
  readonly imageID?: string;
  /** status.containerStatuses[].volumeMounts, once the container exists. */
  readonly volumeMounts?: readonly Json[];
  readonly ready: boolean;
  readonly started: boolean;
}

/** What a pod's probes found, by container id. */
export interface ProbeResults {
  /** The startup probe passed. */
  started(containerId: string): boolean;
  /** The readiness probe passes. */
  ready(containerId: string): boolean;
}

export interface ObserveFacts {
  /** Why a container is not running, from this sync's actions, by container name. */
  readonly waiting: ReadonlyMap<string, Waiting>;
  /** The imageID each image reference (containers' and image volumes') resolved to. */
  readonly imageIDs: ReadonlyMap<string, string>;
  readonly probes: ProbeResults;
  /** The pod's volumes, to say which mounts are image volumes. @default none */
  readonly volumes?: readonly V1Volume[];
}

/** The spec's containers as this sync observed them, from every attempt the runtime lists. */
export function observeContainers(
  specs: readonly V1Container[],
  init: boolean,
  all: readonly ContainerStatus[],
  facts: ObserveFacts,
): ObservedContainer[] {
  return specs.map((c) => {
    const latest = all.reduce<ContainerStatus | undefined>(
      (a, x) => (x.name === c.name && (!a || x.attempt > a.attempt) ? x : a),
      undefined,
    );
    const previous = latest ? all.find((x) => x.name === c.name && x.attempt === latest.attempt - 1) : undefined;
    const running = latest?.state === 'running';
    const started = running && (!c.startupProbe || facts.probes.started(latest.id));
    const ready = init
      ? latest?.state === 'exited' && latest.exitCode === 0
      : running && started && (!c.readinessProbe || facts.probes.ready(latest.id));
    const waiting = facts.waiting.get(c.name);
    return {
      spec: c,
      ...(latest ? { latest } : {}),
      ...(previous ? { previous } : {}),
      ...(waiting && !running ? { waiting } : {}),
      imageID: facts.imageIDs.get(c.image ?? '') ?? '',
      ...(latest && c.volumeMounts?.length ? { volumeMounts: mountStatuses(c, facts) } : {}),
      ready,
      started,
    };
  });
}

/**
 * The container's mounts as the kubelet reports them (VolumeMountStatus): image volumes carry the
 * digest they resolved to, so a controller can pin exactly what ran (Application revisions do).
 */
function mountStatuses(c: V1Container, facts: ObserveFacts): Json[] {
  return (c.volumeMounts ?? []).map((m) => {
    const image = facts.volumes?.find((v) => v.name === m.name)?.image;
    const reference = image?.reference ?? '';
    return {
      name: m.name,
      mountPath: m.mountPath,
      ...(m.readOnly || image ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}),
      ...(image ? { volumeStatus: { image: { imageRef: facts.imageIDs.get(reference) ?? reference } } } : {}),
    };
  });
}

export interface PodStatusInput {
  readonly pod: V1Pod;
  readonly phase: PodPhase;
  readonly hostIP: string;
  readonly podIP?: string;
  readonly sandboxReady: boolean;
  readonly initDone: boolean;
  readonly init: readonly ObservedContainer[];
  readonly containers: readonly ObservedContainer[];
  /** Ephemeral containers (status.ephemeralContainerStatuses). @default none */
  readonly ephemeral?: readonly ObservedContainer[];
  /** The scheme of containerIDs (`runc://…`, `process://…`). @default 'runc' */
  readonly runtime?: RuntimeKind;
  /** RFC 3339, second precision, for new transitions. */
  readonly now: string;
}

type Json = Record<string, unknown>;

export function containerStatusJson(o: ObservedContainer, runtime: RuntimeKind = 'runc'): Json {
  const l = o.latest;
  const terminated = (s: ContainerStatus): Json => ({
    terminated: {
      exitCode: s.exitCode ?? 0,
      reason: s.reason ?? 'Error',
      ...(s.message ? { message: s.message } : {}),
      ...(s.startedAt ? { startedAt: seconds(s.startedAt) } : {}),
      ...(s.finishedAt ? { finishedAt: seconds(s.finishedAt) } : {}),
      containerID: `${runtime}://${s.id}`,
    },
  });
  let state: Json;
  let lastState: Json = o.previous?.state === 'exited' ? terminated(o.previous) : {};
  if (l?.state === 'running') state = { running: { startedAt: seconds(l.startedAt ?? l.createdAt) } };
  else if (o.waiting) {
    state = { waiting: { reason: o.waiting.reason, ...(o.waiting.message ? { message: o.waiting.message } : {}) } };
    if (l?.state === 'exited') lastState = terminated(l);
  } else if (l?.state === 'exited') state = terminated(l);
  else state = { waiting: { reason: 'ContainerCreating' } };
  return {
    name: o.spec.name,
    image: o.spec.image ?? '',
    imageID: o.imageID ?? '',
    ...(l ? { containerID: `${runtime}://${l.id}` } : {}),
    ready: o.ready,
    started: o.started,
    restartCount: l?.attempt ?? 0,
    state,
    lastState,
    ...(o.volumeMounts ? { volumeMounts: o.volumeMounts } : {}),
  };
}

export function podStatus(i: PodStatusInput): Json {
  const old = (i.pod.status?.conditions ?? []) as unknown as Json[];
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Json => {
    const status = ok ? 'True' : 'False';
    const prev = old.find((c) => c.type === type);
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : i.now,
      ...(!ok && reason ? { reason } : {}),
      ...(!ok && message ? { message } : {}),
    };
  };
  const terminal = i.phase === 'Succeeded' || i.phase === 'Failed';
  const notInit = i.init
    .filter((c) => !(c.latest?.state === 'exited' && c.latest.exitCode === 0))
    .map((c) => c.spec.name);
  const notReady = i.containers.filter((c) => !c.ready).map((c) => c.spec.name);
  const containersReady = !terminal && notReady.length === 0 && i.containers.length > 0;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  const scheduled = old.find((c) => c.type === 'PodScheduled');
  const conditions = [
    cond('PodReadyToStartContainers', i.sandboxReady),
    cond(
      'Initialized',
      i.initDone,
      'ContainersNotInitialized',
      `containers with incomplete status: [${notInit.join(' ')}]`,
    ),
    cond('Ready', containersReady, notReadyReason, notReadyMessage),
    cond('ContainersReady', containersReady, notReadyReason, notReadyMessage),
    ...(scheduled ? [scheduled] : [cond('PodScheduled', true)]),
  ];
  const startTime = i.pod.status?.startTime as unknown as string | undefined;
  return {
    phase: i.phase,
    conditions,
    hostIP: i.hostIP,
    hostIPs: [{ ip: i.hostIP }],
    ...(i.podIP ? { podIP: i.podIP, podIPs: [{ ip: i.podIP }] } : {}),
    startTime: startTime ?? i.now,
    ...(i.init.length ? { initContainerStatuses: i.init.map((c) => containerStatusJson(c, i.runtime)) } : {}),
    containerStatuses: i.containers.map((c) => containerStatusJson(c, i.runtime)),
    ...(i.ephemeral?.length
      ? { ephemeralContainerStatuses: i.ephemeral.map((c) => containerStatusJson(c, i.runtime)) }
      : {}),
  };
}

/** RFC 3339 at second precision, as metav1.Time serializes. */
export function seconds(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}
