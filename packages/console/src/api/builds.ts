// Builds: tekton.dev/v1 PipelineRuns and TaskRuns, and the step logs the pipelines controller
// archives behind its aggregated API (pipelines.wharf.dev), as `wharf build` reads them
// (packages/cli/src/build). Only the fields shown are declared: the console imports nothing
// server-side.
import type { KubeObject } from './types.js';

const TEKTON = '/apis/tekton.dev/v1';
const NOTE = 'platform.wharf.dev';

export interface Condition { type: string; status: string; reason?: string; message?: string }
export interface StepState {
  name: string;
  running?: { startedAt?: string };
  waiting?: { reason?: string };
  terminated?: { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string };
}

export interface PipelineRun extends KubeObject {
  spec: { pipelineRef?: { name?: string }; status?: string };
  status?: { conditions?: Condition[]; startTime?: string; completionTime?: string; childReferences?: { name: string; pipelineTaskName: string }[] };
}

export interface TaskRun extends KubeObject {
  status?: { conditions?: Condition[]; startTime?: string; completionTime?: string; steps?: StepState[] };
}

export const NOTES = {
  commit: `${NOTE}/commit`, trigger: `${NOTE}/trigger`, deployState: `${NOTE}/deploy-state`, deployedTo: `${NOTE}/deployed-to`,
} as const;

export const runsPath = (ns: string): string => (ns ? `${TEKTON}/namespaces/${encodeURIComponent(ns)}/pipelineruns` : `${TEKTON}/pipelineruns`);
export const runPath = (ns: string, name: string): string => `${runsPath(ns)}/${encodeURIComponent(name)}`;
export const taskRunsPath = (ns: string): string => `${TEKTON}/namespaces/${encodeURIComponent(ns)}/taskruns`;
/** The archived, masked step logs of a run, each line prefixed with [task:step]; follow streams until it ends. */
export const runLogPath = (ns: string, name: string): string => `/apis/pipelines.wharf.dev/v1alpha1/namespaces/${encodeURIComponent(ns)}/pipelinerunlogs/${encodeURIComponent(name)}/log?follow=true`;

const succeeded = (conditions: Condition[] | undefined): Condition | undefined => conditions?.find((c) => c.type === 'Succeeded');

/** Tekton's reason (Succeeded, Failed, Running, Cancelled...), or Pending before the first condition. */
export const outcome = (r: { status?: { conditions?: Condition[] } }): string => {
  const c = succeeded(r.status?.conditions);
  return c ? (c.reason ?? c.status) : 'Pending';
};

export const isDone = (r: PipelineRun): boolean => {
  const s = succeeded(r.status?.conditions)?.status;
  return s === 'True' || s === 'False';
};

export const pipelineOf = (r: PipelineRun): string => r.spec.pipelineRef?.name ?? r.metadata.labels?.['tekton.dev/pipeline'] ?? '(inline)';

/** A step's state in one word, as `wharf build get` prints it. */
export function stepState(s: StepState): string {
  const t = s.terminated;
  if (t) return t.exitCode === 0 ? 'Completed' : `${t.reason ?? 'Error'} (exit ${t.exitCode})`;
  return s.running ? 'Running' : (s.waiting?.reason ?? 'Waiting');
}

/** "1m05s" between two RFC 3339 times (to `now` while running), or "-". */
export function duration(start: string | undefined, end: string | undefined, now: number): string {
  const a = start ? Date.parse(start) : NaN;
  const b = end ? Date.parse(end) : now;
  if (Number.isNaN(a)) return '-';
  const s = Math.max(0, Math.round((b - a) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
