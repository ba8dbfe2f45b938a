// The object API's side of managed fields: which schema shape, apiVersion and ignored fields a
// write of a served kind uses, and the managedFields each kind of write leaves on the object.
import { isRecord, type KubeObject } from '@wharf/api';
import { ApiError } from '../errors.js';
import {
  apply,
  ApplyConflictError,
  UndeclaredFieldError,
  builtinShape,
  customResourceShape,
  encodeManagedFields,
  ignoredFields,
  managerString,
  pathString,
  recordUpdate,
  zeroObject,
  type ApplyResult,
  type ManagerEntry,
  type Shape,
  type WriteInfo,
} from '../managed-fields/index.js';
import type { Served } from '../registry.js';
import type { OpContext } from './context.js';
import { hasStatus, nowRfc3339 } from './lifecycle.js';

/** The manager a write is recorded as when the request named none (internal writes). */
export const DEFAULT_MANAGER = 'wharf-apiserver';

const shapes = new WeakMap<Served, Shape>();

function shapeOf(served: Served): Shape {
  let s = shapes.get(served);
  if (!s) {
    s = served.custom ? customResourceShape(served.custom.schema) : builtinShape(served.typeName ?? '');
    shapes.set(served, s);
  }
  return s;
}

function writeInfo(
  served: Served,
  ctx: OpContext,
  subresource: string,
  obj: KubeObject | undefined,
  clock: () => Date,
): WriteInfo {
  const { info } = served;
  return {
    manager: ctx.fieldManager ?? DEFAULT_MANAGER,
    apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
    subresource,
    now: nowRfc3339(clock),
    shape: shapeOf(served),
    ignored: ignoredFields(hasStatus(served), subresource, obj),
  };
}

/** Puts `entries` on `obj` as metadata.managedFields (none: the field is left out). */
export function setManagedFields(obj: KubeObject, entries: readonly ManagerEntry[]): void {
  const meta = (isRecord(obj.metadata) ? obj.metadata : (obj.metadata = {})) as Record<string, unknown>;
  const encoded = encodeManagedFields(entries);
  if (encoded.length) meta.managedFields = encoded;
  else delete meta.managedFields;
}

/** The managers after a create (compared with the kind's zero value) or a non-apply update. */
export function managersAfterWrite(
  served: Served,
  old: KubeObject | undefined,
  next: KubeObject,
  ctx: OpContext,
  subresource: string,
  clock: () => Date,
): ManagerEntry[] {
  const zero = served.custom ? {} : zeroObject(served.typeName);
  return recordUpdate(old, next, writeInfo(served, ctx, subresource, next, clock), zero);
}

/** Server-side apply of `config` to `live` (undefined: the apply creates the object); conflicts are 409s. */
export function applyConfig(
  served: Served,
  live: KubeObject | undefined,
  config: KubeObject,
  ctx: OpContext,
  subresource: string,
  force: boolean,
  clock: () => Date,
): ApplyResult {
  try {
    return apply({ live, config, force, write: writeInfo(served, ctx, subresource, config, clock) });
  } catch (e) {
    if (e instanceof UndeclaredFieldError) {
      // kube-apiserver answers this with a plain error: 500, no reason.
      const { info } = served;
      const ns = config.metadata?.namespace ?? '';
      throw new ApiError(
        500,
        '',
        `failed to create typed patch object (${ns}/${config.metadata?.name ?? ''}; ${info.group}/${info.version}, Kind=${info.kind}): ${e.message}`,
      );
    }
    if (!(e instanceof ApplyConflictError)) throw e;
    const causes = e.conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${managerString(c.manager)}`,
      field: pathString(c.path),
    }));
    throw new ApiError(409, 'Conflict', e.message, { causes });
  }
}
