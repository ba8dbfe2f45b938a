// Keeps each ResourceQuota's status.hard and status.used current, as kube-controller-manager's
// resource quota controller does: a change to anything a namespace's quotas count schedules a
// debounced recount of that namespace, and a periodic resync catches pods whose deletion grace
// period ran out. Status is written only when it changed.
import { isRecord, type StoredObject } from '@wharf/api';
import type { StoreEvent, Watcher } from '../storage/index.js';
import { namespacePrefix } from '../storage/index.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { hardKeys, quotaUsage, trackedResources } from './quota-usage.js';
import { show } from './resources.js';

export interface ResourceQuotaControllerOptions {
  /** Delay between a change and the recount of its namespace. @default 100 */
  readonly debounceMs?: number;
  /** Interval of a full recount of every namespace with quotas. @default 15000 */
  readonly resyncMs?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** "core/pods" style ids, as the store keys spell groups. */
const storeId = (group: string, resource: string): string => `${group || 'core'}/${resource}`;

export class ResourceQuotaController {
  private watcher: Watcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  /** Namespaces with quotas, and the resources their quotas count. */
  private readonly tracked = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();

  constructor(private readonly api: ObjectApi, private readonly opts: ResourceQuotaControllerOptions = {}) {}

  start(): void {
    for (const e of this.api.store.list('/registry/core/resourcequotas/')) this.markDirty(e.object.metadata.namespace ?? '');
    this.watcher = this.api.store.watch('/registry/', this.api.store.revision, (ev) => {
      if (ev) this.onEvent(ev);
    });
    this.resync = setInterval(() => {
      for (const ns of this.tracked.keys()) this.markDirty(ns);
    }, this.opts.resyncMs ?? 15_000);
    this.resync.unref();
    this.schedule();
  }

  stop(): void {
    this.watcher?.stop();
    if (this.debounce) clearTimeout(this.debounce);
    if (this.resync) clearInterval(this.resync);
    this.debounce = undefined;
  }

  /** Recounts the quotas of the namespaces changed since the last flush (tests call it directly). */
  flush(): void {
    this.debounce = undefined;
    const namespaces = [...this.dirty];
    this.dirty.clear();
    for (const ns of namespaces) {
      try {
        this.syncNamespace(ns);
      } catch {
        // A conflicting write (or a quota deleted meanwhile): recount on the next round.
        this.markDirty(ns);
      }
    }
  }

  private onEvent(ev: StoreEvent): void {
    // /registry/<group>/<resource>/<namespace>/<name>
    const [, , group, resource, ns] = ev.key.split('/');
    if (!group || !resource || !ns || ev.key.split('/').length < 6) return;
    if (group === 'core' && resource === 'resourcequotas') {
      // Our own status writes change nothing the recount reads; skip them.
      if (ev.type === 'MODIFIED' && ev.prevObject && JSON.stringify(ev.prevObject.spec) === JSON.stringify(ev.object.spec)) return;
      this.markDirty(ns);
    } else if (this.tracked.get(ns)?.has(`${group}/${resource}`)) {
      this.markDirty(ns);
    }
  }

  private markDirty(ns: string): void {
    this.dirty.add(ns);
    this.schedule();
  }

  private schedule(): void {
    if (this.debounce || !this.dirty.size) return;
    this.debounce = setTimeout(() => this.flush(), this.opts.debounceMs ?? 100);
    this.debounce.unref();
  }

  private syncNamespace(ns: string): void {
    const quotas = this.api.store.list(namespacePrefix('', 'resourcequotas', ns)).map((e) => e.object);
    if (!quotas.length) {
      this.tracked.delete(ns);
      return;
    }
    const resources = new Set<string>();
    for (const q of quotas) for (const gr of trackedResources(q)) resources.add(storeId(gr.group, gr.resource));
    this.tracked.set(ns, resources);
    const served = this.api.registry.lookup('', 'v1', 'resourcequotas');
    if (!served) return;
    const now = (this.opts.clock ?? (() => new Date()))();
    for (const q of quotas) {
      const status = this.statusOf(q, now);
      if (JSON.stringify(status) === JSON.stringify(q.status ?? {})) continue;
      this.api.update(served, ns, q.metadata.name, { ...q, status }, internalContext(), 'status');
    }
  }

  /** The status a quota should have: hard as the spec says, used counted now. */
  private statusOf(q: StoredObject, now: Date): { hard: Record<string, unknown>; used: Record<string, string> } {
    const specHard = isRecord(q.spec) && isRecord(q.spec.hard) ? q.spec.hard : {};
    const keys = hardKeys(q);
    const usage = quotaUsage(this.api.store, q, now, keys);
    const hard: Record<string, unknown> = {};
    const used: Record<string, string> = {};
    for (const k of keys) {
      hard[k] = specHard[k];
      used[k] = show(usage.get(k));
    }
    return { hard, used };
  }
}
