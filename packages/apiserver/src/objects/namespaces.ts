// Namespace lifecycle: a namespace being deleted has everything in it deleted, and once it is
// empty its "kubernetes" finalizer is removed so the namespace itself goes away. Driven by store
// events: a namespace is drained again when something in it is created or finally deleted.
import { clone, isRecord } from '@wharf/api';
import type { StoreEvent, Watcher } from '../storage/index.js';
import { namespacePrefix, objectKey } from '../storage/index.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { deleteObject } from './delete.js';
import { KeyQueue, keyNamespace } from './key-queue.js';

const NAMESPACES = '/registry/core/namespaces/';

export class NamespaceController {
  private watcher: Watcher | undefined;
  /** Namespaces being deleted: an object created in or deleted from one is a reason to drain it again. */
  private readonly terminating = new Set<string>();
  private readonly queue = new KeyQueue((ns) => this.sync(ns));

  constructor(private readonly api: ObjectApi) {}

  start(): void {
    this.watcher = this.api.store.watch('/registry/', this.api.store.revision, (ev) => ev && this.onEvent(ev));
    for (const e of this.api.store.list(NAMESPACES))
      if (e.object.metadata.deletionTimestamp) this.markTerminating(e.object.metadata.name);
  }

  stop(): void {
    this.watcher?.stop();
    this.queue.stop();
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.key.startsWith(NAMESPACES)) {
      if (ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp) this.markTerminating(ev.object.metadata.name);
      return;
    }
    const ns = keyNamespace(ev.key);
    if (ev.type !== 'MODIFIED' && this.terminating.has(ns)) this.queue.add(ns);
  }

  private markTerminating(ns: string): void {
    this.terminating.add(ns);
    this.queue.add(ns);
  }

  private async sync(ns: string): Promise<void> {
    if (await this.drain(ns)) this.terminating.delete(ns);
  }

  /** Deletes what is left in the namespace; true once the namespace is finalized or gone. */
  private async drain(ns: string): Promise<boolean> {
    const nsServed = this.api.registry.lookup('', 'v1', 'namespaces');
    if (!nsServed) return true;
    const nsObj = this.api.store.get(objectKey('', 'namespaces', undefined, ns));
    if (!nsObj || !nsObj.metadata.deletionTimestamp) return true;
    let remaining = 0;
    const seen = new Set<string>();
    for (const served of this.api.registry.all()) {
      const { group, resource, namespaced } = served.info;
      if (!namespaced || served.info.virtual || seen.has(`${group}/${resource}`)) continue;
      seen.add(`${group}/${resource}`);
      for (const e of this.api.store.list(namespacePrefix(group, resource, ns))) {
        remaining++;
        if (!e.object.metadata.deletionTimestamp) {
          await deleteObject(
            this.api,
            served,
            ns,
            e.object.metadata.name,
            { propagationPolicy: 'Background' },
            internalContext(),
          );
        }
      }
    }
    if (remaining > 0) return false;
    const next = clone(nsObj);
    if (isRecord(next.spec)) next.spec.finalizers = [];
    await this.api.update(nsServed, '', ns, next, internalContext(), 'finalize');
    return true;
  }
}
