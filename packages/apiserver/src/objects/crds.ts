// The CustomResourceDefinition controller: accepts names, marks a CRD Established and starts
// serving its resources at once; on deletion removes every custom resource, then the CRD.
import { clone, isRecord, type StoredObject } from '@wharf/api';
import type { Watcher } from '../storage/index.js';
import { namespacePrefix } from '../storage/index.js';
import type { ObjectApi } from './api.js';
import { internalContext } from './context.js';
import { deleteObject } from './delete.js';
import { nowRfc3339 } from './lifecycle.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';
const CRD_PREFIX = '/registry/apiextensions.k8s.io/customresourcedefinitions/';

export class CrdController {
  private watcher: Watcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly api: ObjectApi) {}

  /** Serves the CRDs already stored (synchronously, before the API opens), then follows changes. */
  start(): void {
    for (const e of this.api.store.list(CRD_PREFIX)) this.api.registry.syncCrd(e.object, isEstablished(e.object));
    this.watcher = this.api.store.watch(CRD_PREFIX, this.api.store.revision, (ev) => {
      if (!ev) return;
      if (ev.type === 'DELETED') this.api.registry.syncCrd(ev.object, false);
      else setImmediate(() => this.reconcile(ev.key));
    });
    for (const e of this.api.store.list(CRD_PREFIX)) setImmediate(() => this.reconcile(e.key));
    this.timer = setInterval(() => {
      for (const e of this.api.store.list(CRD_PREFIX)) if (e.object.metadata.deletionTimestamp) this.reconcile(e.key);
    }, 1000);
    this.timer.unref();
  }

  stop(): void {
    this.watcher?.stop();
    if (this.timer) clearInterval(this.timer);
  }

  private reconcile(key: string): void {
    const crd = this.api.store.get(key);
    const served = this.api.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (!crd || !served) return;
    try {
      if (crd.metadata.deletionTimestamp) {
        this.cleanup(crd);
        return;
      }
      if (!(crd.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) {
        const next = clone(crd);
        next.metadata.finalizers = [...(crd.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER];
        this.api.update(served, '', crd.metadata.name, next, internalContext());
        return;
      }
      const spec = isRecord(crd.spec) ? crd.spec : {};
      const status = isRecord(crd.status) ? crd.status : {};
      const storage = (Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : []).filter((v) => v.storage === true).map((v) => String(v.name));
      const stored = Array.isArray(status.storedVersions) ? status.storedVersions.map(String) : [];
      const want = {
        acceptedNames: spec.names,
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
        ],
        storedVersions: [...new Set([...stored, ...storage])],
      };
      const same = JSON.stringify(status.acceptedNames) === JSON.stringify(want.acceptedNames) && isEstablished(crd) &&
        JSON.stringify(status.storedVersions) === JSON.stringify(want.storedVersions);
      if (!same) {
        const now = nowRfc3339(this.api.clock);
        const next = clone(crd);
        next.status = { ...want, conditions: want.conditions.map((c) => ({ ...c, lastTransitionTime: now })) };
        const updated = this.api.update(served, '', crd.metadata.name, next, internalContext(), 'status');
        this.api.registry.syncCrd(updated, true);
      } else {
        this.api.registry.syncCrd(crd, true);
      }
    } catch {
      // A newer write will bring us back here.
    }
  }

  private cleanup(crd: StoredObject): void {
    const spec = isRecord(crd.spec) ? crd.spec : {};
    const names = isRecord(spec.names) ? spec.names : {};
    const group = String(spec.group ?? '');
    const plural = String(names.plural ?? '');
    const served = this.api.registry.anyVersion(group, plural);
    let remaining = 0;
    if (served) {
      for (const e of this.api.store.list(namespacePrefix(group, plural, undefined))) {
        remaining++;
        if (!e.object.metadata.deletionTimestamp) {
          deleteObject(this.api, served, e.object.metadata.namespace ?? '', e.object.metadata.name, {}, internalContext());
        }
      }
    }
    if (remaining > 0) return;
    const crdServed = this.api.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (!crdServed) return;
    const next = clone(crd);
    next.metadata.finalizers = (crd.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
    this.api.update(crdServed, '', crd.metadata.name, next, internalContext());
  }
}

function isEstablished(crd: StoredObject): boolean {
  const conds = isRecord(crd.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions : [];
  return conds.some((c) => isRecord(c) && c.type === 'Established' && c.status === 'True');
}
