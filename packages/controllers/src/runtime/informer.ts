// List + watch of one resource into an in-memory store, as client-go's reflector does: the
// watch resumes from the last resourceVersion (bookmarks included) and a 410 Gone re-lists,
// reporting objects that vanished meanwhile as deletions.
import type { KubernetesObject } from '@kubernetes/client-node';
import { isStatus, type KubeClient, type WatchEvent, type WatchHandle } from './client.js';
import { realClock, type Clock } from './clock.js';

export type InformerEvent = 'add' | 'update' | 'delete';
export type Handler<T> = (type: InformerEvent, obj: T, old?: T) => void;

export interface InformerOptions {
  readonly client: KubeClient;
  /** Collection path, e.g. `/api/v1/pods`. */
  readonly path: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
  /** @default realClock */
  readonly clock?: Clock;
  /** Server-side watch timeout. @default 300 */
  readonly watchTimeoutSeconds?: number;
  readonly onError?: (e: unknown) => void;
}

interface ListResult<T> {
  metadata?: { resourceVersion?: string };
  items?: T[];
}

export function keyOf(o: KubernetesObject): string {
  const ns = o.metadata?.namespace;
  return ns ? `${ns}/${o.metadata?.name ?? ''}` : (o.metadata?.name ?? '');
}

export class Informer<T extends KubernetesObject> {
  private readonly store = new Map<string, T>();
  private readonly handlers: Handler<T>[] = [];
  private resourceVersion = '';
  private running = false;
  private watch: WatchHandle | undefined;
  private loop: Promise<void> | undefined;
  private retryTimer: unknown;
  private wake: (() => void) | undefined;
  private readonly clock: Clock;
  readonly synced: Promise<void>;
  private markSynced: () => void = () => {};

  constructor(private readonly opts: InformerOptions) {
    this.clock = opts.clock ?? realClock;
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  on(handler: Handler<T>): void {
    this.handlers.push(handler);
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.watch?.abort();
    this.clock.clearTimeout(this.retryTimer);
    this.wake?.();
    await this.loop;
  }

  private query(extra: Record<string, string>): string {
    const q = new URLSearchParams(extra);
    if (this.opts.fieldSelector) q.set('fieldSelector', this.opts.fieldSelector);
    if (this.opts.labelSelector) q.set('labelSelector', this.opts.labelSelector);
    return `${this.opts.path}?${q.toString()}`;
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
    const list = await this.opts.client.get<ListResult<T>>(this.query({}));
    const seen = new Set<string>();
    for (const item of list.items ?? []) {
      const key = keyOf(item);
      seen.add(key);
      const old = this.store.get(key);
      this.store.set(key, item);
      if (!old) this.emit('add', item);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) this.emit('update', item, old);
    }
    for (const [key, old] of [...this.store]) {
      if (seen.has(key)) continue;
      this.store.delete(key);
      this.emit('delete', old);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.markSynced();
  }

  private async watchOnce(): Promise<void> {
    const timeout = this.opts.watchTimeoutSeconds ?? 300;
    const path = this.query({ watch: '1', resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(timeout) });
    let gone = false;
    this.watch = this.opts.client.watch<T>(path, (e) => {
      if (e.type === 'ERROR') {
        const code = (e.object as { code?: number }).code;
        if (code === 410) gone = true;
        return;
      }
      this.apply(e);
    }, (timeout + 30) * 1000);
    await this.watch.done;
    this.watch = undefined;
    if (gone) this.resourceVersion = '';
  }

  private apply(e: WatchEvent<T>): void {
    const rv = e.object.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (e.type === 'BOOKMARK') return;
    const key = keyOf(e.object);
    const old = this.store.get(key);
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

  constructor(private readonly base: Omit<InformerOptions, 'path'>) {}

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
