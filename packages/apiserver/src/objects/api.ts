// The object API: get, list, create, update and patch with Kubernetes semantics on top of the
// store. The REST handler and the API server's own controllers both go through here, so every
// write sees the same defaulting, validation, admission and resourceVersion checks.
import { randomUUID } from 'node:crypto';
import { clone, isRecord, type KubeObject, type StoredObject } from '@wharf/api';
import type { StatusCause } from '@wharf/api';
import { ApiError, alreadyExists, badRequest, conflict, gone, invalid, notFound } from '../errors.js';
import type { Served, ResourceRegistry } from '../registry.js';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type Store,
} from '../storage/index.js';
import { namespacePrefix, objectKey } from '../storage/index.js';
import { applyDefaults } from '../defaults/index.js';
import {
  applySchemaDefaults,
  checkTypes,
  pruneUnknownFields,
  validateCustomResource,
  validateKind,
  validateObjectMeta,
  type FieldIssue,
} from '../validation/index.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from '../patch/index.js';
import {
  compileFieldSelector,
  fromLabelSelectorObject,
  parseLabelSelector,
  SelectorError,
} from '../selectors/index.js';
import type { AdmissionPlugin, OpContext } from './context.js';
import { strategyOf } from '../kinds/registry.js';
import { fromStorageVersion, storageServed, toStorageVersion } from '../kinds/conversion.js';
import {
  hasStatus,
  keepSubresourceFields,
  nowRfc3339,
  prepareCreate,
  prepareUpdate,
  randomSuffix,
  sameObject,
} from './lifecycle.js';
import { applyConfig, managersAfterWrite, setManagedFields } from './fields.js';
import { decodeManagedFields, type ManagerEntry } from '../managed-fields/index.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** With resourceVersionMatch=Exact: list the state at this revision, from history. */
  exactRevision?: number;
}

