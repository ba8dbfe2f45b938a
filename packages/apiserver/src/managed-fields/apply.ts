// Server-side apply (structured-merge-diff's Updater.Apply plus kube-apiserver's wrappers): merge
// the configuration into the live object, make the applier own exactly what it sent, remove what
// it owned before and no longer sends (unless someone else owns it), and refuse changes to fields
// other managers own unless forced. The client-side-apply upgrade lets the `kubectl` manager take
// fields its last-applied-configuration annotation lists, and keeps that annotation in step.
import { clone, isRecord, type KubeObject } from '@wharf/api';
import { pathString, type FieldPath, type FieldSet } from './fieldset.js';
import {
  decodeManagedFields,
  ownable,
  sameIdentity,
  withoutManagedFields,
  type ManagerEntry,
  type WriteInfo,
} from './managers.js';
import { mergeValues, removeItems } from './merge.js';
import { compare, toFieldSet, undeclaredFields } from './walk.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** One field another manager owns that the apply would change. */
export interface Conflict {
  readonly manager: ManagerEntry;
  readonly path: FieldPath;
}

/** The apply changes fields other managers own; the request did not force. */
export class ApplyConflictError extends Error {
  constructor(readonly conflicts: readonly Conflict[]) {
    super(conflictMessage(conflicts));
  }
}

/** A manager as upstream's printManager names it in conflicts. */
export function managerString(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  return e.operation === 'Update' ? `${s} using ${e.apiVersion}` : s;
}

function conflictMessage(conflicts: readonly Conflict[]): string {
  const first = conflicts[0];
  if (conflicts.length === 1 && first)
    return `Apply failed with 1 conflict: conflict with ${managerString(first.manager)}: ${pathString(first.path)}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) {
    const m = managerString(c.manager);
    byManager.set(m, [...(byManager.get(m) ?? []), pathString(c.path)]);
  }
  const lines: string[] = [];
  for (const m of [...byManager.keys()].sort())
    lines.push(`conflicts with ${m}:`, ...(byManager.get(m) ?? []).map((p) => `- ${p}`));
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** The configuration sets fields its kind's schema does not declare (upstream: a typed-conversion error). */
export class UndeclaredFieldError extends Error {
  constructor(readonly path: FieldPath) {
    super(`${pathString(path)}: field not declared in schema`);
  }
}

export interface ApplyInput {
  /** The live object, or undefined when the apply creates it. */
  readonly live: KubeObject | undefined;
  readonly config: KubeObject;
  readonly force: boolean;
  readonly write: WriteInfo;
}

export interface ApplyResult {
  readonly object: KubeObject;
  readonly managed: ManagerEntry[];
  /** False when the apply changes nothing (the write is a no-op). */
  readonly changed: boolean;
}

export function apply(input: ApplyInput): ApplyResult {
  const { write: w } = input;
  const live = withoutManagedFields(input.live) ?? {};
  const config = withoutManagedFields(input.config);
  const undeclared = undeclaredFields(config, w.shape)[0];
  if (undeclared) throw new UndeclaredFieldError(undeclared);
  const managed = decodeManagedFields(input.live?.metadata?.managedFields);
  const self = {
    manager: w.manager,
    operation: 'Apply' as const,
    apiVersion: w.apiVersion,
    ...(w.subresource ? { subresource: w.subresource } : {}),
  };
  const previous = managed.find((e) => sameIdentity(e, self));
  const others = managed.filter((e) => e !== previous);
  const mine = ownable(toFieldSet(config, w.shape), w.ignored);

  const merged = mergeValues(live, config, w.shape) as KubeObject;
  if (previous) {
    let keep = mine;
    for (const e of others) keep = keep.union(e.fields);
    removeItems(merged, previous.fields.difference(mine), keep, w.shape);
  }

  const c = compare(live, merged, w.shape);
  const changed = c.added.union(c.modified);
  let conflicts = collectConflicts(others, changed);
  if (conflicts.length && !input.force) {
    const allowed = w.manager === 'kubectl' ? allowedByLastApplied(input.live, w) : undefined;
    conflicts = conflicts.filter((x) => !allowed?.has(x.path));
    if (conflicts.length) throw new ApplyConflictError(conflicts);
  }
  const next: ManagerEntry[] = [];
  for (const e of others) {
    const fields = e.fields.difference(changed).difference(c.removed);
    if (!fields.isEmpty()) next.push({ ...e, fields });
  }
  const isChange = !c.added.isEmpty() || !c.modified.isEmpty() || !c.removed.isEmpty();
  const time = isChange || !previous?.time ? w.now : previous.time;
  next.unshift({ ...self, time, fields: mine });
  if (w.manager === 'kubectl' && input.live) syncLastApplied(merged, input.live, input.config);
  return { object: merged, managed: next, changed: isChange };
}

function collectConflicts(others: readonly ManagerEntry[], changed: FieldSet): Conflict[] {
  const out: Conflict[] = [];
  for (const e of [...others].sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0))) {
    for (const path of e.fields.intersection(changed).paths()) out.push({ manager: e, path });
  }
  return out;
}

/** Fields of the last-applied annotation whose live values are still the ones applied then. */
function allowedByLastApplied(live: KubeObject | undefined, w: WriteInfo): FieldSet | undefined {
  const text = live?.metadata?.annotations?.[LAST_APPLIED];
  if (typeof text !== 'string' || !text) return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(last)) return undefined;
  const set = toFieldSet(last, w.shape);
  const drift = compare(last, mergeValues(last, withoutManagedFields(live), w.shape), w.shape).modified;
  return set.difference(drift);
}

/** kubectl's server-side apply keeps an existing last-applied annotation equal to what it applied. */
function syncLastApplied(merged: KubeObject, live: KubeObject, config: KubeObject): void {
  if (typeof live.metadata?.annotations?.[LAST_APPLIED] !== 'string') return;
  const applied = clone(config);
  const annotations = isRecord(applied.metadata?.annotations) ? { ...applied.metadata.annotations } : {};
  delete annotations[LAST_APPLIED];
  if (applied.metadata) {
    if (Object.keys(annotations).length) applied.metadata.annotations = annotations as Record<string, string>;
    else delete applied.metadata.annotations;
  }
  const meta = (merged.metadata ??= {}) as NonNullable<KubeObject['metadata']>;
  meta.annotations = { ...(meta.annotations ?? {}), [LAST_APPLIED]: JSON.stringify(applied) + '\n' };
}
