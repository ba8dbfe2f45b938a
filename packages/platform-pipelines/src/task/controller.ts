// The TaskRun controller's runner: TaskRuns, Tasks and the pods it made from informers; it
// resolves the Task, reads results back from a succeeded pod, and carries out reconcileTaskRun's
// actions. A run's timeout comes back through the queue's timer.
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { type Informer, keyOf, type KubeClient, QueueController } from '@wharf/client';
import { writeStatusIfChanged } from '../common/status.js';
import { createIfAbsent, deleteIfPresent, ownPods, type PipelinesContext } from '../common/context.js';
import { TASKRUN_REASONS } from '../common/reasons.js';
import { COLLECTIONS, LABELS, paths, type RunResult, type Task, type TaskRun } from '../types.js';
import { parseResults, podName, RESULTS_CONTAINER, type PodOptions } from './pod.js';
import { reconcileTaskRun, type TaskRunAction, type TaskSpecSource } from './reconcile.js';

/**
 * resolveTask, asking the API server before reporting CouldntGetTask: a Task applied together
 * with its run may not be in the cache yet.
 */
export async function resolveTaskLive(
  ref: TaskRun['spec'],
  tasks: Informer<Task>,
  namespace: string,
  client: KubeClient,
): Promise<TaskSpecSource> {
  const cached = resolveTask(ref, tasks, namespace);
  if (!('error' in cached) || cached.reason !== TASKRUN_REASONS.couldntGetTask || !ref.taskRef?.name) return cached;
  const live = await client.getOptional<Task>(`${paths.tasks(namespace)}/${ref.taskRef.name}`);
  return live ? { spec: live.spec } : cached;
}

/** The TaskSpec a TaskRun runs: inline, or its Task's (Wharf resolves only namespaced Tasks by name). */
export function resolveTask(ref: TaskRun['spec'], tasks: Informer<Task>, namespace: string): TaskSpecSource {
  if (ref.taskSpec) return { spec: ref.taskSpec };
  const r = ref.taskRef;
  if (!r?.name)
    return { reason: TASKRUN_REASONS.validationFailed, error: 'expected exactly one, got neither: taskRef, taskSpec' };
  if (r.resolver)
    return {
      reason: TASKRUN_REASONS.validationFailed,
      error: `taskRef.resolver "${r.resolver}" is not supported by Wharf's Tekton subset`,
    };
  if (r.kind && r.kind !== 'Task')
    return {
      reason: TASKRUN_REASONS.validationFailed,
      error: `taskRef.kind "${r.kind}" is not supported by Wharf's Tekton subset (only Task)`,
    };
  const task = tasks.get(namespace, r.name);
  if (!task)
    return {
      reason: TASKRUN_REASONS.couldntGetTask,
      error: `Couldn't retrieve Task "${r.name}": tasks.tekton.dev "${r.name}" not found`,
    };
  return { spec: task.spec };
}

export class TaskRunController extends QueueController {
  private readonly taskRuns: Informer<TaskRun>;
  private readonly tasks: Informer<Task>;
  readonly pods: Informer<V1Pod>;
  private readonly core: CoreV1Api;

  constructor(
    private readonly pctx: PipelinesContext,
    private readonly podOptions: PodOptions,
  ) {
    super(pctx, 'taskrun', 2);
    this.taskRuns = pctx.informers.for<TaskRun>(COLLECTIONS.taskRuns);
    this.tasks = pctx.informers.for<Task>(COLLECTIONS.tasks);
    this.pods = ownPods<V1Pod>(pctx);
    this.core = pctx.kubeConfig.makeApiClient(CoreV1Api);
    this.taskRuns.on((_t, tr) => this.queue.add(keyOf(tr)));
    this.pods.on((_t, pod) => {
      const owner = pod.metadata?.labels?.[LABELS.taskRun];
      if (owner) this.queue.add(`${pod.metadata?.namespace}/${owner}`);
    });
    // A Task created after its TaskRun: the runs waiting for it fail with CouldntGetTask only
    // on their first sync, so nothing to requeue here.
  }

  override start(): void {
    this.pods.start();
    super.start();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.pods.stop();
  }

  get synced(): Promise<void> {
    return this.pods.synced;
  }

  protected async sync(key: string): Promise<void> {
    const tr = this.taskRuns.getByKey(key);
    if (!tr || tr.metadata?.deletionTimestamp) return;
    const ns = tr.metadata?.namespace ?? '';
    const name = tr.metadata?.name ?? '';
    const pod = this.pods.get(ns, podName(name, tr.status?.retriesStatus?.length ?? 0));
    const observed = {
      task: await resolveTaskLive(tr.spec, this.tasks, ns, this.ctx.client),
      pod,
      claims: await this.existingClaims(ns, tr),
      now: new Date(this.ctx.clock.now()),
      podOptions: this.podOptions,
    };
    let d = reconcileTaskRun(tr, observed);
    const read = d.actions.find((a) => a.type === 'readResults');
    if (read) {
      const results = await this.readResults(ns, read.pod, 'spec' in observed.task ? observed.task.spec : undefined);
      d = reconcileTaskRun(tr, { ...observed, results });
    }
    for (const a of d.actions) await this.apply(tr, a);
    if (d.requeueAfterMs !== undefined) this.queue.addAfter(key, Math.max(100, d.requeueAfterMs));
  }

  private async existingClaims(ns: string, tr: TaskRun): Promise<Set<string>> {
    const out = new Set<string>();
    if (!(tr.spec.workspaces ?? []).some((w) => w.volumeClaimTemplate) || tr.metadata?.labels?.[LABELS.pipelineRun])
      return out;
    const list = await this.ctx.client.get<{ items: { metadata: { name: string } }[] }>(paths.pvcs(ns));
    for (const c of list.items) out.add(c.metadata.name);
    return out;
  }

  private async readResults(
    ns: string,
    pod: string,
    spec: Parameters<typeof parseResults>[1] | undefined,
  ): Promise<RunResult[]> {
    if (!spec?.results?.length) return [];
    const log = await this.core.readNamespacedPodLog({ name: pod, namespace: ns, container: RESULTS_CONTAINER });
    return parseResults(String(log), spec);
  }

  private async apply(tr: TaskRun, a: TaskRunAction): Promise<void> {
    const ns = tr.metadata?.namespace ?? '';
    switch (a.type) {
      case 'createPod':
        await createIfAbsent(this.pctx, paths.pods(ns), a.pod);
        return;
      case 'createClaim':
        await createIfAbsent(this.pctx, paths.pvcs(ns), a.claim);
        return;
      case 'deletePod':
        await deleteIfPresent(this.pctx, `${paths.pods(ns)}/${a.name}`);
        return;
      case 'readResults':
        return;
      case 'status':
        await writeStatusIfChanged(this.ctx.client, `${paths.taskRuns(ns)}/${tr.metadata?.name}`, tr, a.status);
        return;
      case 'event':
        this.pctx.events.emit(tr, a.eventType, a.reason, a.message);
        return;
    }
  }
}
