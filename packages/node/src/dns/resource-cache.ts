// A list+watch cache of one resource across all namespaces, for the host-side services of a node
// (cluster DNS, the ingress gateway): the latest object per namespace/name and a callback after
// every change. Watches resume from the last resourceVersion; a 410 or ERROR event relists.
import { ApiError, type KubeClient, type WatchHandle } from '../agent/kube-client.js';

export interface ResourceCacheOptions {
  readonly client: KubeClient;
  /** Collection path, e.g. `/api/v1/services`. */
  readonly path: string;
  /** Extra list/watch query, e.g. `{ fieldSelector: 'type=kubernetes.io/tls' }`. @default none */
  readonly query?: Readonly<Record<string, string>>;
  /** Runs after the initial list and after every change. */
  readonly onChange: () => void;
  readonly log: (message: string, error?: unknown) => void;
}

interface Meta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export class ResourceCache<T extends Meta> {
  private readonly items = new Map<string, T>();
  private resourceVersion = '';
  private stopped = true;
  private watch: WatchHandle | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: ResourceCacheOptions) {}

  /** The cached objects (no copies: do not modify). */
  list(): T[] {
    return [...this.items.values()];
  }

  get(namespace: string, name: string): T | undefined {
    return this.items.get(`${namespace}/${name}`);
  }

  /** Lists once (so the cache is filled when this resolves), then keeps watching. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.relist();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.abort();
    await this.loop?.catch(() => undefined);
  }

  private query(extra: Record<string, string> = {}): string {
    const qs = new URLSearchParams({ ...this.o.query, ...extra }).toString();
    return qs ? `${this.o.path}?${qs}` : this.o.path;
  }

  private async relist(): Promise<void> {
    const list = await this.o.client.get<{ metadata: { resourceVersion: string }; items: T[] }>(this.query());
    this.items.clear();
    for (const item of list.items) this.items.set(key(item), item);
    this.resourceVersion = list.metadata.resourceVersion;
    this.o.onChange();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let relist = false;
      try {
        this.watch = this.o.client.watch<T>(
          this.o.path,
          { ...this.o.query, resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(240 + Math.floor(Math.random() * 60)) },
          (e) => {
            if (e.type === 'ERROR') {
              relist = true;
              return;
            }
            const rv = e.object.metadata?.resourceVersion;
            if (rv) this.resourceVersion = rv;
            if (e.type === 'BOOKMARK') return;
            if (e.type === 'DELETED') this.items.delete(key(e.object));
            else this.items.set(key(e.object), e.object);
            this.o.onChange();
          },
        );
        await this.watch.done;
      } catch (e) {
        if (this.stopped) return;
        relist = true;
        if (!(e instanceof ApiError && e.status === 410)) {
          this.o.log(`watch of ${this.o.path} failed`, e);
          await sleep(1000);
        }
      }
      while (relist && !this.stopped) {
        try {
          await this.relist();
          relist = false;
        } catch (e) {
          this.o.log(`list of ${this.o.path} failed`, e);
          await sleep(1000);
        }
      }
    }
  }
}

function key(o: Meta): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
