// Schema defaulting and pruning of custom resources, as apiextensions does on every read and
// write: defaults first (recursing into defaulted values), then unknown fields dropped, honouring
// x-kubernetes-preserve-unknown-fields and embedded resources.
import { fieldsOf, isRecord } from '@wharf/api';
import { additionalSchema, asSchema, type JSONSchemaProps } from './crd-types.js';

/**
 * Fills in `default` values for absent fields (and for nulls where the field is not nullable),
 * in properties, array items and additionalProperties. Nulls of non-nullable fields without a
 * default are dropped, as the real server does. Mutates `obj` and returns it.
 */
export function applySchemaDefaults(obj: unknown, schema: JSONSchemaProps): unknown {
  applyDefaults(obj, schema);
  return obj;
}

function applyDefaults(x: unknown, s: JSONSchemaProps): void {
  if (Array.isArray(x)) {
    const items = asSchema(s.items);
    if (!items) return;
    x.forEach((v, i) => {
      if (v === null && items.default !== undefined && items.nullable !== true) x[i] = structuredClone(items.default);
      applyDefaults(x[i], items);
    });
    return;
  }
  if (!isRecord(x)) return;
  const props = isRecord(s.properties) ? s.properties : {};
  const additional = additionalSchema(s);
  for (const [k, raw] of Object.entries(props)) {
    const p = asSchema(raw);
    if (!p) continue;
    const absent = !(k in x);
    const nonNullableNull = x[k] === null && p.nullable !== true;
    if (p.default !== undefined && (absent || nonNullableNull)) x[k] = structuredClone(p.default);
    else if (nonNullableNull && p['x-kubernetes-preserve-unknown-fields'] !== true) delete x[k];
  }
  for (const [k, v] of Object.entries(x)) {
    const p = asSchema(props[k]);
    const child = p ?? additional;
    if (!child) continue;
    if (!p && v === null && child.nullable !== true) {
      if (child.default !== undefined) x[k] = structuredClone(child.default);
    }
    applyDefaults(x[k], child);
  }
}

/**
 * Removes fields the schema does not declare (mutating `obj`) and returns their paths
 * (spec.foo, spec.items[0].bar). apiVersion, kind and metadata of the root and of embedded
 * resources are kept; their metadata is pruned to ObjectMeta's fields.
 */
export function pruneUnknownFields(obj: unknown, schema: JSONSchemaProps): string[] {
  const pruned: string[] = [];
  prune(obj, schema, '', pruned, true);
  return pruned;
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function prune(x: unknown, s: JSONSchemaProps | undefined, path: string, out: string[], resourceRoot: boolean): void {
  if (Array.isArray(x)) {
    const items = s ? asSchema(s.items) : undefined;
    if (items || !s || s['x-kubernetes-preserve-unknown-fields'] !== true) {
      x.forEach((v, i) => prune(v, items, `${path}[${i}]`, out, false));
    }
    return;
  }
  if (!isRecord(x)) return;
  const preserve = s?.['x-kubernetes-preserve-unknown-fields'] === true;
  const isResource = resourceRoot || s?.['x-kubernetes-embedded-resource'] === true;
  const props = s && isRecord(s.properties) ? s.properties : {};
  const additional = s ? additionalSchema(s) : undefined;
  const anyAdditional = s?.additionalProperties === true;
  for (const k of Object.keys(x)) {
    const p = join(path, k);
    if (isResource && (k === 'apiVersion' || k === 'kind')) continue;
    if (isResource && k === 'metadata') {
      pruneMetadata(x[k], p, out);
      continue;
    }
    const child = asSchema(props[k]);
    if (child) prune(x[k], child, p, out, false);
    else if (additional) prune(x[k], additional, p, out, false);
    else if (preserve || anyAdditional) continue;
    else {
      delete x[k];
      out.push(p);
    }
  }
}

function pruneMetadata(meta: unknown, path: string, out: string[]): void {
  if (!isRecord(meta)) return;
  const known = fieldsOf('V1ObjectMeta') ?? {};
  for (const k of Object.keys(meta)) {
    if (known[k] === undefined) {
      delete meta[k];
      out.push(`${path}.${k}`);
    }
  }
}
