// The pod worker's decisions, without I/O, after the kubelet's computePodActions: from the pod and
// the containers its sandbox holds, what to do next (create the sandbox, start the next init
// container or the app containers, restart exited ones once their back-off has passed, kill the
// ones a liveness or startup probe failed, stop everything when the pod is deleted), and after that
// the pod's phase. pod-executor.ts performs the actions; pod-worker.ts owns the state and the clock.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { sandboxId } from '../runtime/runtime.js';
import type { ContainerStatus } from '../runtime/types.js';
import type { EventTarget } from '@wharf/client';
import type { ProbeKind } from './probes.js';
import {
  backoffDelay,
  podPhase,
  shouldRestart,
  type BackoffOptions,
  type ContainerPhaseState,
  type PodPhase,
  type RestartPolicy,
} from './restart.js';

/** How soon the next sync comes while containers are being started. */
export const FAST_SYNC_MS = 100;
/** The grace period of a pod that left the API without going through graceful deletion. */
export const REMOVED_GRACE_SECONDS = 2;
/** The shortest wait for a back-off, so a due time just passed does not spin. */
const MIN_WAIT_MS = 10;

export type CompletedPhase = Extract<PodPhase, 'Succeeded' | 'Failed'>;

export type PodAction =
  /** Set up the volumes and the sandbox (network, IPC, /etc files); the actions after it need it. */
  | { readonly type: 'createSandbox' }
  /** Pull the image, create and start one attempt of a container (0 first, then one per restart). */
  | {
      readonly type: 'start';
      readonly container: V1Container;
      readonly init: boolean;
      readonly attempt: number;
      readonly previousId?: string;
    }
  /** An exited container waits out its back-off before the next attempt (CrashLoopBackOff). */
  | {
      readonly type: 'backOff';
      readonly container: V1Container;
      readonly init: boolean;
      readonly exitedId: string;
      readonly delayMs: number;
    }
  /**
   * Kill a running container whose liveness or startup probe failed (a `start` or `backOff` follows when it restarts).
   */
  | { readonly type: 'kill'; readonly container: V1Container; readonly containerId: string; readonly probe: ProbeKind };

/** A running container to stop when the pod terminates. */
export interface RunningContainer {
  readonly id: string;
  readonly name: string;
  /** Undefined for a container no longer in the spec: it is stopped without hooks or events. */
  readonly spec?: V1Container;
  readonly init: boolean;
}

/** Why a pod stops, and how long its containers get. */
export interface Termination {
  /**
   * `deleted`: graceful deletion through the API, confirmed with a DELETE once everything is gone;
   * `removed`: the pod left the API (deleted at once, or deleted while completed);
   * `completed`: it reached Succeeded or Failed and stays in the API.
   */
  readonly reason: 'deleted' | 'removed' | 'completed';
  readonly graceSeconds: number;
  /** preStop hooks run, then SIGTERM, then SIGKILL once the grace period is over. */
  readonly stop: readonly RunningContainer[];
}

export interface PodActionsContext {
  /** Whether the pod's sandbox exists (the containers given are its containers). */
  readonly sandboxExists: boolean;
  /** The pod left the API (the watch saw it deleted). @default false */
  readonly removed?: boolean;
  /** Set once the pod completed: nothing starts again. @default not completed */
  readonly completed?: CompletedPhase;
  /** Running containers whose liveness or startup probe failed, by container id. @default none */
  readonly unhealthy?: ReadonlyMap<string, ProbeKind>;
  /** @default 10 s doubling up to 300 s */
  readonly backoff?: BackoffOptions;
}

export interface PodActions {
  /** Performed in order. Empty when the pod terminates. */
  readonly actions: readonly PodAction[];
  /** Set when the pod is to stop: the worker goes to Terminating. */
  readonly terminate?: Termination;
  /** Sync again after at most this long (containers starting, a back-off ending). @default the resync period */
  readonly requeueAfterMs?: number;
}

/**
 * What one sync does, from the pod, its sandbox's containers as the runtime lists them (every
 * attempt), and the time. Init containers run one at a time, in order, each to exit 0; app
 * containers start together once they are done; an exited container restarts as the
 * restartPolicy says, after a back-off that grows with its restart count.
 */
