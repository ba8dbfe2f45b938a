// The metadata rules every write follows, as the real apiserver's generic registry applies them:
// server-owned fields on create, what an update may and may not change, generation bumps, and
// which part (main resource or status) a request is allowed to touch.
import { randomBytes, randomUUID } from 'node:crypto';
import { clone, isRecord, type KubeObject, type StoredObject } from '@wharf/api';
import type { Served } from '../registry.js';
import { strategyOf } from '../kinds/registry.js';

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character suffix generateName gets, from the same alphabet Kubernetes uses. */
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += alphanums[b % alphanums.length];
  return s;
}

export function nowRfc3339(clock: () => Date): string {
  return clock()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

export function hasStatus(served: Served): boolean {
  return served.custom ? served.custom.status : (served.info.subresources ?? []).includes('status');
}

/** Everything except metadata and status: what a spec change means for generation. */
function specPart(obj: KubeObject): string {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj))
    if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') rest[k] = v;
  return JSON.stringify(rest);
}

/** Fills server-owned metadata on a new object. Returns the object to store (a copy). */
export function prepareCreate(
  served: Served,
  input: KubeObject,
  namespace: string,
  clock: () => Date,
  revision: number,
): StoredObject {
  const obj = clone(input);
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  obj.metadata = meta;
  obj.apiVersion = served.info.group ? `${served.info.group}/${served.info.version}` : served.info.version;
  obj.kind = served.info.kind;
  if (typeof meta.uid !== 'string' || !meta.uid) meta.uid = randomUUID();
  meta.creationTimestamp = nowRfc3339(clock);
  meta.resourceVersion = String(revision);
  if (served.info.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (served.info.hasSpec || served.custom) meta.generation = 1;
  else delete meta.generation;
  const strategy = strategyOf(served);
  if (hasStatus(served)) {
    if (served.custom) delete obj.status;
    else if (strategy?.keepsStatusOnCreate !== true) delete obj.status;
  }
  strategy?.prepareForCreate?.(obj);
  return obj as StoredObject;
}

/** A write to the resource itself keeps the spec fields only a subresource writes, as stored (in place). */
export function keepSubresourceFields(served: Served, obj: KubeObject, old: StoredObject): void {
  const spec = isRecord(obj.spec) ? obj.spec : undefined;
  const oldSpec = isRecord(old.spec) ? old.spec : {};
  if (!spec) return;
  for (const fields of Object.values(strategyOf(served)?.subresourceFields ?? {})) {
    for (const f of fields) {
      if (oldSpec[f] === undefined) delete spec[f];
      else spec[f] = clone(oldSpec[f]);
    }
  }
}

/**
 * Combines an update with the stored object: immutable metadata is kept, the part the request may
 * not touch (status on the main resource, everything but status on /status) comes from the old
 * object, and generation moves when the spec changed.
 */
export function prepareUpdate(
  served: Served,
  input: KubeObject,
  old: StoredObject,
  subresource: string,
  revision: number,
): StoredObject {
  const obj = clone(input);
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  obj.metadata = meta;
  // Built-in kinds are stored in the version written (a FlowSchema rewritten through v1 is no
  // longer stored as v1beta3: what the upgrade preflight checks); custom resources keep theirs.
  const { group, version } = served.info;
  obj.apiVersion = served.custom ? old.apiVersion : group ? `${group}/${version}` : version;
  obj.kind = old.kind;
  const om = old.metadata;
  const own = subresource ? strategyOf(served)?.subresourceUpdate?.(subresource, obj, old) : undefined;
  if (own) {
    (own.metadata as Record<string, unknown>).resourceVersion = String(revision);
    return own as StoredObject;
  }
  const owned = strategyOf(served)?.subresourceFields ?? {};
  const ownFields = owned[subresource];
  if (ownFields) {
    // Writes to such a subresource keep all but its own spec fields (ephemeralcontainers).
    const merged = clone(old) as KubeObject & { spec?: Record<string, unknown> };
    const spec = { ...(merged.spec ?? {}) };
    const given = isRecord(obj.spec) ? obj.spec : {};
    for (const f of ownFields) {
      if (given[f] === undefined) delete spec[f];
      else spec[f] = given[f];
    }
    merged.spec = spec;
    (merged.metadata as Record<string, unknown>).resourceVersion = String(revision);
    return merged as StoredObject;
  }
  if (subresource === 'status') {
    // Status writes keep the stored spec and metadata (ResetObjectMetaForStatus).
    const merged: KubeObject = { ...clone(old), status: obj.status };
    if (obj.status === undefined) delete merged.status;
    (merged.metadata as Record<string, unknown>).resourceVersion = String(revision);
    return merged as StoredObject;
  }
  meta.uid = om.uid;
  meta.creationTimestamp = om.creationTimestamp;
  meta.name = om.name;
  if (om.namespace !== undefined) meta.namespace = om.namespace;
  if (om.deletionTimestamp) meta.deletionTimestamp = om.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (om.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (om.generateName !== undefined) meta.generateName = om.generateName;
  meta.resourceVersion = String(revision);
  if (hasStatus(served)) {
    if (old.status === undefined) delete obj.status;
    else obj.status = clone(old.status);
  }
  if (om.generation !== undefined) {
    meta.generation = specPart(obj) !== specPart(old) ? om.generation + 1 : om.generation;
  }
  return obj as StoredObject;
}

/**
 * True when two stored objects differ in anything but resourceVersion (a no-op write is skipped).
 * managedFields count: a write that changes nothing leaves them as they were, and one that only
 * rewrites them (kubectl's client-side-apply upgrade) must be stored.
 */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): string =>
    JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}
