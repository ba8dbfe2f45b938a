// Builds: tekton.dev/v1 PipelineRuns and TaskRuns, and the step logs the pipelines controller
// archives behind its aggregated API (pipelines.wharf.dev), as `wharf build` reads them
// (packages/cli/src/build). Only the fields shown are declared: the console imports nothing
// server-side.
import type { KubeObject } from './types.js';

const TEKTON = '/apis/tekton.dev/v1';
const NOTE = 'platform.wharf.dev';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export interface StepState {
  name: string;
  running?: { startedAt?: string };
  waiting?: { reason?: string };
  terminated?: { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string };
}

/** A task of a pipeline, with what orders it: runAfter, and results of other tasks its params use. */
export interface PipelineTask {
  name: string;
  runAfter?: string[];
  params?: unknown;
  [field: string]: unknown;
}
interface PipelineSpec {
  tasks?: PipelineTask[];
  finally?: PipelineTask[];
}

export interface PipelineRun extends KubeObject {
  spec: { pipelineRef?: { name?: string }; pipelineSpec?: PipelineSpec; status?: string; [field: string]: unknown };
  status?: {
    conditions?: Condition[];
    startTime?: string;
    completionTime?: string;
    childReferences?: { name: string; pipelineTaskName: string }[];
    pipelineSpec?: PipelineSpec;
  };
}

export interface TaskRun extends KubeObject {
  status?: { conditions?: Condition[]; startTime?: string; completionTime?: string; steps?: StepState[] };
}

export const NOTES = {
  commit: `${NOTE}/commit`,
  trigger: `${NOTE}/trigger`,
  deployState: `${NOTE}/deploy-state`,
  deployedTo: `${NOTE}/deployed-to`,
} as const;

export const runsPath = (ns: string): string =>
  ns ? `${TEKTON}/namespaces/${encodeURIComponent(ns)}/pipelineruns` : `${TEKTON}/pipelineruns`;
export const runPath = (ns: string, name: string): string => `${runsPath(ns)}/${encodeURIComponent(name)}`;
export const taskRunsPath = (ns: string): string => `${TEKTON}/namespaces/${encodeURIComponent(ns)}/taskruns`;
/** The archived, masked step logs of a run, each line prefixed with [task:step]; follow streams until it ends. */
export const runLogPath = (ns: string, name: string): string =>
  `/apis/pipelines.wharf.dev/v1alpha1/namespaces/${encodeURIComponent(ns)}/pipelinerunlogs/${encodeURIComponent(name)}/log?follow=true`;

const succeeded = (conditions: Condition[] | undefined): Condition | undefined =>
  conditions?.find((c) => c.type === 'Succeeded');

/** Tekton's reason (Succeeded, Failed, Running, Cancelled...), or Pending before the first condition. */
export const outcome = (r: { status?: { conditions?: Condition[] } }): string => {
  const c = succeeded(r.status?.conditions);
  return c ? (c.reason ?? c.status) : 'Pending';
};

export const isDone = (r: PipelineRun): boolean => {
  const s = succeeded(r.status?.conditions)?.status;
  return s === 'True' || s === 'False';
};

export const pipelineOf = (r: PipelineRun): string =>
  r.spec.pipelineRef?.name ?? r.metadata.labels?.['tekton.dev/pipeline'] ?? '(inline)';

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

/** A new run of the same pipeline and inputs, as `wharf build rerun` makes it (packages/cli/src/build/actions.ts). */
export interface NewRun {
  apiVersion: string;
  kind: string;
  metadata: {
    generateName: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: PipelineRun['spec'];
}

export function rerunOf(run: PipelineRun): NewRun {
  const keep = (m: Record<string, string> | undefined, drop: RegExp): Record<string, string> =>
    Object.fromEntries(Object.entries(m ?? {}).filter(([k]) => !drop.test(k)));
  const base = (run.spec.pipelineRef?.name ?? run.metadata.name).replace(/-$/, '');
  const spec = { ...run.spec };
  delete spec.status;
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: {
      generateName: `${base.slice(0, 50)}-`,
      namespace: run.metadata.namespace,
      labels: keep(run.metadata.labels, /^tekton\.dev\//),
      annotations: {
        ...keep(run.metadata.annotations, /^kubectl\.kubernetes\.io\//),
        [NOTES.trigger]: `rerun of ${run.metadata.name}`,
      },
    },
    spec,
  };
}

export interface GraphTask {
  readonly name: string;
  readonly after: string[];
  readonly finally: boolean;
}

/**
 * The run's task graph in columns: a task stands one column right of the last task it waits for
 * (runAfter, or a `$(tasks.X.results...)` it reads), as Tekton orders them; `finally` tasks last.
 */
export function taskColumns(run: PipelineRun): GraphTask[][] {
  const spec = run.status?.pipelineSpec ?? run.spec.pipelineSpec ?? {};
  const tasks = spec.tasks ?? [];
  const names = new Set(tasks.map((t) => t.name));
  const deps = new Map(
    tasks.map((t) => {
      const reads = [...JSON.stringify(t.params ?? null).matchAll(/\$\(tasks\.([\w-]+)\.results/g)].map(
        (m) => m[1] as string,
      );
      return [t.name, [...new Set([...(t.runAfter ?? []), ...reads])].filter((d) => names.has(d) && d !== t.name)];
    }),
  );
  const depth = new Map<string, number>();
  const depthOf = (n: string, seen: Set<string>): number => {
    const known = depth.get(n);
    if (known !== undefined) return known;
    if (seen.has(n)) return 0; // a cycle Tekton would refuse: do not loop
    seen.add(n);
    const d = Math.max(-1, ...(deps.get(n) ?? []).map((x) => depthOf(x, seen))) + 1;
    depth.set(n, d);
    return d;
  };
  const columns: GraphTask[][] = [];
  for (const t of tasks)
    (columns[depthOf(t.name, new Set())] ??= []).push({ name: t.name, after: deps.get(t.name) ?? [], finally: false });
  const fin = (spec.finally ?? []).map((t) => ({ name: t.name, after: [], finally: true }));
  return [...columns.filter(Boolean), ...(fin.length ? [fin] : [])];
}
