// The CustomResourceDefinition controller: accepts names, marks a CRD Established and starts
// serving its resources at once; on deletion removes every custom resource, then the CRD (again
// each time one of them is finally deleted, rather than on a timer).
import { clone, isRecord, type KubeObject, type StoredObject } from '@wharf/api';
import type { Watcher } from '../storage/index.js';
import { namespacePrefix } from '../storage/index.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { deleteObject } from './delete.js';
import { KeyQueue } from './key-queue.js';
import { nowRfc3339 } from './lifecycle.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const CRD_PREFIX = '/registry/apiextensions.k8s.io/customresourcedefinitions/';

export class CrdController {
  private watcher: Watcher | undefined;
  private crdWatcher: Watcher | undefined;
  /** CRDs being deleted, by the store prefix of their custom resources. */
  private readonly cleaning = new Map<string, string>();
  private readonly queue = new KeyQueue((key) => this.reconcile(key));

  constructor(private readonly api: ObjectApi) {}

  /** Serves the CRDs already stored (synchronously, before the API opens), then follows changes. */
  start(): void {
    for (const e of this.api.store.list(CRD_PREFIX)) this.api.registry.syncCrd(e.object, isEstablished(e.object));
    this.crdWatcher = this.api.store.watch(CRD_PREFIX, this.api.store.revision, (ev) => {
      if (!ev) return;
      if (ev.type === 'DELETED') {
        this.cleaning.delete(resourcesPrefix(ev.object));
        this.api.registry.syncCrd(ev.object, false);
      } else this.queue.add(ev.key);
    });
    // A custom resource of a CRD being deleted going away may let the CRD go.
    this.watcher = this.api.store.watch('/registry/', this.api.store.revision, (ev) => {
      if (ev?.type !== 'DELETED' || !this.cleaning.size) return;
      for (const [prefix, crdKey] of this.cleaning) if (ev.key.startsWith(prefix)) this.queue.add(crdKey);
    });
    for (const e of this.api.store.list(CRD_PREFIX)) this.queue.add(e.key);
  }

  stop(): void {
    this.crdWatcher?.stop();
    this.watcher?.stop();
    this.queue.stop();
  }

  private async reconcile(key: string): Promise<void> {
    const crd = this.api.store.get(key);
    const served = this.api.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (!crd || !served) return;
    try {
      if (crd.metadata.deletionTimestamp) {
        this.cleaning.set(resourcesPrefix(crd), key);
        await this.cleanup(crd);
        return;
      }
      if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) {
        const next = clone(crd);
        next.metadata.finalizers = [...(crd.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER];
        await this.api.update(served, '', crd.metadata.name, next, internalContext());
        return;
      }
      const spec = isRecord(crd.spec) ? crd.spec : {};
      const status = isRecord(crd.status) ? crd.status : {};
      const storage = (Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [])
        .filter((v) => v.storage === true)
        .map((v) => String(v.name));
      const stored = Array.isArray(status.storedVersions) ? status.storedVersions.map(String) : [];
      const want = {
        acceptedNames: spec.names,
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
          {
            type: 'Established',
            status: 'True',
            reason: 'InitialNamesAccepted',
            message: 'the initial names have been accepted',
          },
        ],
        storedVersions: [...new Set([...stored, ...storage])],
      };
      const same =
        JSON.stringify(status.acceptedNames) === JSON.stringify(want.acceptedNames) &&
        isEstablished(crd) &&
        JSON.stringify(status.storedVersions) === JSON.stringify(want.storedVersions);
      if (!same) {
        const now = nowRfc3339(this.api.clock);
        const next = clone(crd);
        next.status = { ...want, conditions: want.conditions.map((c) => ({ ...c, lastTransitionTime: now })) };
        const updated = await this.api.update(served, '', crd.metadata.name, next, internalContext(), 'status');
        this.api.registry.syncCrd(updated, true);
      } else {
        this.api.registry.syncCrd(crd, true);
      }
    } catch (e) {
      // A cleanup that failed is retried by the queue; otherwise a newer write brings us back.
      if (crd.metadata.deletionTimestamp) throw e;
    }
  }

  private async cleanup(crd: StoredObject): Promise<void> {
    const { group, plural } = crdResource(crd);
    const served = this.api.registry.anyVersion(group, plural);
    let remaining = 0;
    if (served) {
      for (const e of this.api.store.list(namespacePrefix(group, plural, undefined))) {
        remaining++;
        if (!e.object.metadata.deletionTimestamp) {
          await deleteObject(
            this.api,
            served,
            e.object.metadata.namespace ?? '',
            e.object.metadata.name,
            {},
            internalContext(),
          );
        }
      }
    }
    if (remaining > 0) return;
    const crdServed = this.api.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (!crdServed) return;
    const next = clone(crd);
    next.metadata.finalizers = (crd.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
    await this.api.update(crdServed, '', crd.metadata.name, next, internalContext());
  }
}

function crdResource(crd: KubeObject): { group: string; plural: string } {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  return { group: String(spec.group ?? ''), plural: String(names.plural ?? '') };
}

/** The store prefix of a CRD's custom resources. */
function resourcesPrefix(crd: KubeObject): string {
  const { group, plural } = crdResource(crd);
  return namespacePrefix(group, plural, undefined);
}

function isEstablished(crd: StoredObject): boolean {
  const conds = isRecord(crd.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions : [];
  return conds.some((c) => isRecord(c) && c.type === 'Established' && c.status === 'True');
}
