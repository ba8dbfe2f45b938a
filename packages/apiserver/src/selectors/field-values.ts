// The building blocks of a kind's field labels (its field selector conversion): the labels it
// accepts, the error for any other, and the values its objects have. Each kind's strategy
// (kinds/) declares its own KindFields from these; field-labels.ts only looks them up.
import { isRecord } from '@wharf/api';
import type { KubeObject } from '@wharf/api';

export type FieldGetter = (obj: KubeObject) => Record<string, string>;

export interface KindFields {
  /** Selector label → the label in the getter's map (differs only for old aliases). */
  readonly accepted: Readonly<Record<string, string>>;
  readonly unsupported: (label: string) => string;
  readonly get: FieldGetter;
}

export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isRecord(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** A field's value as the API server formats it: strings as-is, numbers and booleans printed. */
export function str(obj: unknown, path: string): string {
  const v = at(obj, path);
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

export const bool = (obj: unknown, path: string): string => String(at(obj, path) === true);
export const count = (obj: unknown, path: string): string => {
  const v = at(obj, path);
  return String(typeof v === 'number' ? v : 0);
};

export function metaFields(obj: KubeObject, namespaced: boolean): Record<string, string> {
  const out: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (namespaced) out['metadata.namespace'] = obj.metadata?.namespace ?? '';
  return out;
}

export const identity = (labels: readonly string[]): Record<string, string> =>
  Object.fromEntries(labels.map((l) => [l, l]));
export const notSupported = (label: string): string => `field label not supported: ${label}`;
export const defaultMessage = (label: string): string =>
  `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
