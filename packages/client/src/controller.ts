// What every controller runner shares: a work queue fed by informer events, workers that call
// the controller's sync for a key, start() and stop().
import type { Clock } from './clock.js';
import { isStatus, type KubeClient } from './client.js';
import type { InformerFactory } from './informer.js';
import type { Logger } from './log.js';
import { runWorkers, WorkQueue } from './queue.js';

export interface ControllerContext {
  readonly client: KubeClient;
  readonly informers: InformerFactory;
  readonly clock: Clock;
  /** Carries the controller's fields (`{ controller: 'replicaset' }`); failures go here at warn or error. */
  readonly logger: Logger;
}

export abstract class QueueController {
  protected readonly queue: WorkQueue;
  private workers: Promise<void> | undefined;

  constructor(
    protected readonly ctx: ControllerContext,
    private readonly name: string,
    private readonly workerCount = 4,
  ) {
    this.queue = new WorkQueue({ clock: ctx.clock, name });
  }

  /** Reconciles one key (namespace/name); throwing retries it with backoff. */
  protected abstract sync(key: string): Promise<void>;

  start(): void {
    this.workers ??= runWorkers(
      this.queue,
      this.workerCount,
      (k) => this.sync(k),
      (k, e) => {
        // A conflict only means the cache was behind; the retry reads the newer object.
        if (!isStatus(e, 409)) this.ctx.logger.warn({ err: e, key: k }, `${this.name}: sync failed; retrying`);
      },
    );
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.workers;
  }
}
