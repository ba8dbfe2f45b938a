// Restart decisions, back-off and the pod phase: the kubelet's rules as pure functions.

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** Whether an exited container is started again under the pod's restartPolicy. */
export function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

export interface BackoffOptions {
  /** @default 10000 */
  readonly baseMs?: number;
  /** @default 300000 */
  readonly maxMs?: number;
}

/**
 * How long after the last exit the next start waits, given the container's restartCount so far:
 * the first restart is immediate, then base, 2×base, … up to max (the kubelet's CrashLoopBackOff).
 */
export function backoffDelay(restartCount: number, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? 10_000;
  const max = o.maxMs ?? 300_000;
  if (restartCount <= 0) return 0;
  return Math.min(max, base * 2 ** Math.min(restartCount - 1, 30));
}

/** A container as the phase computation sees it. */
export type ContainerPhaseState =
  | { readonly kind: 'none' }
  | { readonly kind: 'running' }
  | { readonly kind: 'restarting' }
  | { readonly kind: 'terminated'; readonly exitCode: number };

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/**
 * The phase from the app containers once init containers are done: Pending until every container
 * started once, Running while one runs or will restart, then Succeeded (all exited 0) or Failed.
 */
export function podPhase(initDone: boolean, initFailed: boolean, containers: readonly ContainerPhaseState[]): PodPhase {
  if (initFailed) return 'Failed';
  if (!initDone || containers.some((c) => c.kind === 'none')) return 'Pending';
  if (containers.some((c) => c.kind === 'running' || c.kind === 'restarting')) return 'Running';
  return containers.every((c) => c.kind === 'terminated' && c.exitCode === 0) ? 'Succeeded' : 'Failed';
}