export interface ListResult {
  items: StoredObject[];
  /** The stored JSON text of each item, in the same order (lists are sent without re-serialising). */
  jsons: string[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type PatchType = 'json' | 'merge' | 'strategic';

export interface ObjectApiOptions {
  readonly store: Store;
  readonly registry: ResourceRegistry;
  readonly admission: readonly AdmissionPlugin[];
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** A compiled list filter. */
export type ObjectFilter = (obj: StoredObject) => boolean;

function causesOf(issues: FieldIssue[]): StatusCause[] {
  return issues.map((i) => ({ reason: i.reason, message: i.message, field: i.field }));
}

export class ObjectApi {
  readonly store: Store;
  readonly registry: ResourceRegistry;
  private readonly admission: readonly AdmissionPlugin[];
  readonly clock: () => Date;

  constructor(opts: ObjectApiOptions) {
    this.store = opts.store;
    this.registry = opts.registry;
    this.admission = opts.admission;
    this.clock = opts.clock ?? (() => new Date());
  }

  key(served: Served, namespace: string, name: string): string {
    return objectKey(served.info.group, served.info.resource, served.info.namespaced ? namespace : undefined, name);
  }

  /** The JSON text the store keeps for `obj` while `obj` is still the stored value of its key. */
  storedJson(served: Served, namespace: string, obj: StoredObject): string | undefined {
    const key = this.key(served, namespace, obj.metadata.name);
    return this.store.get(key) === obj ? this.store.getJson(key) : undefined;
  }

  get(served: Served, namespace: string, name: string): StoredObject {
    const obj = this.store.get(this.key(served, namespace, name));
    if (!obj) throw notFound(served.info.resource, served.info.group, name);
    return obj;
  }

  tryGet(served: Served, namespace: string, name: string): StoredObject | undefined {
    return this.store.get(this.key(served, namespace, name));
  }

  /** Compiles label and field selectors into one predicate; bad selectors are 400s. */
  filter(served: Served, opts: { labelSelector?: string; fieldSelector?: string }): ObjectFilter {
    try {
      const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : undefined;
      const fields = opts.fieldSelector
        ? compileFieldSelector(served.info.group, served.info.resource, opts.fieldSelector, {
            namespaced: served.info.namespaced,
          })
        : undefined;
      return (obj) => (!labels || labels.matches(obj.metadata.labels)) && (!fields || fields.matches(obj));
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
  }

  list(served: Served, namespace: string, opts: ListOptions): ListResult {
    const prefix = namespacePrefix(
      served.info.group,
      served.info.resource,
      served.info.namespaced && namespace ? namespace : undefined,
    );
    const match = this.filter(served, opts);
    let resourceVersion = String(this.store.revision);
    let startAfter = '';
    let all: ReturnType<Store['list']>;
    if (opts.continue) {
      // Every page comes from the snapshot at the first page's revision, as etcd serves it.
      const token = decodeContinue(opts.continue);
      all = this.snapshot(
        prefix,
        token.rv,
        token.start,
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
      resourceVersion = String(token.rv);
      startAfter = token.start;
    } else if (opts.exactRevision !== undefined) {
      all = this.snapshot(prefix, opts.exactRevision, '', 'The resourceVersion for the provided list is too old.');
      resourceVersion = String(opts.exactRevision);
    } else {
      all = this.store.list(prefix);
    }
    const items: StoredObject[] = [];
    const jsons: string[] = [];
    let i = 0;
    if (startAfter) {
      // Keys are sorted: binary search the first key after the token.
      let lo = 0;
      let hi = all.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((all[mid]?.key ?? '') <= startAfter) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    let lastKey = '';
    for (; i < all.length && items.length < limit; i++) {
      const e = all[i];
      if (e && match(e.object)) {
        items.push(e.object);
        jsons.push(e.json);
        lastKey = e.key;
      }
    }
    const result: ListResult = { items, jsons, resourceVersion };
    if (items.length >= limit) {
      let remaining = 0;
      for (; i < all.length; i++) {
        const e = all[i];
        if (e && match(e.object)) remaining++;
      }
      if (remaining > 0) {
        result.continue = encodeContinue(Number(resourceVersion), lastKey);
        if (!opts.labelSelector && !opts.fieldSelector) result.remainingItemCount = remaining;
      }
    }
    return result;
  }

  /** Decodes, defaults and validates an incoming object, applying the field-validation mode. */
  private normalize(served: Served, obj: KubeObject, ctx: OpContext, old: StoredObject | undefined): void {
    const { info } = served;
    let unknown: FieldIssue[] = [];
    if (served.custom) {
      const schema = served.custom.schema;
      if (schema) {
        applySchemaDefaults(obj, schema);
        if (!served.custom.preserveUnknown)
          unknown = pruneUnknownFields(obj, schema).map((p: string) => ({
            reason: 'FieldValueUnknown',
            field: p,
            message: `unknown field "${p}"`,
          }));
      }
    } else if (served.typeName) {
      const res = checkTypes(obj, served.typeName);
      if (res.invalid.length) {
        const first = res.invalid[0] as FieldIssue;
        throw badRequest(
          `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ${first.message}`,
          causesOf(res.invalid),
        );
      }
      unknown = res.unknown;
      dropUnknown(obj, unknown);
      applyDefaults(info.group, info.version, info.kind, obj, old ? 'update' : 'create');
    }
    if (unknown.length) {
      if (ctx.fieldValidation === 'Strict') {
        throw badRequest(`strict decoding error: ${unknown.map((u) => u.message).join(', ')}`, causesOf(unknown));
      }
      if (ctx.fieldValidation === 'Warn') for (const u of unknown) ctx.warnings.push(u.message);
    }
    const issues = validateObjectMeta(obj, info, {
      namespaceRequired: info.namespaced,
      nameRule: strategyOf(served)?.nameRule,
    });
    if (served.custom?.schema) issues.push(...validateCustomResource(obj, served.custom.schema, old));
    else issues.push(...validateKind(info.group, info.version, info.kind, obj, old));
    if (issues.length) throw invalid(info.kind, info.group, obj.metadata?.name ?? '', causesOf(issues));
    ctx.warnings.push(...(strategyOf(served)?.warnings?.(obj as Record<string, unknown>) ?? []));
  }

  private admit(
    op: 'CREATE' | 'UPDATE',
    served: Served,
    namespace: string,
    obj: KubeObject,
    old: StoredObject | undefined,
    subresource: string,
    ctx: OpContext,
  ): void {
    for (const plugin of this.admission)
      plugin({ operation: op, served, namespace, object: obj, old, subresource, ctx });
  }

  /** `managed`: the managers an apply that creates the object computed (else the create records its own). */
  async create(
    servedAs: Served,
    namespace: string,
    input: KubeObject,
    ctx: OpContext,
    managed?: ManagerEntry[],
    uid?: string,
  ): Promise<StoredObject> {
    const { served, body } = toStorageVersion(this.registry, servedAs, input);
    const obj = clone(body);
    const meta = isRecord(obj.metadata) ? obj.metadata : {};
    obj.metadata = meta;
    if (served.info.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && typeof meta.generateName === 'string' && meta.generateName)
      meta.name = `${meta.generateName}${randomSuffix()}`;
    // The uid is the server's, chosen before defaulting (a Job's generated selector uses it).
    meta.uid = uid ?? randomUUID();
    this.normalize(served, obj, ctx, undefined);
    setManagedFields(obj, managed ?? managersAfterWrite(served, undefined, obj, ctx, '', this.clock));
    this.admit('CREATE', served, namespace, obj, undefined, '', ctx);
    const name = String(meta.name);
    const key = this.key(served, namespace, name);
    ctx.validating?.(prepareCreate(served, obj, namespace, this.clock, this.store.revision), undefined);
    if (ctx.dryRun) {
      if (this.store.get(key)) throw alreadyExists(served.info.resource, served.info.group, name);
      return prepareCreate(served, obj, namespace, this.clock, this.store.revision);
    }
    try {
      return await this.store.create(key, (rev) => prepareCreate(served, obj, namespace, this.clock, rev));
    } catch (e) {
      if (e instanceof KeyExistsError) throw alreadyExists(served.info.resource, served.info.group, name);
      throw e;
    }
  }

  /** PUT semantics; `subresource` is '' or 'status'. A stale metadata.resourceVersion is a 409. */
  async update(
    servedAs: Served,
    namespace: string,
    name: string,
    input: KubeObject,
    ctx: OpContext,
    subresource = '',
  ): Promise<StoredObject> {
    const { served, body } = toStorageVersion(this.registry, servedAs, input);
    const obj = clone(body);
    const meta = isRecord(obj.metadata) ? obj.metadata : {};
    obj.metadata = meta;
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    }
    meta.name = name;
    if (served.info.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    const key = this.key(served, namespace, name);
    const old = this.store.get(key);
    if (!old) throw notFound(served.info.resource, served.info.group, name);
    const rvText = meta.resourceVersion;
    const expected = rvText === undefined || rvText === '' ? undefined : Number(rvText);
    if (expected !== undefined && (!Number.isInteger(expected) || expected < 0)) {
      throw badRequest(`metadata.resourceVersion: Invalid value: "${String(rvText)}": must be an integer`);
    }
    if (expected !== undefined && String(expected) !== old.metadata.resourceVersion) {
      throw conflict(
        served.info.resource,
        served.info.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return this.writeUpdate(served, namespace, key, obj, old, ctx, subresource);
  }

  private async writeUpdate(
    served: Served,
    namespace: string,
    key: string,
    obj: KubeObject,
    old: StoredObject,
    ctx: OpContext,
    subresource: string,
    managed?: ManagerEntry[],
  ): Promise<StoredObject> {
    if (subresource === '') keepSubresourceFields(served, obj, old);
    if (subresource !== 'status' && subresource !== 'approval') this.normalize(served, obj, ctx, old);
    this.admit('UPDATE', served, namespace, obj, old, subresource, ctx);
    const next = prepareUpdate(served, obj, old, subresource, Number(old.metadata.resourceVersion));
    setManagedFields(next, managed ?? managersAfterWrite(served, old, next, ctx, subresource, this.clock));
    ctx.validating?.(next, old);
    if (sameObject(next, old)) return old;
    if (ctx.dryRun) return next;
    // Removing the last finalizer of an object being deleted completes its deletion.
    if (
      old.metadata.deletionTimestamp &&
      !(next.metadata.finalizers ?? []).length &&
      strategyOf(served)?.specFinalizers?.pending(next) !== true
    ) {
      try {
        await this.store.update(key, Number(old.metadata.resourceVersion), (rev) => ({
          ...next,
          metadata: { ...next.metadata, resourceVersion: String(rev) },
        }));
        return await this.store.delete(key);
      } catch (e) {
        throw this.storeError(served, old.metadata.name, e);
      }
    }
    try {
      return await this.store.update(key, Number(old.metadata.resourceVersion), (rev) => ({
        ...next,
        metadata: { ...next.metadata, resourceVersion: String(rev) },
      }));
    } catch (e) {
      throw this.storeError(served, old.metadata.name, e);
    }
  }

  storeError(served: Served, name: string, e: unknown): unknown {
    if (e instanceof RevisionMismatchError)
      return conflict(
        served.info.resource,
        served.info.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    if (e instanceof KeyNotFoundError) return notFound(served.info.resource, served.info.group, name);
    return e;
  }

  async patch(
    servedAs: Served,
    namespace: string,
    name: string,
    type: PatchType,
    body: unknown,
    ctx: OpContext,
    subresource = '',
  ): Promise<StoredObject> {
    const served = storageServed(this.registry, servedAs);
    const key = this.key(served, namespace, name);
    const old = this.store.get(key);
    if (!old) throw notFound(served.info.resource, served.info.group, name);
    // A patch applies to the object as the client sees it (its version), then goes back to storage.
    const seen = fromStorageVersion(servedAs, old) ?? old;
    let patched: unknown;
    try {
      if (type === 'json') patched = applyJsonPatch(seen, body);
      else if (type === 'merge') patched = applyMergePatch(seen, body);
      else {
        if (served.custom || !served.typeName) {
          throw new ApiError(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
          );
        }
        patched = applyStrategicMergePatch(seen, body, servedAs.typeName ?? served.typeName ?? '');
      }
    } catch (e) {
      if (e instanceof PatchError) throw new ApiError(e.status, e.status === 400 ? 'BadRequest' : 'Invalid', e.message);
      throw e;
    }
    if (!isRecord(patched)) throw new ApiError(422, 'Invalid', 'the patch produced something that is not an object');
    const obj =
      seen === old ? (patched as KubeObject) : toStorageVersion(this.registry, servedAs, patched as KubeObject).body;
    const meta = isRecord(obj.metadata) ? obj.metadata : {};
    obj.metadata = meta;
    if (meta.name !== name)
      throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
    const rv = meta.resourceVersion;
    if (rv !== undefined && rv !== old.metadata.resourceVersion) {
      throw conflict(
        served.info.resource,
        served.info.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    return this.writeUpdate(served, namespace, key, obj, old, ctx, subresource);
  }

  /**
   * Writes an object admission webhooks reviewed: `obj` is a dry run's result (its uid and
   * managedFields kept) as the webhooks left it. It is defaulted, validated and admitted again,
   * and created if `old` was absent, else written over `old`'s revision (409 if it moved since).
   */
  async commitReviewed(
    served: Served,
    namespace: string,
    obj: KubeObject,
    old: StoredObject | undefined,
    ctx: OpContext,
    subresource: string,
  ): Promise<StoredObject> {
    const meta = isRecord(obj.metadata) ? obj.metadata : {};
    const managed = decodeManagedFields(meta.managedFields);
    if (!old)
      return this.create(served, namespace, obj, ctx, managed, typeof meta.uid === 'string' ? meta.uid : undefined);
    const key = this.key(served, namespace, old.metadata.name);
    const current = this.store.get(key);
    if (!current) throw notFound(served.info.resource, served.info.group, old.metadata.name);
    if (current.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        served.info.resource,
        served.info.group,
        old.metadata.name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const next = clone(obj);
    (next.metadata as Record<string, unknown>).resourceVersion = old.metadata.resourceVersion;
    return this.writeUpdate(served, namespace, key, next, current, ctx, subresource, managed);
  }

  /** The keys under `prefix` at `revision`; 410 Gone when compaction has removed it. */
  private snapshot(prefix: string, revision: number, after: string, goneMessage: string): ReturnType<Store['list']> {
    try {
      return this.store.listAt(prefix, revision, after);
    } catch (e) {
      if (e instanceof CompactedError) throw gone(goneMessage);
      throw e;
    }
  }

  /**
   * Server-side apply: merges `config` into the live object with field ownership, creating the
   * object when it is absent (main resource only), then writes it as an update or create would.
   */
  async apply(
    servedAs: Served,
    namespace: string,
    name: string,
    applied: KubeObject,
    ctx: OpContext,
    subresource: string,
    force: boolean,
  ): Promise<{ object: StoredObject; created: boolean }> {
    // Field ownership is tracked in the stored version (an older version's configuration is converted first).
    const { served, body: config } = toStorageVersion(this.registry, servedAs, applied);
    const meta = isRecord(config.metadata) ? config.metadata : {};
    const key = this.key(served, namespace, name);
    const old = this.store.get(key);
    // An apply to a live object may leave the name out (the merge keeps it); one that creates may not.
    if ((meta.name !== undefined || !old) && meta.name !== name)
      throw badRequest(
        `the name of the object (${String(meta.name ?? '')}) does not match the name on the URL (${name})`,
      );
    if (meta.managedFields !== undefined && meta.managedFields !== null)
      throw badRequest('metadata.managedFields must be nil');
    if (served.info.namespaced && meta.namespace !== undefined && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!old) {
      if (subresource) throw notFound(served.info.resource, served.info.group, name);
      const result = applyConfig(served, undefined, config, ctx, '', force, this.clock);
      return { object: await this.create(served, namespace, result.object, ctx, result.managed), created: true };
    }
    const rv = meta.resourceVersion;
    if (rv !== undefined && rv !== old.metadata.resourceVersion) {
      throw conflict(
        served.info.resource,
        served.info.group,
        name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const result = applyConfig(served, old, config, ctx, subresource, force, this.clock);
    const obj = result.object;
    if (isRecord(obj.metadata)) obj.metadata.resourceVersion = old.metadata.resourceVersion;
    return {
      object: await this.writeUpdate(served, namespace, key, obj, old, ctx, subresource, result.managed),
      created: false,
    };
  }

  /** Marks a live object as being deleted (for finalizers and graceful deletion). */
  async markDeleting(
    served: Served,
    key: string,
    old: StoredObject,
    change: (obj: StoredObject) => void,
  ): Promise<StoredObject> {
    const next = clone(old);
    if (!next.metadata.deletionTimestamp) next.metadata.deletionTimestamp = nowRfc3339(this.clock);
    change(next);
    try {
      return await this.store.update(key, Number(old.metadata.resourceVersion), (rev) => ({
        ...next,
        metadata: { ...next.metadata, resourceVersion: String(rev) },
      }));
    } catch (e) {
      throw this.storeError(served, old.metadata.name, e);
    }
  }

  /** Whether the caller asked for a status-subresource-aware write that this kind supports. */
  hasStatus(served: Served): boolean {
    return hasStatus(served);
  }
}

function dropUnknown(obj: KubeObject, unknown: FieldIssue[]): void {
  for (const u of unknown) {
    const path = u.field.replace(/\[(\d+)\]/g, '.$1').split('.');
    let cur: unknown = obj;
    for (let i = 0; i < path.length - 1 && cur !== undefined; i++) {
      const p = path[i] as string;
      cur = Array.isArray(cur) ? cur[Number(p)] : isRecord(cur) ? cur[p] : undefined;
    }
    const last = path[path.length - 1] as string;
    if (isRecord(cur)) delete cur[last];
  }
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (isRecord(t) && typeof t.rv === 'number' && typeof t.start === 'string') return { rv: t.rv, start: t.start };
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export { fromLabelSelectorObject };
