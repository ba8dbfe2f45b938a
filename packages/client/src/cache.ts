// The read side of an informer: the latest object per key, indexed by namespace and by any
// indexer a controller adds ("pods by owner UID", "pods by node"), so a sync reads the few
// objects it needs instead of filtering every object in the cluster, as client-go's listers do.
import type { KubernetesObject, V1LabelSelector } from '@kubernetes/client-node';
import { matchesSelector } from '@wharf/api';

/** The values an object is found under in one index (none: not in this index). */
export type IndexFunc<T> = (obj: T) => readonly string[];

/** Read access to an informer's objects. Objects are shared, not copies: do not modify them. */
export interface ObjectCache<T> {
  /** A namespaced object, or a cluster-scoped one with namespace ''. */
  get(namespace: string, name: string): T | undefined;
  /** By key: `namespace/name`, or `name` for cluster-scoped objects. */
  getByKey(key: string): T | undefined;
  /** All objects, or those of one namespace; with a selector, only those it matches. */
  list(namespace?: string, selector?: V1LabelSelector): T[];
  /** The objects an indexer put under `value`. Throws for an index nobody added. */
  byIndex(index: string, value: string): T[];
  readonly size: number;
}

export const NAMESPACE_INDEX = 'namespace';
/** Index of ownerUidIndex: objects by their controller's UID. */
export const OWNER_UID_INDEX = 'ownerUid';
/** Index of orphanIndex: objects without a controller, by namespace. */
export const ORPHAN_INDEX = 'orphans';
/** Index of nodeNameIndex: pods by the node they are bound to. */
export const NODE_NAME_INDEX = 'nodeName';

export function keyOf(o: KubernetesObject): string {
  const ns = o.metadata?.namespace;
  return ns ? `${ns}/${o.metadata?.name ?? ''}` : (o.metadata?.name ?? '');
}

/** The UID of the object's controller (its ownerReference with controller: true). */
export function ownerUidIndex(o: KubernetesObject): string[] {
  const uid = o.metadata?.ownerReferences?.find((r) => r.controller === true)?.uid;
  return uid ? [uid] : [];
}

/** The namespace of an object without a controller (one a controller may adopt). */
export function orphanIndex(o: KubernetesObject): string[] {
  return o.metadata?.ownerReferences?.some((r) => r.controller === true) ? [] : [o.metadata?.namespace ?? ''];
}

/** The node a pod is bound to. */
export function nodeNameIndex(o: { spec?: { nodeName?: string } }): string[] {
  const n = o.spec?.nodeName;
  return n ? [n] : [];
}

export class IndexedStore<T extends KubernetesObject> implements ObjectCache<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndexer(NAMESPACE_INDEX, (o) => [o.metadata?.namespace ?? '']);
  }

  /** Adds an index (a no-op when one of that name exists), built over the objects already held. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) return;
    this.indexers.set(name, fn);
    this.indices.set(name, new Map());
    for (const [key, obj] of this.items) this.index(name, fn, key, obj);
  }

  get size(): number {
    return this.items.size;
  }

  get(namespace: string, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  list(namespace?: string, selector?: V1LabelSelector): T[] {
    const all = namespace === undefined ? [...this.items.values()] : this.byIndex(NAMESPACE_INDEX, namespace);
    return selector ? all.filter((o) => matchesSelector(selector, o.metadata?.labels)) : all;
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.indices.get(index);
    if (!idx) throw new Error(`no index '${index}': add it with addIndexer before reading it`);
    const out: T[] = [];
    for (const key of idx.get(value) ?? []) {
      const o = this.items.get(key);
      if (o) out.push(o);
    }
    return out;
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  set(key: string, obj: T): void {
    const old = this.items.get(key);
    if (old) this.unindexAll(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.index(name, fn, key, obj);
  }

  delete(key: string): void {
    const old = this.items.get(key);
    if (!old) return;
    this.unindexAll(key, old);
    this.items.delete(key);
  }

  private index(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const idx = this.indices.get(name)!;
    for (const v of fn(obj)) {
      let keys = idx.get(v);
      if (!keys) idx.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindexAll(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const keys = idx.get(v);
        keys?.delete(key);
        if (keys?.size === 0) idx.delete(v);
      }
    }
  }
}