export function computePodActions(
  pod: V1Pod,
  containers: readonly ContainerStatus[],
  now: number,
  context: PodActionsContext,
): PodActions {
  const termination = terminationOf(pod, containers, context.removed ?? false);
  if (termination) return { actions: [], terminate: termination };
  if (context.completed) return { actions: [] };
  const policy = restartPolicy(pod);
  const latest = latestByName(containers);
  const backoff = context.backoff ?? {};
  const actions: PodAction[] = context.sandboxExists ? [] : [{ type: 'createSandbox' }];
  let requeue = Infinity;
  const restartOrWait = (c: V1Container, init: boolean, exited: ContainerStatus, finishedAt: number): void => {
    const delayMs = backoffDelay(exited.attempt, backoff);
    const due = finishedAt + delayMs;
    if (now >= due) {
      actions.push({ type: 'start', container: c, init, attempt: exited.attempt + 1, previousId: exited.id });
    } else {
      actions.push({ type: 'backOff', container: c, init, exitedId: exited.id, delayMs });
      requeue = Math.min(requeue, Math.max(MIN_WAIT_MS, due - now));
    }
  };

  // Init containers, in order: the first one not yet done is the only one that runs.
  let initDone = true;
  for (const c of pod.spec?.initContainers ?? []) {
    const cur = latest.get(c.name);
    if (cur?.state === 'exited' && cur.exitCode === 0) continue;
    initDone = false;
    if (!cur) {
      actions.push({ type: 'start', container: c, init: true, attempt: 0 });
      requeue = Math.min(requeue, FAST_SYNC_MS);
    } else if (cur.state !== 'exited') {
      requeue = Math.min(requeue, FAST_SYNC_MS);
    } else if (policy !== 'Never') {
      // A failed init container restarts under Always and OnFailure alike.
      restartOrWait(c, true, cur, finishedAt(cur));
      requeue = Math.min(requeue, FAST_SYNC_MS);
    } // under Never it stays failed, and so does the pod (computePodPhase)
    break;
  }

  if (initDone) {
    for (const c of pod.spec?.containers ?? []) {
      const cur = latest.get(c.name);
      if (!cur) {
        actions.push({ type: 'start', container: c, init: false, attempt: 0 });
        requeue = Math.min(requeue, FAST_SYNC_MS);
        continue;
      }
      const probe = context.unhealthy?.get(cur.id);
      if (cur.state === 'running' && probe) {
        actions.push({ type: 'kill', container: c, containerId: cur.id, probe });
        // Killed for a probe, it restarts under OnFailure too, whatever its exit code.
        if (policy !== 'Never') restartOrWait(c, false, cur, now);
      } else if (cur.state === 'exited' && policy !== 'Never' && shouldRestart(policy, cur.exitCode ?? 0)) {
        restartOrWait(c, false, cur, finishedAt(cur));
      }
    }
  }
  // Ephemeral containers (kubectl debug) start once each, whatever the init containers do, and
  // never restart.
  for (const c of pod.spec?.ephemeralContainers ?? []) {
    if (latest.has(c.name)) continue;
    actions.push({ type: 'start', container: c as V1Container, init: false, attempt: 0 });
    requeue = Math.min(requeue, FAST_SYNC_MS);
  }
  return requeue === Infinity ? { actions } : { actions, requeueAfterMs: requeue };
}

/** The container names whose exit this sync's actions answer with a restart (now or after a back-off). */
export function restartingContainers(actions: readonly PodAction[]): Set<string> {
  const names = new Set<string>();
  for (const a of actions)
    if ((a.type === 'start' && a.attempt > 0) || a.type === 'backOff') names.add(a.container.name);
  return names;
}

export interface PodProgress {
  /** Every init container exited 0. */
  readonly initDone: boolean;
  readonly phase: PodPhase;
}

/**
 * The phase from the containers after a sync: Pending until the init containers are done and every
 * app container started once, Running while one runs or restarts, then Succeeded or Failed. An
 * init container failed under restartPolicy Never fails the pod. `restarting` names exited
 * containers this sync restarts although the policy alone would not (killed by a probe).
 */
