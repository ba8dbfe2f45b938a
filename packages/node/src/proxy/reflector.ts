// List + watch of one collection into a map keyed by namespace/name, calling `onChange` after
// every change. The watch resumes from the last resourceVersion; an ERROR event (410 Gone) or a
// failed stream re-lists.
import { ApiError, type KubeClient } from '../agent/kube-client.js';

interface Named {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly resourceVersion?: string };
}

export interface ReflectorOptions {
  readonly client: KubeClient;
  /** Collection path, e.g. `/api/v1/services`. */
  readonly path: string;
  readonly onChange: () => void;
  readonly log: (msg: string, err?: unknown) => void;
  /** Waits between failed attempts. */
  readonly sleep: (ms: number) => Promise<void>;
}

export class Reflector<T extends Named> {
  private readonly items = new Map<string, T>();
  private resourceVersion = '';
  private stopped = false;
  private watch: { abort(): void } | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: ReflectorOptions) {}

  values(): IterableIterator<T> {
    return this.items.values();
  }

  /** Lists once (rejects when the API is unreachable), then keeps watching in the background. */
  async start(): Promise<void> {
    await this.list();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.abort();
    await this.loop;
  }

  private key(o: T): string {
    return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  }

  private async list(): Promise<void> {
    const list = await this.o.client.get<{ metadata: { resourceVersion: string }; items: T[] }>(this.o.path);
    this.items.clear();
    for (const o of list.items) this.items.set(this.key(o), o);
    this.resourceVersion = list.metadata.resourceVersion;
    this.o.onChange();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let relist = false;
      try {
        const handle = this.o.client.watch<T>(
          this.o.path,
          { resourceVersion: this.resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(240 + Math.floor(Math.random() * 60)) },
          (e) => {
            if (e.type === 'ERROR') {
              relist = true;
              return;
            }
            const rv = e.object.metadata?.resourceVersion;
            if (rv) this.resourceVersion = rv;
            if (e.type === 'BOOKMARK') return;
            if (e.type === 'DELETED') this.items.delete(this.key(e.object));
            else this.items.set(this.key(e.object), e.object);
            this.o.onChange();
          },
        );
        this.watch = handle;
        await handle.done;
      } catch (e) {
        if (this.stopped) return;
        relist = true;
        if (!(e instanceof ApiError && e.status === 410)) {
          this.o.log(`watch of ${this.o.path} failed`, e);
          await this.o.sleep(1000);
        }
      }
      while (relist && !this.stopped) {
        try {
          await this.list();
          relist = false;
        } catch (e) {
          this.o.log(`list of ${this.o.path} failed`, e);
          await this.o.sleep(1000);
        }
      }
    }
  }
}
