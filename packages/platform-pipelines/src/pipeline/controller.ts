// The PipelineRun controller's runner: PipelineRuns, Pipelines, Tasks and the TaskRuns it made
// from informers; it resolves the Pipeline and each task's spec, and carries out
// reconcilePipelineRun's actions. A TaskRun's change wakes its PipelineRun.
import { type Informer, keyOf, QueueController } from '@wharf/client';
import { createIfAbsent, type PipelinesContext } from '../common/context.js';
import { PIPELINERUN_REASONS } from '../common/reasons.js';
import { resolveTaskLive } from '../task/controller.js';
import type { TaskSpecSource } from '../task/reconcile.js';
import { COLLECTIONS, LABELS, paths, type Pipeline, type PipelineRun, type Task, type TaskRun } from '../types.js';
import { reconcilePipelineRun, type PipelineRunAction, type PipelineSource } from './reconcile.js';
import { writeStatusIfChanged } from '../common/status.js';

export class PipelineRunController extends QueueController {
  private readonly runs: Informer<PipelineRun>;
  private readonly pipelines: Informer<Pipeline>;
  private readonly tasks: Informer<Task>;
  private readonly taskRuns: Informer<TaskRun>;

  constructor(private readonly pctx: PipelinesContext) {
    super(pctx, 'pipelinerun', 2);
    this.runs = pctx.informers.for<PipelineRun>(COLLECTIONS.pipelineRuns);
    this.pipelines = pctx.informers.for<Pipeline>(COLLECTIONS.pipelines);
    this.tasks = pctx.informers.for<Task>(COLLECTIONS.tasks);
    this.taskRuns = pctx.informers.for<TaskRun>(COLLECTIONS.taskRuns);
    this.runs.on((_t, pr) => this.queue.add(keyOf(pr)));
    this.taskRuns.on((_t, tr) => {
      const owner = tr.metadata?.labels?.[LABELS.pipelineRun];
      if (owner) this.queue.add(`${tr.metadata?.namespace}/${owner}`);
    });
  }

  /** The Pipeline from the cache, else from the API server (one applied with its run may not be cached yet). */
  private async resolvePipeline(pr: PipelineRun, ns: string): Promise<PipelineSource> {
    if (pr.spec.pipelineSpec) return { spec: pr.spec.pipelineSpec, name: pr.metadata?.name ?? '' };
    const ref = pr.spec.pipelineRef;
    if (!ref?.name)
      return {
        reason: PIPELINERUN_REASONS.validationFailed,
        error: 'expected exactly one, got neither: spec.pipelineRef, spec.pipelineSpec',
      };
    if (ref.resolver)
      return {
        reason: PIPELINERUN_REASONS.validationFailed,
        error: `spec.pipelineRef.resolver "${ref.resolver}" is not supported by Wharf's Tekton subset`,
      };
    const p =
      this.pipelines.get(ns, ref.name) ??
      (await this.ctx.client.getOptional<Pipeline>(`${paths.pipelines(ns)}/${ref.name}`));
    if (!p)
      return {
        reason: PIPELINERUN_REASONS.couldntGetPipeline,
        error: `Error retrieving pipeline for pipelinerun ${ns}/${pr.metadata?.name}: pipelines.tekton.dev "${ref.name}" not found`,
      };
    return { spec: p.spec, name: ref.name };
  }

  protected async sync(key: string): Promise<void> {
    const pr = this.runs.getByKey(key);
    if (!pr || pr.metadata?.deletionTimestamp) return;
    const ns = pr.metadata?.namespace ?? '';
    const name = pr.metadata?.name ?? '';
    const pipeline = await this.resolvePipeline(pr, ns);
    const tasks = new Map<string, TaskSpecSource>();
    if ('spec' in pipeline) {
      for (const t of [...(pipeline.spec.tasks ?? []), ...(pipeline.spec.finally ?? [])])
        tasks.set(
          t.name,
          await resolveTaskLive(
            { ...(t.taskRef ? { taskRef: t.taskRef } : {}), ...(t.taskSpec ? { taskSpec: t.taskSpec } : {}) },
            this.tasks,
            ns,
            this.ctx.client,
          ),
        );
    }
    const children = new Map<string, TaskRun>();
    for (const tr of this.taskRuns.list(ns)) {
      if (tr.metadata?.labels?.[LABELS.pipelineRun] !== name) continue;
      if (!tr.metadata?.ownerReferences?.some((r) => r.uid === pr.metadata?.uid)) continue;
      const pt = tr.metadata.labels[LABELS.pipelineTask];
      if (pt) children.set(pt, tr);
    }
    const claims = (pr.spec.workspaces ?? []).some((w) => w.volumeClaimTemplate)
      ? new Set(
          (await this.ctx.client.get<{ items: { metadata: { name: string } }[] }>(paths.pvcs(ns))).items.map(
            (c) => c.metadata.name,
          ),
        )
      : new Set<string>();
    const d = reconcilePipelineRun(pr, { pipeline, tasks, children, claims, now: new Date(this.ctx.clock.now()) });
    for (const a of d.actions) await this.apply(pr, a);
    if (d.requeueAfterMs !== undefined) this.queue.addAfter(key, d.requeueAfterMs);
  }

  private async apply(pr: PipelineRun, a: PipelineRunAction): Promise<void> {
    const ns = pr.metadata?.namespace ?? '';
    switch (a.type) {
      case 'createTaskRun':
        await createIfAbsent(this.pctx, paths.taskRuns(ns), a.taskRun);
        return;
      case 'createClaim':
        await createIfAbsent(this.pctx, paths.pvcs(ns), a.claim);
        return;
      case 'cancelTaskRun':
        await this.ctx.client.patch(`${paths.taskRuns(ns)}/${a.name}`, {
          spec: { status: 'TaskRunCancelled', statusMessage: a.message },
        });
        return;
      case 'status':
        await writeStatusIfChanged(this.ctx.client, `${paths.pipelineRuns(ns)}/${pr.metadata?.name}`, pr, a.status);
        return;
      case 'event':
        this.pctx.events.emit(pr, a.eventType, a.reason, a.message);
        return;
    }
  }
}
