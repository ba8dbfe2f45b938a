// Keeps each ResourceQuota's status.hard and status.used current, as kube-controller-manager's
// resource quota controller does: a change to anything a namespace's quotas count schedules a
// debounced recount of that namespace, and a pod being deleted schedules one for the moment its
// grace period runs out (it stops counting then). Status is written only when it changed.
import { isRecord, type StoredObject } from '@wharf/api';
import type { StoreEvent, Watcher } from '../storage/index.js';
import { namespacePrefix } from '../storage/index.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { KeyQueue } from './key-queue.js';
import { hardKeys, podCountsTowardQuota, quotaUsage, trackedResources } from './quota-usage.js';
import { show } from './resources.js';

export interface ResourceQuotaControllerOptions {
  /** Delay between a change and the recount of its namespace. @default 100 */
  readonly debounceMs?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** "core/pods" style ids, as the store keys spell groups. */
const storeId = (group: string, resource: string): string => `${group || 'core'}/${resource}`;

export class ResourceQuotaController {
  private watcher: Watcher | undefined;
  /** Namespaces with quotas, and the resources their quotas count. */
  private readonly tracked = new Map<string, Set<string>>();
  private readonly queue: KeyQueue;

  constructor(
    private readonly api: ObjectApi,
    private readonly opts: ResourceQuotaControllerOptions = {},
  ) {
    this.queue = new KeyQueue((ns) => this.syncNamespace(ns), { delayMs: opts.debounceMs ?? 100 });
  }

  start(): void {
    for (const e of this.api.store.list('/registry/core/resourcequotas/'))
      this.queue.add(e.object.metadata.namespace ?? '');
    this.watcher = this.api.store.watch('/registry/', this.api.store.revision, (ev) => {
      if (ev) this.onEvent(ev);
    });
  }

  stop(): void {
    this.watcher?.stop();
    this.queue.stop();
  }

  /** Recounts the quotas of the namespaces changed since the last flush (tests call it directly). */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  private onEvent(ev: StoreEvent): void {
    // /registry/<group>/<resource>/<namespace>/<name>
    const [, , group, resource, ns] = ev.key.split('/');
    if (!group || !resource || !ns || ev.key.split('/').length < 6) return;
    if (group === 'core' && resource === 'resourcequotas') {
      // Our own status writes change nothing the recount reads; skip them.
      if (
        ev.type === 'MODIFIED' &&
        ev.prevObject &&
        JSON.stringify(ev.prevObject.spec) === JSON.stringify(ev.object.spec)
      )
        return;
      this.queue.add(ns);
    } else if (this.tracked.get(ns)?.has(`${group}/${resource}`)) {
      this.queue.add(ns);
    }
  }

  private async syncNamespace(ns: string): Promise<void> {
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
      await this.api.update(served, ns, q.metadata.name, { ...q, status }, internalContext(), 'status');
    }
    if (resources.has(storeId('', 'pods'))) this.recountAtNextGraceDeadline(ns, now);
  }

  /** A pod being deleted stops counting when its grace period runs out: recount then. */
  private recountAtNextGraceDeadline(ns: string, now: Date): void {
    let next = Infinity;
    for (const e of this.api.store.list(namespacePrefix('', 'pods', ns))) {
      const { deletionTimestamp, deletionGracePeriodSeconds } = e.object.metadata;
      if (!deletionTimestamp || deletionGracePeriodSeconds === undefined || !podCountsTowardQuota(e.object, now))
        continue;
      next = Math.min(next, Date.parse(deletionTimestamp) + deletionGracePeriodSeconds * 1000);
    }
    if (next !== Infinity) this.queue.addAfter(ns, Math.max(0, next - now.getTime()) + 1);
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
