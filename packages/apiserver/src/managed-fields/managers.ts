// metadata.managedFields as a list of managers, and how a non-apply write (create, update, patch,
// subresource) changes it, as kube-apiserver's field manager does: fields the write added or
// changed move to the writer's Update entry, fields it removed leave every entry, and entries are
// merged per manager + operation (+ apiVersion for updates) + subresource.
import { isRecord, type KubeObject } from '@wharf/api';
import { FieldSet, field, type FieldPath } from './fieldset.js';
import type { Shape } from './shape.js';
import { compare } from './walk.js';

export type Operation = 'Apply' | 'Update';

/** One managedFields entry, with its fields decoded. */
export interface ManagerEntry {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly time?: string;
  readonly subresource?: string;
  readonly fields: FieldSet;
}

/** What a write is and who makes it. */
export interface WriteInfo {
  readonly manager: string;
  readonly apiVersion: string;
  readonly subresource: string;
  /** RFC 3339, seconds. */
  readonly now: string;
  readonly shape: Shape;
  /** Fields the write may not own (e.g. status on the main resource); see ignoredFields. */
  readonly ignored: FieldSet;
}

/** Server-owned fields no manager owns (upstream's stripMeta set). */
const STRIPPED: FieldSet = FieldSet.of(
  [
    ['apiVersion'],
    ['kind'],
    ['metadata'],
    ...[
      'name',
      'namespace',
      'creationTimestamp',
      'selfLink',
      'uid',
      'clusterName',
      'generation',
      'managedFields',
      'resourceVersion',
    ].map((f) => ['metadata', f]),
  ].map((p): FieldPath => p.map(field)),
);

/** Same manager, operation and subresource (and apiVersion for updates): one entry. */
export function sameIdentity(a: Omit<ManagerEntry, 'fields'>, b: Omit<ManagerEntry, 'fields'>): boolean {
  return (
    a.manager === b.manager &&
    a.operation === b.operation &&
    (a.subresource ?? '') === (b.subresource ?? '') &&
    (a.operation === 'Apply' || a.apiVersion === b.apiVersion)
  );
}

/** The entries of a managedFields list; entries that cannot be read are dropped. */
export function decodeManagedFields(list: unknown): ManagerEntry[] {
  if (!Array.isArray(list)) return [];
  const out: ManagerEntry[] = [];
  for (const e of list) {
    if (!isRecord(e) || (e.operation !== 'Apply' && e.operation !== 'Update')) continue;
    out.push({
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      ...(typeof e.time === 'string' ? { time: e.time } : {}),
      ...(typeof e.subresource === 'string' && e.subresource ? { subresource: e.subresource } : {}),
      fields: FieldSet.fromFieldsV1(e.fieldsV1),
    });
  }
  return out;
}

/** The managedFields list, in upstream's order: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(entries: readonly ManagerEntry[]): Record<string, unknown>[] {
  const sorted = [...entries]
    .filter((e) => !e.fields.isEmpty())
    .sort(
      (p, q) =>
        cmp(p.operation, q.operation) ||
        cmp(p.time ?? '', q.time ?? '') ||
        cmp(p.manager, q.manager) ||
        cmp(p.apiVersion, q.apiVersion) ||
        cmp(p.subresource ?? '', q.subresource ?? ''),
    );
  return sorted.map((e) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    ...(e.time ? { time: e.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: e.fields.toFieldsV1(),
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Fields a write may not own: status on the main resource of kinds with a status subresource, everything but status on
 * /status.
 */
export function ignoredFields(
  hasStatusSubresource: boolean,
  subresource: string,
  obj: KubeObject | undefined,
): FieldSet {
  if (subresource === 'status' || subresource === 'approval')
    return FieldSet.of(
      Object.keys(obj ?? {})
        .filter((k) => k !== 'status')
        .map((k) => [field(k)]),
    );
  return hasStatusSubresource && subresource === '' ? FieldSet.of([[field('status')]]) : new FieldSet();
}

/** An object without metadata.managedFields (what the field sets are computed over). */
export function withoutManagedFields<T extends KubeObject | undefined>(obj: T): T {
  if (!obj || !isRecord(obj.metadata) || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _drop, ...meta } = obj.metadata;
  return { ...obj, metadata: meta } as T;
}

/** The fields a write owns once stripped of server-owned and ignored ones. */
export function ownable(set: FieldSet, ignored: FieldSet): FieldSet {
  return set.difference(STRIPPED).recursiveDifference(ignored);
}

/**
 * The managers after a non-apply write turned `live` (undefined for a create) into `next`.
 * `managed` is live's list, unless the request itself sent a non-empty one (a client resetting or
 * migrating managedFields, as kubectl's client-side-apply upgrade does), which main-resource writes honour.
 */
export function recordUpdate(
  live: KubeObject | undefined,
  next: KubeObject,
  w: WriteInfo,
  zero: KubeObject = {},
): ManagerEntry[] {
  const sent = isRecord(next.metadata) ? next.metadata.managedFields : undefined;
  const managed = decodeManagedFields(
    Array.isArray(sent) && sent.length > 0 && w.subresource === '' ? sent : live?.metadata?.managedFields,
  );
  const c = compare(withoutManagedFields(live) ?? zero, withoutManagedFields(next), w.shape);
  const changed = c.added.union(c.modified);
  const out: ManagerEntry[] = [];
  for (const e of managed) {
    const fields = e.fields.difference(changed).difference(c.removed);
    if (!fields.isEmpty()) out.push({ ...e, fields });
  }
  const mine = ownable(changed, w.ignored);
  if (mine.isEmpty()) return out;
  const self = {
    manager: w.manager,
    operation: 'Update' as const,
    apiVersion: w.apiVersion,
    ...(w.subresource ? { subresource: w.subresource } : {}),
  };
  const at = out.findIndex((e) => sameIdentity(e, self));
  const previous = at >= 0 ? out[at]?.fields : undefined;
  const entry: ManagerEntry = { ...self, time: w.now, fields: previous ? previous.union(mine) : mine };
  if (at >= 0) out[at] = entry;
  else out.push(entry);
  return capUpdateManagers(out);
}

/** Upstream keeps at most ten Update entries; the oldest merge into one "ancient-changes" entry. */
export const MAX_UPDATE_MANAGERS = 10;

function capUpdateManagers(entries: ManagerEntry[]): ManagerEntry[] {
  const updates = entries.filter((e) => e.operation === 'Update');
  if (updates.length <= MAX_UPDATE_MANAGERS) return entries;
  // The oldest entries (an earlier ancient-changes among them) fold into one.
  const oldest = [...updates]
    .sort((a, b) => cmp(a.time ?? '', b.time ?? ''))
    .slice(0, updates.length - MAX_UPDATE_MANAGERS + 1);
  let fields = new FieldSet();
  for (const e of oldest) fields = fields.union(e.fields);
  const last = oldest[oldest.length - 1] as ManagerEntry;
  const rest = entries.filter((e) => !oldest.includes(e));
  return [
    ...rest,
    {
      manager: 'ancient-changes',
      operation: 'Update',
      apiVersion: last.apiVersion,
      ...(last.time ? { time: last.time } : {}),
      fields,
    },
  ];
}
