// The work queue of the API server's built-in controllers (CRDs, namespaces, quota), fed by store
// watch events instead of periodic rescans: a key is queued once however many events name it,
// synced after a short delay, and a sync that throws comes back after a per-key exponential
// back-off. The API server may import only @wharf/api, and its syncs are calls into the object API
// (asynchronous: a write resolves once stored), so this is the small in-process sibling of @wharf/client's WorkQueue.

export interface KeyQueueOptions {
  /** Wait between the first add of a batch and its sync (0: the next turn of the event loop). @default 0 */
  readonly delayMs?: number;
  /** First retry delay after a failed sync. @default 5 */
  readonly baseDelayMs?: number;
  /** @default 30000 */
  readonly maxDelayMs?: number;
}

export class KeyQueue {
  private readonly pending = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private batch: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private stopped = false;

  /** `sync` handles one key; throwing (or rejecting) retries it after the back-off. */
  constructor(
    private readonly sync: (key: string) => void | Promise<void>,
    private readonly opts: KeyQueueOptions = {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (this.batch) return;
    const delay = this.opts.delayMs ?? 0;
    const flush = (): void => void this.flush();
    this.batch = delay > 0 ? setTimeout(flush, delay).unref() : setImmediate(flush);
  }

  /** Adds the key after `ms` (a deadline the key's state depends on); an earlier pending one wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + ms;
    const prev = this.delayed.get(key);
    if (prev && prev.at <= at) return;
    if (prev) clearTimeout(prev.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms).unref();
    this.delayed.set(key, { at, timer });
  }

  /** Syncs every pending key now, one after another (tests call it instead of waiting for the delay). */
  async flush(): Promise<void> {
    if (this.batch) {
      clearTimeout(this.batch as NodeJS.Timeout);
      clearImmediate(this.batch as NodeJS.Immediate);
      this.batch = undefined;
    }
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      try {
        await this.sync(key);
        this.failures.delete(key);
      } catch {
        // A conflicting write or a state that moved meanwhile: try again after the back-off.
        const n = this.failures.get(key) ?? 0;
        this.failures.set(key, n + 1);
        this.addAfter(key, Math.min(this.opts.maxDelayMs ?? 30_000, (this.opts.baseDelayMs ?? 5) * 2 ** n));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.batch) {
      clearTimeout(this.batch as NodeJS.Timeout);
      clearImmediate(this.batch as NodeJS.Immediate);
    }
    for (const d of this.delayed.values()) clearTimeout(d.timer);
    this.delayed.clear();
    this.pending.clear();
  }
}

/** The namespace of a store key (/registry/<group>/<resource>/<namespace>/<name>), '' if cluster-scoped. */
export function keyNamespace(key: string): string {
  const parts = key.split('/');
  return parts.length >= 6 ? (parts[4] ?? '') : '';
}
