// The garbage collector: deletes dependents whose owners are gone (ownerReferences), holds a
// foreground-deleted owner until its dependents are gone, and orphans dependents when asked.
// It watches the whole store, keeping an index of owner uid → dependent keys.
import { clone, type StoredObject } from '@wharf/api';
import type { Served } from '../registry.js';
import type { StoreEvent, Watcher } from '../storage/index.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { FOREGROUND, ORPHAN, deleteObject } from './delete.js';

export function servedOfKey(
  api: ObjectApi,
  key: string,
): { served: Served; namespace: string; name: string } | undefined {
  const parts = key.split('/');
  // ['', 'registry', group, resource, ns?, name]
  const group = parts[2] === 'core' ? '' : (parts[2] ?? '');
  const served = api.registry.anyVersion(group, parts[3] ?? '');
  if (!served) return undefined;
  const name = parts[parts.length - 1] ?? '';
  const namespace = served.info.namespaced ? (parts[4] ?? '') : '';
  return { served, namespace, name };
}

export class GarbageCollector {
  private readonly dependents = new Map<string, Set<string>>();
  private readonly uids = new Map<string, string>();
  private readonly pendingOwners = new Set<string>();
  private watcher: Watcher | undefined;
  private scheduled = false;

  constructor(private readonly api: ObjectApi) {}

  start(): void {
    for (const e of this.api.store.list('/registry/')) {
      this.index(e.key, e.object);
      if (e.object.metadata.deletionTimestamp) this.pendingOwners.add(e.key);
    }
    this.watcher = this.api.store.watch('/registry/', this.api.store.revision, (ev) => ev && this.onEvent(ev));
    this.schedule();
  }

  stop(): void {
    this.watcher?.stop();
  }

  private index(key: string, obj: StoredObject): void {
    this.uids.set(obj.metadata.uid, key);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(key);
    }
  }

  private unindex(obj: StoredObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const key = this.uids.get(obj.metadata.uid);
      if (key) this.dependents.get(ref.uid)?.delete(key);
    }
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.prevObject) this.unindex(ev.prevObject);
    if (ev.type === 'DELETED') {
      this.uids.delete(ev.object.metadata.uid);
      // Its dependents may now be orphans to delete; its owners may be waiting for it.
      this.pendingOwners.add(`uid:${ev.object.metadata.uid}`);
      for (const ref of ev.object.metadata.ownerReferences ?? []) {
        const ownerKey = this.uids.get(ref.uid);
        if (ownerKey) this.pendingOwners.add(ownerKey);
      }
    } else {
      this.index(ev.key, ev.object);
      if (ev.object.metadata.deletionTimestamp) this.pendingOwners.add(ev.key);
      // A new dependent of an owner already gone.
      for (const ref of ev.object.metadata.ownerReferences ?? [])
        if (!this.uids.has(ref.uid)) this.pendingOwners.add(`uid:${ref.uid}`);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const items = [...this.pendingOwners];
      this.pendingOwners.clear();
      void this.work(items);
    });
  }

  private async work(items: string[]): Promise<void> {
    for (const item of items) {
      try {
        if (item.startsWith('uid:')) await this.collectDependentsOf(item.slice(4));
        else await this.processDeleting(item);
      } catch {
        // A conflicting write raced us; the next event for the object brings it back.
      }
    }
  }

  /** Dependents of a vanished owner: delete those with no owner left, unlink the rest. */
  private async collectDependentsOf(uid: string): Promise<void> {
    if (this.uids.has(uid)) return;
    for (const key of [...(this.dependents.get(uid) ?? [])]) {
      const obj = this.api.store.get(key);
      const loc = servedOfKey(this.api, key);
      if (!obj || !loc) continue;
      const refs = obj.metadata.ownerReferences ?? [];
      const alive = refs.filter((r) => this.uids.has(r.uid));
      if (alive.length === 0) {
        if (!obj.metadata.deletionTimestamp)
          await deleteObject(
            this.api,
            loc.served,
            loc.namespace,
            loc.name,
            { propagationPolicy: 'Background' },
            internalContext(),
          );
      } else if (alive.length < refs.length) {
        const next = clone(obj);
        next.metadata.ownerReferences = alive;
        await this.api.update(loc.served, loc.namespace, loc.name, next, internalContext());
      }
    }
    if (!this.dependents.get(uid)?.size) this.dependents.delete(uid);
  }

  /** An owner marked for deletion with the orphan or foregroundDeletion finalizer. */
  private async processDeleting(key: string): Promise<void> {
    const owner = this.api.store.get(key);
    const loc = servedOfKey(this.api, key);
    if (!owner || !loc || !owner.metadata.deletionTimestamp) return;
    const finalizers = owner.metadata.finalizers ?? [];
    const deps = [...(this.dependents.get(owner.metadata.uid) ?? [])];
    if (finalizers.includes(ORPHAN)) {
      for (const depKey of deps) {
        const dep = this.api.store.get(depKey);
        const depLoc = servedOfKey(this.api, depKey);
        if (!dep || !depLoc) continue;
        const next = clone(dep);
        next.metadata.ownerReferences = (dep.metadata.ownerReferences ?? []).filter(
          (r) => r.uid !== owner.metadata.uid,
        );
        if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
        await this.api.update(depLoc.served, depLoc.namespace, depLoc.name, next, internalContext());
      }
      await this.removeFinalizer(key, ORPHAN);
    } else if (finalizers.includes(FOREGROUND)) {
      let blocking = 0;
      for (const depKey of deps) {
        const dep = this.api.store.get(depKey);
        const depLoc = servedOfKey(this.api, depKey);
        if (!dep || !depLoc) continue;
        const ref = (dep.metadata.ownerReferences ?? []).find((r) => r.uid === owner.metadata.uid);
        if (ref?.blockOwnerDeletion) blocking++;
        if (!dep.metadata.deletionTimestamp) {
          await deleteObject(
            this.api,
            depLoc.served,
            depLoc.namespace,
            depLoc.name,
            { propagationPolicy: 'Foreground' },
            internalContext(),
          );
        }
      }
      if (blocking === 0) await this.removeFinalizer(key, FOREGROUND);
    }
  }

  private async removeFinalizer(key: string, finalizer: string): Promise<void> {
    const obj = this.api.store.get(key);
    const loc = servedOfKey(this.api, key);
    if (!obj || !loc) return;
    const next = clone(obj);
    next.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await this.api.update(loc.served, loc.namespace, loc.name, next, internalContext());
  }
}
