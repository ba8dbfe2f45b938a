// Deletion with Kubernetes semantics: preconditions, propagation policies (Background, Foreground,
// Orphan) expressed as finalizers the garbage collector honours, deletionTimestamp for objects
// that cannot go at once, and namespaces entering Terminating.
import { clone, isRecord, type StoredObject } from '@wharf/api';
import { badRequest, conflict, notFound } from '../errors.js';
import type { Served } from '../registry.js';
import { strategyOf } from '../kinds/registry.js';
import type { ObjectApi } from './api.js';
import type { OpContext } from './context.js';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  /** DeleteOptions.dryRun (`["All"]`): kubectl sends it in the body, not the query. */
  dryRun?: boolean;
}

export interface DeleteResult {
  object: StoredObject;
  /** True when the object is gone; false when it waits for finalizers. */
  deleted: boolean;
}

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

/** Reads DeleteOptions from a request body (JSON) and query, rejecting unknown policies. */
export function deleteOptionsFrom(body: unknown, query: URLSearchParams): DeleteOptions {
  const b = isRecord(body) ? body : {};
  const opts: DeleteOptions = {};
  const policy =
    (typeof b.propagationPolicy === 'string' ? b.propagationPolicy : undefined) ??
    query.get('propagationPolicy') ??
    undefined;
  if (policy !== undefined) {
    if (policy !== 'Background' && policy !== 'Foreground' && policy !== 'Orphan') {
      throw badRequest(
        `propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    opts.propagationPolicy = policy;
  }
  const orphan =
    typeof b.orphanDependents === 'boolean'
      ? b.orphanDependents
      : query.get('orphanDependents') === 'true'
        ? true
        : undefined;
  if (orphan !== undefined) opts.orphanDependents = orphan;
  const grace =
    typeof b.gracePeriodSeconds === 'number'
      ? b.gracePeriodSeconds
      : query.has('gracePeriodSeconds')
        ? Number(query.get('gracePeriodSeconds'))
        : undefined;
  if (grace !== undefined && Number.isFinite(grace)) opts.gracePeriodSeconds = grace;
  if (b.dryRun !== undefined && b.dryRun !== null) {
    const values: unknown[] = Array.isArray(b.dryRun) ? b.dryRun : [b.dryRun];
    for (const v of values)
      if (v !== 'All') throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
    if (values.length) opts.dryRun = true;
  }
  if (isRecord(b.preconditions)) {
    const p = b.preconditions;
    opts.preconditions = {
      ...(typeof p.uid === 'string' ? { uid: p.uid } : {}),
      ...(typeof p.resourceVersion === 'string' ? { resourceVersion: p.resourceVersion } : {}),
    };
  }
  return opts;
}

export async function deleteObject(
  api: ObjectApi,
  served: Served,
  namespace: string,
  name: string,
  opts: DeleteOptions,
  asked: OpContext,
): Promise<DeleteResult> {
  // A dry run asked in the query or in the DeleteOptions body persists nothing.
  const ctx: OpContext = opts.dryRun && !asked.dryRun ? { ...asked, dryRun: true } : asked;
  const key = api.key(served, namespace, name);
  const old = api.store.get(key);
  if (!old) throw notFound(served.info.resource, served.info.group, name);
  const { info } = served;
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== old.metadata.uid) {
    throw conflict(
      info.resource,
      info.group,
      name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
    );
  }
  if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
    throw conflict(
      info.resource,
      info.group,
      name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
    );
  }
  const policy: PropagationPolicy = opts.propagationPolicy ?? (opts.orphanDependents ? 'Orphan' : 'Background');
  const finalizers = [...(old.metadata.finalizers ?? [])];
  if (policy === 'Foreground' && !finalizers.includes(FOREGROUND)) finalizers.push(FOREGROUND);
  if (policy === 'Orphan' && !finalizers.includes(ORPHAN)) finalizers.push(ORPHAN);
  const strategy = strategyOf(served);
  const waits = finalizers.length > 0 || strategy?.specFinalizers?.pending(old) === true;

  const grace = strategy?.gracePeriod?.(old, opts.gracePeriodSeconds);
  if (grace !== undefined && !ctx.dryRun) {
    if (grace > 0) {
      // The node agent stops the containers within the grace period, then deletes with 0.
      const due = old.metadata.deletionGracePeriodSeconds;
      if (old.metadata.deletionTimestamp && due !== undefined && due <= grace) return { object: old, deleted: false };
      const object = await api.markDeleting(served, key, old, (obj) => {
        obj.metadata.deletionGracePeriodSeconds = grace;
        if (finalizers.length) obj.metadata.finalizers = finalizers;
      });
      return { object, deleted: false };
    }
    if (finalizers.length === 0) {
      try {
        return { object: await api.store.delete(key, Number(old.metadata.resourceVersion)), deleted: true };
      } catch (e) {
        throw api.storeError(served, name, e);
      }
    }
  }
  if (ctx.dryRun) {
    const preview = clone(old);
    if (waits && !preview.metadata.deletionTimestamp) preview.metadata.deletionTimestamp = new Date().toISOString();
    return { object: preview, deleted: !waits };
  }
  if (old.metadata.deletionTimestamp) {
    // Already being deleted: only a newly asked propagation finalizer changes anything.
    const missing = finalizers.filter((f) => !(old.metadata.finalizers ?? []).includes(f));
    if (!missing.length) return { object: old, deleted: false };
  }
  if (!waits) {
    try {
      return { object: await api.store.delete(key, Number(old.metadata.resourceVersion)), deleted: true };
    } catch (e) {
      throw api.storeError(served, name, e);
    }
  }
  const object = await api.markDeleting(served, key, old, (obj) => {
    obj.metadata.finalizers = finalizers;
    obj.metadata.deletionGracePeriodSeconds = 0;
    strategy?.specFinalizers?.markDeleting(obj);
  });
  return { object, deleted: false };
}
