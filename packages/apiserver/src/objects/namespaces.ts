// Namespace lifecycle: a namespace being deleted has everything in it deleted, and once it is
// empty its "kubernetes" finalizer is removed so the namespace itself goes away.
import { clone, isRecord } from '@wharf/api';
import type { Watcher } from '../storage/index.js';
import { namespacePrefix, objectKey } from '../storage/index.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { deleteObject } from './delete.js';

export interface NamespaceControllerOptions {
  /** How often terminating namespaces are re-checked. @default 500 */
  readonly resyncMs?: number;
}

export class NamespaceController {
  private watcher: Watcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly terminating = new Set<string>();

  constructor(private readonly api: ObjectApi, private readonly opts: NamespaceControllerOptions = {}) {}

  start(): void {
    for (const e of this.api.store.list('/registry/core/namespaces/')) if (e.object.metadata.deletionTimestamp) this.terminating.add(e.object.metadata.name);
    this.watcher = this.api.store.watch('/registry/core/namespaces/', this.api.store.revision, (ev) => {
      if (ev && ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp) {
        this.terminating.add(ev.object.metadata.name);
        setImmediate(() => this.sync());
      }
    });
    this.timer = setInterval(() => this.sync(), this.opts.resyncMs ?? 500);
    this.timer.unref();
  }

  stop(): void {
    this.watcher?.stop();
    if (this.timer) clearInterval(this.timer);
  }

  private sync(): void {
    for (const ns of [...this.terminating]) {
      try {
        if (this.drain(ns)) this.terminating.delete(ns);
      } catch {
        // Retried on the next tick.
      }
    }
  }

  /** Deletes what is left in the namespace; true once the namespace is finalized or gone. */
  private drain(ns: string): boolean {
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
          deleteObject(this.api, served, ns, e.object.metadata.name, { propagationPolicy: 'Background' }, internalContext());
        }
      }
    }
    if (remaining > 0) return false;
    const next = clone(nsObj);
    if (isRecord(next.spec)) next.spec.finalizers = [];
    this.api.update(nsServed, '', ns, next, internalContext(), 'finalize');
    return true;
  }
}
