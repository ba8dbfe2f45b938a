// The `wharf build` verbs: they read and write PipelineRuns (tekton.dev/v1) and read the step
// logs the pipelines controller archived, through its aggregated API (pipelines.wharf.dev), so
// RBAC decides who reads what and secrets are already masked.
import {
  isDone,
  LOGS_GROUP,
  LOGS_VERSION,
  paths,
  ANNOTATIONS,
  RUN_SPEC_STATUS,
  type PipelineRun,
  type TaskRun,
} from '@wharf/platform-pipelines';
import { isStatus } from '@wharf/client';
import { connect, type Connection, type ConnectionOptions } from '../kube/context.js';
import { about, CliError, explain } from '../kube/errors.js';
import { outputFormat, renderObject } from '../kube/output.js';
import { renderBuild, renderBuildList } from './render.js';

interface Common extends ConnectionOptions {
  output?: string;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const target = (c: Connection, verb: string, name?: string) => ({
  verb,
  resource: 'pipelinerun',
  namespace: c.namespace,
  ...(name ? { name } : {}),
});
const getRun = (c: Connection, name: string): Promise<PipelineRun> =>
  about(target(c, 'get', name), () => c.client.get<PipelineRun>(`${paths.pipelineRuns(c.namespace)}/${name}`));

export async function ls(o: Common & { pipeline?: string }): Promise<void> {
  const c = await connect(o);
  const list = await about(target(c, 'list'), () =>
    c.client.get<{ items: PipelineRun[] }>(paths.pipelineRuns(c.namespace)),
  );
  const runs = list.items
    .filter(
      (r) =>
        !o.pipeline ||
        r.spec.pipelineRef?.name === o.pipeline ||
        r.metadata?.labels?.['tekton.dev/pipeline'] === o.pipeline,
    )
    .sort((a, b) => String(b.metadata?.creationTimestamp).localeCompare(String(a.metadata?.creationTimestamp)));
  const f = outputFormat(o.output);
  if (f) return void process.stdout.write(renderObject({ apiVersion: 'v1', kind: 'List', items: runs }, f));
  if (!runs.length)
    process.stderr.write(`no builds in namespace ${c.namespace}${o.pipeline ? ` for pipeline ${o.pipeline}` : ''}\n`);
  process.stdout.write(renderBuildList(runs, Date.now()));
}

export async function get(name: string, o: Common): Promise<void> {
  const c = await connect(o);
  const run = await getRun(c, name);
  const f = outputFormat(o.output);
  if (f) return void process.stdout.write(renderObject(run, f));
  const trs = await about({ verb: 'list', resource: 'taskrun', namespace: c.namespace }, () =>
    c.client.get<{ items: TaskRun[] }>(
      `${paths.taskRuns(c.namespace)}?${new URLSearchParams({ labelSelector: `tekton.dev/pipelineRun=${name}` })}`,
    ),
  );
  process.stdout.write(renderBuild(run, trs.items, Date.now()));
}

export async function logs(name: string, o: ConnectionOptions & { follow?: boolean }): Promise<void> {
  const c = await connect(o);
  await getRun(c, name); // a clear "not found" before anything else
  const path = `/apis/${LOGS_GROUP}/${LOGS_VERSION}/namespaces/${c.namespace}/pipelinerunlogs/${name}/log${o.follow ? '?follow=true' : ''}`;
  for (;;) {
    try {
      await c.client.stream(path, (t) => process.stdout.write(t)).done;
      return;
    } catch (e) {
      // Nothing archived yet: a build still waiting for its first step. Following waits for it.
      const waiting = isStatus(e, 404) && o.follow && !isDone((await getRun(c, name)).status?.conditions);
      if (!waiting)
        throw isStatus(e, 404)
          ? new CliError(
              `build ${name} has no archived logs in namespace ${c.namespace} (no step has started, or retention removed them)`,
            )
          : explain(e, { verb: 'get', resource: 'pipelinerunlogs/log', name, namespace: c.namespace });
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export async function cancel(name: string, o: ConnectionOptions & { runFinally?: boolean }): Promise<void> {
  const c = await connect(o);
  const run = await getRun(c, name);
  if (isDone(run.status?.conditions))
    throw new CliError(
      `build ${name} already finished (${run.status?.conditions?.[0]?.reason ?? 'done'}): nothing to cancel`,
    );
  const status = o.runFinally ? RUN_SPEC_STATUS.cancelledRunFinally : RUN_SPEC_STATUS.cancelled;
  await about(target(c, 'patch', name), () =>
    c.client.patch(`${paths.pipelineRuns(c.namespace)}/${name}`, { spec: { status } }),
  );
  say(`build ${name} cancelled${o.runFinally ? ' (finally tasks run)' : ''}`);
}

export async function rerun(name: string, o: ConnectionOptions): Promise<void> {
  const c = await connect(o);
  const run = await getRun(c, name);
  const keep = (m: Record<string, string> | undefined, drop: RegExp): Record<string, string> =>
    Object.fromEntries(Object.entries(m ?? {}).filter(([k]) => !drop.test(k)));
  const base = (run.spec.pipelineRef?.name ?? name).replace(/-$/, '');
  const spec = { ...run.spec };
  delete spec.status;
  const body: PipelineRun = {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: {
      generateName: `${base.slice(0, 50)}-`,
      namespace: c.namespace,
      labels: keep(run.metadata?.labels, /^tekton\.dev\//),
      annotations: {
        ...keep(run.metadata?.annotations, /^kubectl\.kubernetes\.io\//),
        [ANNOTATIONS.trigger]: `rerun of ${name}`,
      },
    },
    spec,
  };
  const made = await about(target(c, 'create'), () =>
    c.client.create<PipelineRun>(paths.pipelineRuns(c.namespace), body),
  );
  say(`build ${made.metadata?.name} started (rerun of ${name})`);
}
