// Where a long operation (create, deploy, rollback, config set, scale) stands, read from the
// Application's status and its revisions: a progress line (pods Ready, canary analysis
// countdown) while it runs, and done or failed with the reason. Pure: the waiting loop
// (wait.ts) feeds it what it polls.
import type { Application, ApplicationRevision } from '@wharf/platform-apps';

/** What the operation waits for. */
export type Goal =
  /** A revision newer than `after` that `match`es is rolled out. */
  | {
      readonly kind: 'revision';
      readonly after: number;
      readonly match: (r: ApplicationRevision) => boolean;
      readonly what: string;
    }
  /** A component runs `replicas` Ready pods. */
  | { readonly kind: 'scale'; readonly component: string; readonly replicas: number };

export type Progress =
  | { readonly state: 'running'; readonly line: string }
  | { readonly state: 'done'; readonly line: string }
  | { readonly state: 'failed'; readonly line: string };

/** Reasons that no waiting cures: a person must fix the spec, config or secrets. */
const INPUT_PROBLEMS = new Set([
  'ConfigSetNotFound',
  'ConfigKeyNotFound',
  'SecretNotFound',
  'SecretKeyNotFound',
  'InvalidSpec',
]);
/** Reasons that fail a first rollout (there is nothing to roll back to; the controller keeps trying). */
const FIRST_ROLLOUT_PROBLEMS = new Set(['ImageNotFound', 'CrashLooping', 'RolloutStuck']);

const DEFAULT_ANALYSIS_SECONDS = 30;

export function assess(app: Application, revisions: readonly ApplicationRevision[], goal: Goal, now: number): Progress {
  const status = app.status ?? {};
  const degraded = status.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True');
  const seen = (status.observedGeneration ?? 0) >= (app.metadata?.generation ?? 0);
  if (degraded && seen && INPUT_PROBLEMS.has(degraded.reason ?? ''))
    return { state: 'failed', line: `${degraded.reason}: ${degraded.message ?? ''}` };
  if (goal.kind === 'scale') {
    const c = status.components?.find((x) => x.name === goal.component);
    const ready = c?.readyReplicas ?? 0;
    const line = `component ${goal.component}: ${ready}/${goal.replicas} pods Ready`;
    return seen && ready === goal.replicas ? { state: 'done', line } : { state: 'running', line };
  }
  const target = [...revisions]
    .filter((r) => r.spec.revision > goal.after && goal.match(r))
    .sort((a, b) => b.spec.revision - a.spec.revision)[0];
  if (!target) return { state: 'running', line: `waiting for the controller to make a revision for ${goal.what}` };
  const n = target.spec.revision;
  if (target.status?.phase === 'Failed') {
    const why = degraded?.reason === 'RolledBack' ? degraded.message : target.status.message;
    return {
      state: 'failed',
      line: `RolledBack: revision ${n} failed its health gate and was rolled back${status.revision !== undefined ? ` to revision ${status.revision}` : ''}: ${why ?? ''}`,
    };
  }
  const ro = status.rollout;
  if ((status.revision ?? 0) >= n && (!ro || ro.revision !== n)) {
    const url = status.url ? `, ${status.url}` : '';
    return { state: 'done', line: `revision ${n} is rolled out (${target.spec.cause})${url}` };
  }
  if (degraded && FIRST_ROLLOUT_PROBLEMS.has(degraded.reason ?? '') && (!ro || ro.from === 0))
    return { state: 'failed', line: `${degraded.reason}: ${degraded.message ?? ''}` };
  if (!ro || ro.revision !== n) return { state: 'running', line: `revision ${n}: waiting for its rollout to start` };
  return { state: 'running', line: rolloutLine(app, n, now) };
}

/** `revision 3: canary 1/1 pods Ready, analysis 12 s left`. */
function rolloutLine(app: Application, n: number, now: number): string {
  const ro = app.status?.rollout;
  if (!ro) return `revision ${n}`;
  const comps = app.spec.components;
  const updated = (app.status?.components ?? []).reduce((sum, c) => sum + c.updatedReplicas, 0);
  const analysis = (app.spec.rollout?.analysisSeconds ?? DEFAULT_ANALYSIS_SECONDS) * 1000;
  const countdown = (): string => {
    const since = ro.readySince ? new Date(ro.readySince).getTime() : NaN;
    return Number.isNaN(since) ? '' : `, analysis ${Math.max(0, Math.ceil((since + analysis - now) / 1000))} s left`;
  };
  switch (ro.phase) {
    case 'Canary': {
      const want = comps.filter((c) => (c.replicas ?? 1) > 0).length;
      return `revision ${n}: canary ${Math.min(updated, want)}/${want} pods Ready${countdown()}`;
    }
    case 'Promoting':
      return `revision ${n}: ${ro.step && ro.from ? `step ${ro.step}, ` : ''}${updated}/${comps.reduce((s, c) => s + (c.replicas ?? 1), 0)} pods Ready${countdown()}`;
    case 'Finishing':
      return `revision ${n}: all pods Ready; draining revision ${ro.from}`;
    case 'RollingBack':
      return `revision ${n}: rolling back to revision ${ro.from}: ${ro.message ?? ''}`;
  }
}
