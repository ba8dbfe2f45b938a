// The write loop of an iptables dataplane (the service proxy, the NetworkPolicy enforcer): a
// burst of informer changes is gathered into one sync after a short delay, syncs run one at a
// time (a change during a sync runs one more right after it), a failed sync is retried in 1 s,
// and a periodic forced sync repairs what someone else removed.
import type { KubernetesObject } from '@kubernetes/client-node';
import { Informer, type Clock, type KubeClient, type Logger } from '@wharf/client';

export type SyncClock = Clock;

export interface SyncLoopOptions {
  readonly clock: SyncClock;
  /** Delay that gathers a burst of changes into one sync. */
  readonly coalesceMs: number;
  /** Period of the forced sync. */
  readonly resyncMs: number;
  /** Computes and writes the rules; `force` re-reads what is installed first. */
  readonly apply: (force: boolean) => Promise<void>;
  /** A sync failed (it is retried in 1 s). */
  readonly onError: (e: unknown) => void;
}

export class SyncLoop {
  private timer: unknown;
  private resyncTimer: unknown;
  private syncing: Promise<void> | undefined;
  private again = false;
  private firstChange = 0;
  /** Changes schedule syncs (from settled() on: before it, the caller's first write is pending). */
  private following = false;
  running = false;
  /** Milliseconds from the first change of the last sync to its rules being written. */
  lastSyncDelayMs = 0;

  constructor(private readonly o: SyncLoopOptions) {}

  /** An informer on `path` whose every change asks for a sync (a failed watch is logged and resumed). */
  follow<T extends KubernetesObject>(client: KubeClient, path: string, logger: Logger): Informer<T> {
    const i = new Informer<T>({
      client,
      path,
      clock: this.o.clock,
      onError: (e) => logger.warn({ err: e, path }, 'watch failed; resuming'),
    });
    i.on(() => this.changed());
    return i;
  }

  /**
   * Changes count from now on (they arrive while the informers first list) but wait for settled():
   * a sync before the caller's first write would write rules from half-listed informers (a Service
   * without its endpoints rejects connections), and would make the first write find its own rules
   * and call them adopted.
   */
  begin(): void {
    this.running = true;
  }

  /** The caller wrote (or adopted) a first full rule set: changes sync from now on, and periodically. */
  settled(): void {
    this.following = true;
    // A change may have come after that rule set was built: one more sync (no write when nothing changed).
    if (this.firstChange) {
      this.firstChange = 0;
      this.changed();
    }
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.following = false;
    this.o.clock.clearTimeout(this.timer);
    this.o.clock.clearTimeout(this.resyncTimer);
    await this.syncing?.catch(() => undefined);
  }

  changed(): void {
    if (!this.running) return;
    if (!this.firstChange) this.firstChange = this.o.clock.now();
    if (!this.following || this.timer !== undefined) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      void this.sync(false);
    }, this.o.coalesceMs);
  }

  private scheduleResync(): void {
    this.resyncTimer = this.o.clock.setTimeout(() => {
      if (!this.running) return;
      void this.sync(true).finally(() => this.running && this.scheduleResync());
    }, this.o.resyncMs);
  }

  /** One sync at a time; changes during a sync run one more right after it. */
  sync(force: boolean): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.again = false;
        const since = this.firstChange;
        this.firstChange = 0;
        try {
          await this.o.apply(force);
          if (since) this.lastSyncDelayMs = this.o.clock.now() - since;
        } catch (e) {
          this.o.onError(e);
          if (this.running) this.o.clock.setTimeout(() => this.changed(), 1000);
        }
      } while (this.again && this.running);
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }
}
