// List + watch of one collection into an indexed cache, as client-go's reflector and informer do:
// the watch asks for bookmarks and resumes from the last resourceVersion; a 410 Gone (or any
// ERROR event) re-lists, reporting objects that vanished meanwhile as deletions; failures back
// off on the injected clock. Every list-and-watch loop of the project is one of these.
import type { KubernetesObject, V1LabelSelector } from '@kubernetes/client-node';
import { IndexedStore, keyOf, type IndexFunc, type ObjectCache } from './cache.js';
import { isStatus, type KubeClient, type WatchEvent, type WatchHandle } from './client.js';
import { realClock, type Clock } from './clock.js';

export type InformerEvent = 'add' | 'update' | 'delete';
export type Handler<T> = (type: InformerEvent, obj: T, old?: T) => void;

export interface InformerOptions<T = KubernetesObject> {
  readonly client: Pick<KubeClient, 'get' | 'watch'>;
  /** Collection path, e.g. `/api/v1/pods`. */
  readonly path: string;
  /** @default none */
  readonly fieldSelector?: string;
  /** @default none */
  readonly labelSelector?: string;
  /** @default realClock */
  readonly clock?: Clock;
  /** Server-side watch timeout; the watch then resumes. @default 240 to 300, at random */
  readonly watchTimeoutSeconds?: number;
  /** A list or watch failed (it is retried with backoff), or a handler threw. @default ignore */
  readonly onError?: (e: unknown) => void;
  /** A watch stream was opened. @default none */
  readonly onConnect?: () => void;
  /** A full list replaced the cache (the first one, and each after 410 Gone), after its events. @default none */
  readonly onResync?: (objects: readonly T[]) => void;
}

interface ListResult<T> {
  metadata?: { resourceVersion?: string };
  items?: T[];
}

export class Informer<T extends KubernetesObject> implements ObjectCache<T> {
  private readonly store = new IndexedStore<T>();
  private readonly handlers: Handler<T>[] = [];
  private readonly clock: Clock;
  private resourceVersion = '';
  private running = false;
  private isSynced = false;
  private watch: WatchHandle | undefined;
  private loop: Promise<void> | undefined;
  private retryTimer: unknown;
  private wake: (() => void) | undefined;
  /** Resolves after the first full list. */
  readonly synced: Promise<void>;
  private markSynced: () => void = () => {};

  constructor(private readonly opts: InformerOptions<T>) {
    this.clock = opts.clock ?? realClock;
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  /** Runs on every change, in order; handlers added before start() also see the first list as adds. */
  on(handler: Handler<T>): void {
    this.handlers.push(handler);
  }

  /** Stops calling a handler given to on() (an informer shared by a consumer that stops first). */
  off(handler: Handler<T>): void {
    const i = this.handlers.indexOf(handler);
    if (i >= 0) this.handlers.splice(i, 1);
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.store.addIndexer(name, fn);
  }

  get hasSynced(): boolean {
    return this.isSynced;
  }

  get size(): number {
    return this.store.size;
  }

  get(namespace: string, name: string): T | undefined {
    return this.store.get(namespace, name);
  }

  getByKey(key: string): T | undefined {
    return this.store.getByKey(key);
  }

  list(namespace?: string, selector?: V1LabelSelector): T[] {
    return this.store.list(namespace, selector);
  }

  byIndex(index: string, value: string): T[] {
    return this.store.byIndex(index, value);
  }

  /** Lists and watches in the background, retrying failures; `synced` resolves after the first list. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Lists once, rejecting if the API does not answer, then keeps watching in the background. */
  async startSynced(): Promise<void> {
    if (this.running) return this.synced;
    await this.relist();
    this.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.watch?.abort();
    this.clock.clearTimeout(this.retryTimer);
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!this.resourceVersion) await this.relist();
        await this.watchOnce();
        failures = 0;
      } catch (e) {
        if (!this.running) break;
        if (isStatus(e, 410)) {
          this.resourceVersion = '';
          continue;
        }
        this.opts.onError?.(e);
        failures++;
        await this.sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.wake = r;
      this.retryTimer = this.clock.setTimeout(r, ms);
    });
  }

  private async relist(): Promise<void> {
    const q = this.query();
    const list = await this.opts.client.get<ListResult<T>>(
      q.size ? `${this.opts.path}?${q.toString()}` : this.opts.path,
    );
    const seen = new Set<string>();
    for (const item of list.items ?? []) {
      const key = keyOf(item);
      seen.add(key);
      const old = this.store.getByKey(key);
      this.store.set(key, item);
      if (!old) this.emit('add', item);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) this.emit('update', item, old);
    }
    for (const key of [...this.store.keys()]) {
      if (seen.has(key)) continue;
      const old = this.store.getByKey(key)!;
      this.store.delete(key);
      this.emit('delete', old);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.isSynced = true;
    this.markSynced();
    try {
      this.opts.onResync?.(list.items ?? []);
    } catch (e) {
      this.opts.onError?.(e);
    }
  }

  private query(): URLSearchParams {
    const q = new URLSearchParams();
    if (this.opts.fieldSelector) q.set('fieldSelector', this.opts.fieldSelector);
    if (this.opts.labelSelector) q.set('labelSelector', this.opts.labelSelector);
    return q;
  }

  private async watchOnce(): Promise<void> {
    // Stopped while the list was in flight: no watch (stop() would wait for its timeout, minutes).
    if (!this.running) return;
    const timeout = this.opts.watchTimeoutSeconds ?? 240 + Math.floor(Math.random() * 60);
    const query = {
      ...Object.fromEntries(this.query()),
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeout),
    };
    let gone = false;
    const handle = this.opts.client.watch<T>(this.opts.path, query, (e) => {
      if (gone) return;
      if (e.type === 'ERROR') {
        // 410 Gone, or anything else the server could not stream: start again from a list.
        const status = e.object as { code?: number; message?: string };
        if (status.code !== 410)
          this.opts.onError?.(new Error(`watch ${this.opts.path}: ${status.code ?? ''} ${status.message ?? ''}`));
        gone = true;
        handle.abort();
        return;
      }
      this.apply(e);
    });
    this.watch = handle;
    this.opts.onConnect?.();
    await handle.done;
    this.watch = undefined;
    if (gone) this.resourceVersion = '';
  }

  private apply(e: WatchEvent<T>): void {
    const rv = e.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (e.type === 'BOOKMARK') return;
    const key = keyOf(e.object);
    const old = this.store.getByKey(key);
    if (e.type === 'DELETED') {
      this.store.delete(key);
      this.emit('delete', e.object);
      return;
    }
    this.store.set(key, e.object);
    this.emit(old ? 'update' : 'add', e.object, old);
  }

  private emit(type: InformerEvent, obj: T, old?: T): void {
    for (const h of this.handlers) {
      try {
        h(type, obj, old);
      } catch (e) {
        this.opts.onError?.(e);
      }
    }
  }
}

/** One informer per collection, shared by every controller of a manager. */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubernetesObject>>();

  constructor(private readonly base: Omit<InformerOptions, 'path' | 'onResync'>) {}

  for<T extends KubernetesObject>(path: string): Informer<T> {
    let inf = this.informers.get(path);
    if (!inf) {
      inf = new Informer<KubernetesObject>({ ...this.base, path });
      this.informers.set(path, inf);
    }
    return inf as unknown as Informer<T>;
  }

  start(): void {
    for (const i of this.informers.values()) i.start();
  }

  async synced(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.synced));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