export function computePodPhase(
  pod: V1Pod,
  containers: readonly ContainerStatus[],
  restarting: ReadonlySet<string> = new Set(),
): PodProgress {
  const policy = restartPolicy(pod);
  const latest = latestByName(containers);
  let initDone = true;
  let initFailed = false;
  for (const c of pod.spec?.initContainers ?? []) {
    const cur = latest.get(c.name);
    if (cur?.state === 'exited' && cur.exitCode === 0) continue;
    initDone = false;
    initFailed = cur?.state === 'exited' && policy === 'Never';
    break;
  }
  const states = (pod.spec?.containers ?? []).map((c): ContainerPhaseState => {
    const cur = latest.get(c.name);
    if (!cur) return { kind: 'none' };
    if (cur.state !== 'exited') return { kind: 'running' };
    const exitCode = cur.exitCode ?? 0;
    if (policy !== 'Never' && (restarting.has(c.name) || shouldRestart(policy, exitCode)))
      return { kind: 'restarting' };
    return { kind: 'terminated', exitCode };
  });
  return { initDone, phase: podPhase(initDone, initFailed, states) };
}

/** Whether the pod must stop now: deleted through the API, or gone from it. */
export function terminationOf(
  pod: V1Pod,
  containers: readonly ContainerStatus[],
  removed: boolean,
): Termination | undefined {
  if (removed)
    return { reason: 'removed', graceSeconds: REMOVED_GRACE_SECONDS, stop: runningContainers(pod, containers) };
  if (!pod.metadata?.deletionTimestamp) return undefined;
  return {
    reason: 'deleted',
    graceSeconds: pod.metadata.deletionGracePeriodSeconds ?? graceSecondsOf(pod),
    stop: runningContainers(pod, containers),
  };
}

/**
 * The termination of a pod that reached Succeeded or Failed: whatever still runs stops, with the pod's grace period.
 */
export function completionOf(pod: V1Pod, containers: readonly ContainerStatus[]): Termination {
  return { reason: 'completed', graceSeconds: graceSecondsOf(pod), stop: runningContainers(pod, containers) };
}

export function runningContainers(pod: V1Pod, containers: readonly ContainerStatus[]): RunningContainer[] {
  const init = pod.spec?.initContainers ?? [];
  const app = pod.spec?.containers ?? [];
  return containers
    .filter((c) => c.state === 'running')
    .map((c) => {
      const i = init.find((s) => s.name === c.name);
      const spec = i ?? app.find((s) => s.name === c.name);
      return { id: c.id, name: c.name, init: i !== undefined, ...(spec ? { spec } : {}) };
    });
}

/** The newest attempt of each container name. */
export function latestByName(containers: readonly ContainerStatus[]): Map<string, ContainerStatus> {
  const out = new Map<string, ContainerStatus>();
  for (const c of containers) {
    const best = out.get(c.name);
    if (!best || c.attempt > best.attempt) out.set(c.name, c);
  }
  return out;
}

/** Exited attempts older than the newest two of their container (the previous one serves `logs --previous`). */
export function garbageContainers(containers: readonly ContainerStatus[]): ContainerStatus[] {
  const latest = latestByName(containers);
  return containers.filter((c) => c.state === 'exited' && c.attempt < (latest.get(c.name)?.attempt ?? 0) - 1);
}

export function restartPolicy(pod: V1Pod): RestartPolicy {
  return (pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
}

/** terminationGracePeriodSeconds. @default 30 */
export function graceSecondsOf(pod: V1Pod): number {
  return pod.spec?.terminationGracePeriodSeconds ?? 30;
}

export function podSandboxId(pod: V1Pod): string {
  const m = pod.metadata ?? {};
  return sandboxId({ uid: m.uid ?? '', name: m.name ?? '', namespace: m.namespace ?? '' });
}

/** The pod, or one of its containers, as the subject of an event. */
export function eventTarget(pod: V1Pod, c?: V1Container, init = false): EventTarget {
  const m = pod.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: m.namespace ?? 'default',
    name: m.name ?? '',
    uid: m.uid ?? '',
    ...(c ? { fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${c.name}}` } : {}),
  };
}

/** A back-off as the kubelet prints it (`10s`, `2m40s`, `5m0s`). */
export function formatDelay(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m0s`;
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function finishedAt(c: ContainerStatus): number {
  return Date.parse(c.finishedAt ?? c.createdAt);
}
