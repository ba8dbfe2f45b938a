// What `wharf build ls|get` print for people: pure functions of the PipelineRun and its TaskRuns.
import { ANNOTATIONS, succeeded, type PipelineRun, type TaskRun } from '@wharf/platform-pipelines';
import { ANNOTATION as DEPLOY } from '@wharf/platform-git';
import { age, renderTable } from '../kube/output.js';

/** "1m05s" between two RFC 3339 times (to `now` while running), or "-". */
export function duration(start: string | undefined, end: string | undefined, now: number): string {
  const a = start ? Date.parse(start) : NaN;
  const b = end ? Date.parse(end) : now;
  if (Number.isNaN(a)) return '-';
  const s = Math.max(0, Math.round((b - a) / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

const outcome = (r: PipelineRun | TaskRun): string => {
  const c = succeeded(r.status?.conditions);
  return c ? (c.reason ?? c.status) : 'Pending';
};
const note = (r: PipelineRun, key: string): string => r.metadata?.annotations?.[key] ?? '';
const pipelineOf = (r: PipelineRun): string =>
  r.spec.pipelineRef?.name ?? r.metadata?.labels?.['tekton.dev/pipeline'] ?? '(inline)';

export function renderBuildList(runs: readonly PipelineRun[], now: number): string {
  if (!runs.length) return '';
  return renderTable(
    ['NAME', 'PIPELINE', 'STATUS', 'DEPLOYMENT', 'COMMIT', 'TRIGGER', 'DURATION', 'AGE'],
    runs.map((r) => [
      r.metadata?.name ?? '',
      pipelineOf(r),
      outcome(r),
      [note(r, DEPLOY.deployState), note(r, DEPLOY.deployedRevision) && `r${note(r, DEPLOY.deployedRevision)}`]
        .filter(Boolean)
        .join(' ') || '-',
      note(r, ANNOTATIONS.commit).slice(0, 7) || '-',
      note(r, ANNOTATIONS.trigger) || '-',
      duration(r.status?.startTime, r.status?.completionTime, now),
      age(r.metadata?.creationTimestamp, now),
    ]),
  );
}

export function renderBuild(r: PipelineRun, taskRuns: readonly TaskRun[], now: number): string {
  const c = succeeded(r.status?.conditions);
  const lines = [
    `Name:        ${r.metadata?.name ?? ''}`,
    `Namespace:   ${r.metadata?.namespace ?? ''}`,
    `Pipeline:    ${pipelineOf(r)}`,
    `Status:      ${outcome(r)}${c?.message ? ` (${c.message})` : ''}`,
  ];
  for (const [label, key] of [
    ['Commit', ANNOTATIONS.commit],
    ['Author', ANNOTATIONS.author],
    ['Message', ANNOTATIONS.message],
    ['Trigger', ANNOTATIONS.trigger],
  ] as const) {
    if (note(r, key)) lines.push(`${`${label}:`.padEnd(13)}${note(r, key).split('\n')[0]}`);
  }
  // What the delivery controller recorded (platform-git): where the image went and how it ended.
  const state = note(r, DEPLOY.deployState);
  if (state) {
    const rev = note(r, DEPLOY.deployedRevision);
    lines.push(
      `Deployment:  ${state}${note(r, DEPLOY.deployedTo) ? ` to ${note(r, DEPLOY.deployedTo)}` : ''}${rev ? ` (revision ${rev})` : ''}`,
    );
    if (note(r, DEPLOY.deployMessage)) lines.push(`             ${note(r, DEPLOY.deployMessage)}`);
  }
  if (note(r, DEPLOY.images)) lines.push(`Images:      ${note(r, DEPLOY.images).split(',').join(', ')}`);
  lines.push(
    `Started:     ${r.status?.startTime ?? '-'}`,
    `Duration:    ${duration(r.status?.startTime, r.status?.completionTime, now)}`,
  );
  const rows: string[][] = [];
  for (const ref of r.status?.childReferences ?? []) {
    const tr = taskRuns.find((t) => t.metadata?.name === ref.name);
    rows.push([
      ref.pipelineTaskName,
      tr ? outcome(tr) : 'Pending',
      duration(tr?.status?.startTime, tr?.status?.completionTime, now),
      ref.name,
    ]);
    for (const s of tr?.status?.steps ?? []) {
      const t = s.terminated;
      const state = t
        ? t.exitCode === 0
          ? 'Completed'
          : `${t.reason ?? 'Error'} (exit ${t.exitCode})`
        : s.running
          ? 'Running'
          : (s.waiting?.reason ?? 'Waiting');
      rows.push([`  ${s.name}`, state, duration(t?.startedAt ?? s.running?.startedAt, t?.finishedAt, now), '']);
    }
  }
  for (const s of r.status?.skippedTasks ?? []) rows.push([s.name, 'Skipped', '-', s.reason]);
  let out = `${lines.join('\n')}\n`;
  if (rows.length)
    out += `\nTasks:\n${renderTable(['TASK', 'STATUS', 'DURATION', 'TASKRUN / NOTE'], rows).replace(/^/gm, '  ').trimEnd()}\n`;
  const results = r.status?.results ?? [];
  if (results.length)
    out += `\nResults:\n${results.map((x) => `  ${x.name}: ${typeof x.value === 'string' ? x.value : JSON.stringify(x.value)}`).join('\n')}\n`;
  return out;
}
