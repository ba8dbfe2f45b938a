// Follows the log of each step container through the API (pods/log?follow=true) from the moment
// it starts, masks the run's secret values and appends to the archive; when the container has
// terminated and its stream ended, the step's archive is complete. After a restart, steps not
// complete are followed again from the start (the file is truncated first), so nothing doubles.
import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import { Log, type V1ContainerStatus, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { type Informer, isStatus, type Logger } from '@wharf/client';
import type { PipelinesContext } from '../common/context.js';
import { STEP_PREFIX } from '../task/pod.js';
import { LABELS } from '../types.js';
import type { ArchiveMeta, ArchivedStep, LogArchive } from './archive.js';
import { Masker, maskedForms } from './mask.js';
import { secretRefs, secretValues } from './secrets.js';

/** Failed reads of a finished container's log before its archive is closed as it is. */
const MAX_FAILED_READS = 5;

const attemptOf = (pod: string): number => Number(/-retry(\d+)$/.exec(pod)?.[1] ?? 0);

export class LogCollector {
  private readonly following = new Map<string, Promise<void>>();
  private readonly log: Log;
  private stopped = false;
  private readonly aborts = new Set<AbortController>();
  /** The TaskRun and PipelineRun of each step being archived now (key as in `following`). */
  private readonly active = new Map<string, { namespace: string; taskRun: string; pipelineRun?: string }>();

  constructor(
    private readonly ctx: PipelinesContext,
    private readonly pods: Informer<V1Pod>,
    private readonly archive: LogArchive,
    private readonly logger: Logger,
  ) {
    this.log = new Log(ctx.kubeConfig);
    pods.on((_t, pod) => this.onPod(pod));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const a of this.aborts) a.abort();
    await Promise.allSettled([...this.following.values()]);
  }

  private onPod(pod: V1Pod): void {
    if (this.stopped) return;
    const taskRun = pod.metadata?.labels?.[LABELS.taskRun];
    if (!taskRun) return;
    for (const cs of pod.status?.initContainerStatuses ?? []) {
      if (!cs.name.startsWith(STEP_PREFIX) || !(cs.state?.running || cs.state?.terminated)) continue;
      const key = `${pod.metadata?.uid}/${cs.name}`;
      if (this.following.has(key)) continue;
      const step = { pod: pod.metadata?.name ?? '', container: cs.name };
      if (this.archive.isComplete(pod.metadata?.namespace ?? '', taskRun, step)) continue;
      const pipelineRun = pod.metadata?.labels?.[LABELS.pipelineRun];
      this.active.set(key, {
        namespace: pod.metadata?.namespace ?? '',
        taskRun,
        ...(pipelineRun ? { pipelineRun } : {}),
      });
      const done = this.follow(pod, taskRun, cs)
        .catch((e: unknown) => this.logger.warn({ err: e, pod: step.pod, container: cs.name }, 'step log not archived'))
        .finally(() => this.active.delete(key));
      this.following.set(key, done);
    }
  }

  /** Whether a step of this TaskRun (or of any TaskRun of this PipelineRun) is still being archived. */
  archiving(kind: 'taskrun' | 'pipelinerun', namespace: string, name: string): boolean {
    for (const a of this.active.values()) {
      if (a.namespace === namespace && (kind === 'taskrun' ? a.taskRun === name : a.pipelineRun === name)) return true;
    }
    return false;
  }

  private async secretsOf(pod: V1Pod): Promise<string[]> {
    const refs = secretRefs(pod);
    const ns = pod.metadata?.namespace ?? '';
    const secrets = new Map<string, V1Secret>();
    for (const name of new Set(refs.map((r) => r.name))) {
      try {
        secrets.set(name, await this.ctx.client.get<V1Secret>(`/api/v1/namespaces/${ns}/secrets/${name}`));
      } catch (e) {
        if (!isStatus(e, 404)) throw e;
      }
    }
    return maskedForms(secretValues(refs, secrets));
  }

  private async follow(pod: V1Pod, taskRun: string, cs: V1ContainerStatus): Promise<void> {
    const ns = pod.metadata?.namespace ?? '';
    const podName = pod.metadata?.name ?? '';
    const labels = pod.metadata?.labels ?? {};
    const base: Omit<ArchiveMeta, 'steps'> = {
      namespace: ns,
      taskRun,
      created: new Date(this.ctx.clock.now()).toISOString(),
      ...(labels[LABELS.pipelineRun] ? { pipelineRun: labels[LABELS.pipelineRun] } : {}),
      ...(labels[LABELS.pipeline] ? { pipeline: labels[LABELS.pipeline] } : {}),
      ...(labels[LABELS.pipelineTask] ? { pipelineTask: labels[LABELS.pipelineTask] } : {}),
      ...(labels[LABELS.task] ? { task: labels[LABELS.task] } : {}),
    };
    const step: ArchivedStep = {
      step: cs.name.slice(STEP_PREFIX.length),
      pod: podName,
      container: cs.name,
      attempt: attemptOf(podName),
      complete: false,
    };
    // The values are read before the first byte is archived: nothing unmasked is ever written.
    const secrets = await this.secretsOf(pod);
    for (let tries = 0; !this.stopped; tries++) {
      this.archive.open(base, step);
      const masker = new Masker(secrets);
      const decoder = new StringDecoder('utf8');
      const sink = new Writable({
        write: (chunk: Buffer, _enc, cb) => {
          this.archive.append(ns, taskRun, step, masker.write(decoder.write(chunk)));
          cb();
        },
      });
      const ended = new Promise<void>((resolve) => {
        sink.on('finish', resolve);
        sink.on('close', resolve);
        sink.on('error', () => resolve());
      });
      let read = false;
      try {
        const abort = await this.log.log(ns, podName, cs.name, sink, { follow: true });
        this.aborts.add(abort);
        await ended;
        this.aborts.delete(abort);
        read = true;
      } catch (e) {
        this.logger.debug({ err: e, pod: podName, container: cs.name }, 'log stream failed; retrying');
      }
      this.archive.append(ns, taskRun, step, masker.write(decoder.end()) + masker.flush());
      // A stream that failed (a busy API server, an agent restarting) is tried again even for a
      // finished container: its log is still on the node until the pod is deleted.
      if ((read || tries >= MAX_FAILED_READS) && (await this.finished(ns, podName, cs.name))) {
        this.archive.complete(ns, taskRun, step);
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** tries)));
    }
  }

  /** Whether the container is over (terminated, or its pod gone): its log is then all there is. */
  private async finished(ns: string, pod: string, container: string): Promise<boolean> {
    for (let i = 0; i < 20; i++) {
      const p = this.pods.get(ns, pod);
      const cs = p?.status?.initContainerStatuses?.find((c) => c.name === container);
      if (!p || cs?.state?.terminated || p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded') return true;
      // The stream can end a moment before the informer sees the container's exit.
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }
}
