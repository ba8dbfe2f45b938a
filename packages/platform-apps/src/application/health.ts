// The health gate of a rollout step, from the pods of the revision being rolled out: all of them
// must become Ready within the progress deadline and then stay Ready, without a restart, for
// analysisSeconds. A restart, a crash loop, an image that cannot be pulled, a config error or a
// missed deadline fails the step, with the failing pod's reason.
import type { V1Pod } from '@kubernetes/client-node';
import { timeOf } from '@wharf/client';
import type { ConditionReason } from '../types.js';

export interface StepInputs {
  /** Pods of the revision (all components). */
  readonly pods: readonly V1Pod[];
  /** How many Ready pods the step needs. */
  readonly expected: number;
  readonly now: number;
  readonly stepStarted: number;
  /** When all pods were first seen Ready in this step. */
  readonly readySince: number | undefined;
  readonly analysisMs: number;
  readonly deadlineMs: number;
}

export type StepVerdict =
  | {
      readonly state: 'waiting';
      readonly readySince: number | undefined;
      readonly message: string;
      readonly recheckMs: number;
    }
  | { readonly state: 'passed' }
  | { readonly state: 'failed'; readonly reason: ConditionReason; readonly message: string };

const IMAGE_ERRORS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_ERRORS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export const isPodReady = (p: V1Pod): boolean =>
  !p.metadata?.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The first hard failure of a pod (image, config, crash, restart), if any. */
export function podFailure(p: V1Pod): { reason: ConditionReason; message: string } | undefined {
  const name = p.metadata?.name ?? '';
  for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const waiting = s.state?.waiting;
    if (waiting?.reason && IMAGE_ERRORS.has(waiting.reason))
      return {
        reason: 'ImageNotFound',
        message: `pod ${name}: image ${s.image} cannot be pulled (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})`,
      };
    if (waiting?.reason && CONFIG_ERRORS.has(waiting.reason))
      return {
        reason: 'CrashLooping',
        message: `pod ${name}: container ${s.name} cannot start (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''})`,
      };
    if (waiting?.reason === 'CrashLoopBackOff' || s.restartCount > 0) {
      const last = s.lastState?.terminated;
      const why = last
        ? `exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}`
        : (waiting?.reason ?? 'restarted');
      return {
        reason: 'CrashLooping',
        message: `pod ${name}: container ${s.name} restarted ${s.restartCount} time(s), last ${why}`,
      };
    }
    const term = s.state?.terminated;
    if (term && term.exitCode !== 0 && p.spec?.restartPolicy === 'Never')
      return { reason: 'CrashLooping', message: `pod ${name}: container ${s.name} exited with ${term.exitCode}` };
  }
  return undefined;
}

/** Why a pod is not Ready yet, in words (for the rollout-stuck message). */
function notReadyWhy(p: V1Pod): string {
  const name = p.metadata?.name ?? '';
  const waiting = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].find(
    (s) => s.state?.waiting,
  )?.state?.waiting;
  if (waiting?.reason) return `pod ${name}: ${waiting.reason}`;
  if (!p.spec?.nodeName) return `pod ${name}: not scheduled`;
  if (p.status?.phase === 'Running') return `pod ${name}: readiness probe failing`;
  return `pod ${name}: ${p.status?.phase ?? 'Pending'}`;
}

export function assessStep(i: StepInputs): StepVerdict {
  const live = i.pods.filter((p) => !p.metadata?.deletionTimestamp);
  for (const p of live) {
    const f = podFailure(p);
    if (f) return { state: 'failed', ...f };
  }
  const ready = live.filter(isPodReady);
  if (ready.length < i.expected) {
    if (i.readySince !== undefined) {
      const lost = live.find((p) => !isPodReady(p));
      return {
        state: 'failed',
        reason: 'PodsNotReady',
        message: `${lost ? notReadyWhy(lost) : 'a pod went away'} during the analysis`,
      };
    }
    if (i.now - i.stepStarted > i.deadlineMs) {
      const stuck = live.find((p) => !isPodReady(p));
      return {
        state: 'failed',
        reason: 'RolloutStuck',
        message: `${ready.length}/${i.expected} pods Ready after ${Math.round(i.deadlineMs / 1000)} s${stuck ? `; ${notReadyWhy(stuck)}` : ''}`,
      };
    }
    return {
      state: 'waiting',
      readySince: undefined,
      message: `${ready.length}/${i.expected} pods Ready`,
      recheckMs: 1000,
    };
  }
  const since = i.readySince ?? i.now;
  const left = since + i.analysisMs - i.now;
  if (left <= 0) return { state: 'passed' };
  return {
    state: 'waiting',
    readySince: since,
    message: `${ready.length}/${i.expected} pods Ready; analysis ends in ${Math.ceil(left / 1000)} s`,
    recheckMs: Math.min(left, 1000),
  };
}

/** A wire timestamp in ms (NaN-safe: undefined when absent). */
export const msOf = (t: string | undefined): number | undefined => {
  if (!t) return undefined;
  const ms = timeOf(t);
  return Number.isNaN(ms) ? undefined : ms;
};
