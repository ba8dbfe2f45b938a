// Turns a push (from the built-in server or a forge's webhook) into a PipelineRun: the branch
// rules pick the pipeline (none: recorded as "no pipeline for branch"), the queue policy decides
// whether it starts or waits and which older runs it cancels, and `admitQueued` starts waiting
// runs as slots free up. Pushes are planned one at a time so two cannot both take the last slot.
import type { KubeClient, Logger } from '@wharf/client';
import { pipelineRunFor, type PipelineRun } from './pipelinerun.js';
import { admit, planPush, viewOf } from './queue.js';
import { matchRule, parseRef } from './rules.js';
import {
  ANNOTATION,
  LABEL_BRANCH,
  LABEL_MANAGED,
  LABEL_REPOSITORY,
  type PushInfo,
  type Repository,
  type RepositoryEvent,
} from './types.js';
import { labelValue } from './pipelinerun.js';

export interface TriggerOptions {
  readonly client: KubeClient;
  readonly logger: Logger;
  /** Cluster-wide limit of PipelineRuns this trigger lets run at once. */
  readonly maxConcurrentBuilds: number;
}

const RUNS = '/apis/tekton.dev/v1';
const managed = `labelSelector=${encodeURIComponent(`${LABEL_MANAGED}=wharf-git`)}`;

export class Trigger {
  private serial: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: TriggerOptions) {}

  /** Plans and creates the run for one pushed ref; answers the event to record. */
  onPush(repo: Repository, push: PushInfo): Promise<RepositoryEvent> {
    const next = this.serial.then(() => this.push(repo, push));
    this.serial = next.catch(() => undefined);
    return next;
  }

  private async push(repo: Repository, push: PushInfo): Promise<RepositoryEvent> {
    const base = {
      time: new Date().toISOString(),
      trigger: push.trigger,
      ref: push.ref,
      ...(push.commit ? { commit: push.commit } : {}),
      ...(push.author ? { author: push.author } : {}),
      ...(push.message ? { message: push.message.slice(0, 1024) } : {}),
      ...(push.deliveryId ? { deliveryId: push.deliveryId } : {}),
    };
    if (!push.commit) return { ...base, result: 'RefDeleted' };
    const rule = matchRule(repo.spec, push.ref);
    if (!rule) {
      const r = parseRef(push.ref);
      return { ...base, result: 'NoPipelineForBranch', reason: `no rule matches ${r.kind} ${r.name}` };
    }
    const { namespace, name } = repo.metadata;
    try {
      const all = await this.managedRuns();
      const branch = labelValue(parseRef(push.ref).name);
      const sameQueue = all
        .filter(
          (r) =>
            r.metadata.namespace === namespace &&
            r.metadata.labels[LABEL_REPOSITORY] === name &&
            r.metadata.labels[LABEL_BRANCH] === branch,
        )
        .map(viewOf);
      const running = all.map(viewOf).filter((v) => v.state === 'running').length;
      const plan = planPush(repo.spec.concurrency ?? 'supersede', sameQueue, running, this.o.maxConcurrentBuilds);
      const created = await this.o.client.create<PipelineRun>(
        `${RUNS}/namespaces/${namespace}/pipelineruns`,
        pipelineRunFor(repo, rule, push, !plan.startNow),
      );
      const createdName = created.metadata.name ?? '';
      for (const c of plan.cancel) {
        const [ns = '', runName = ''] = c.name.split('/');
        await this.o.client.patch(`${RUNS}/namespaces/${ns}/pipelineruns/${runName}`, {
          metadata: { annotations: { [ANNOTATION.supersededBy]: createdName } },
          spec: { status: 'Cancelled' },
        });
        this.o.logger.info(
          { pipelineRun: c.name, by: createdName, reason: c.reason },
          'cancelled an older run of the same branch',
        );
      }
      return {
        ...base,
        result: 'PipelineRunCreated',
        pipelineRun: createdName,
        reason: plan.startNow ? 'started' : 'queued',
      };
    } catch (e) {
      this.o.logger.warn(
        { err: e, repository: `${namespace}/${name}`, ref: push.ref },
        'could not create the PipelineRun',
      );
      return { ...base, result: 'Failed', reason: (e as Error).message.slice(0, 500) };
    }
  }

  /** Starts queued runs while the cluster has slots: one pass. */
  admitQueued(): Promise<void> {
    const next = this.serial.then(async () => {
      const runs = await this.managedRuns();
      for (const key of admit(runs.map(viewOf), this.o.maxConcurrentBuilds)) {
        const [ns = '', name = ''] = key.split('/');
        await this.o.client.patch(`${RUNS}/namespaces/${ns}/pipelineruns/${name}`, { spec: { status: null } });
        this.o.logger.info({ pipelineRun: key }, 'started a queued run');
      }
    });
    this.serial = next.catch(() => undefined);
    return next;
  }

  private async managedRuns(): Promise<PipelineRun[]> {
    return (await this.o.client.get<{ items: PipelineRun[] }>(`${RUNS}/pipelineruns?${managed}`)).items;
  }
}
