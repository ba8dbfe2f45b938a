// Kubernetes strategic merge patch for built-in kinds: a merge patch that walks the schema so that
// lists tagged `merge` merge by key, and honours the `$patch`, `$retainKeys`, `$setElementOrder/…`
// and `$deleteFromPrimitiveList/…` directives that kubectl sends. Semantics follow apimachinery.
import { clone, elementType, fieldsOf, isListType, isMapType, isObjectType, isRecord } from '@wharf/api';
import type { FieldType } from '@wharf/api';
import { PatchError, joinPath } from './errors.js';
import { mergePatchValue } from './merge.js';
import { isMergeList, mergeStrategyOf } from './mergekeys.js';
import { applyElementOrder, checkElementOrder, mergeList } from './strategic-list.js';

const ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/**
 * Applies a strategic merge patch to `target`, whose schema type is `typeName` (e.g. 'V1Deployment').
 * Neither argument is mutated. Unknown type names fall back to JSON merge patch semantics.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, typeName: string): unknown {
  if (!isRecord(patch)) throw new PatchError('a strategic merge patch must be a JSON object', '', 400);
  const base = isRecord(target) ? clone(target) : {};
  if (!isObjectType(typeName)) return mergePatchValue(base, patch);
  return mergeObject(base, patch, typeName, '');
}

/** Merges `patch` into `original` (which this owns and mutates) as a value of schema type `type`. */
function mergeObject(
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  type: FieldType,
  path: string,
): Record<string, unknown> {
  const directive = patch['$patch'];
  if (directive === 'delete') return {};
  if (directive === 'replace') {
    const { $patch: _replace, ...rest } = patch;
    return mergeObject({}, rest, type, path);
  }
  if (directive !== undefined && directive !== 'merge') {
    throw PatchError.at(
      path,
      `unknown $patch directive ${JSON.stringify(directive)} (want replace, delete or merge)`,
      400,
    );
  }

  retainKeys(original, patch, path);
  const ordered = new Set<string>();
  for (const key of Object.keys(patch)) {
    if (key.startsWith(ORDER) && setElementOrder(original, patch, key.slice(ORDER.length), type, path))
      ordered.add(key.slice(ORDER.length));
  }
  for (const [key, values] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM)) deleteFromPrimitiveList(original, key.slice(DELETE_FROM.length), values, path);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) {
      if (key === '$patch' || key === '$retainKeys' || key.startsWith(ORDER) || key.startsWith(DELETE_FROM)) continue;
      throw PatchError.at(joinPath(path, key), `unknown patch directive "${key}"`, 400);
    }
    if (ordered.has(key)) continue;
    if (value === null) delete original[key];
    else original[key] = mergeField(original[key], value, type, key, joinPath(path, key));
  }
  return original;
}

/** Merges one field's patch value into its live value, using the field's schema type. */
function mergeField(live: unknown, patch: unknown, parentType: FieldType, field: string, path: string): unknown {
  const type = fieldTypeOf(parentType, field);
  // Scalars, `any`, and fields the schema does not know: plain merge-patch semantics.
  if (type === undefined || !(isListType(type) || isMapType(type) || isObjectType(type)))
    return mergePatchValue(live, patch);

  if (Array.isArray(patch)) {
    if (!isListType(type)) throw PatchError.at(path, 'expected an object, got a list', 422);
    const strategy = mergeStrategyOf(parentType, field);
    if (!isMergeList(strategy)) return clone(patch);
    return mergeList(Array.isArray(live) ? live : [], patch, {
      key: strategy.key,
      path,
      mergeElement: elementMerger(elementType(type)),
    });
  }
  if (isRecord(patch)) {
    if (isListType(type)) throw PatchError.at(path, 'expected a list, got an object', 422);
    return mergeObject(isRecord(live) ? live : {}, patch, type, path);
  }
  return patch;
}

function elementMerger(type: FieldType) {
  return (original: Record<string, unknown>, patch: Record<string, unknown>, path: string): Record<string, unknown> => {
    if (isObjectType(type) || isMapType(type)) return mergeObject(original, patch, type, path);
    return mergePatchValue(original, patch) as Record<string, unknown>;
  };
}

/** `$retainKeys`: drop live fields not listed; every field the patch sets must be listed. */
function retainKeys(original: Record<string, unknown>, patch: Record<string, unknown>, path: string): void {
  if (!('$retainKeys' in patch)) return;
  const keep = patch['$retainKeys'];
  if (!Array.isArray(keep) || !keep.every((k) => typeof k === 'string')) {
    throw PatchError.at(path, '$retainKeys must be a list of field names', 400);
  }
  const listed = new Set<string>(keep);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith('$')) continue;
    if (!listed.has(key))
      throw PatchError.at(path, `field "${key}" is in the patch but not in its $retainKeys list`, 400);
  }
  for (const key of Object.keys(original)) if (!listed.has(key)) delete original[key];
}

/**
 * `$setElementOrder/<field>`: merges the field's patch list (if any) and orders the result.
 * Returns false when the field is not a merge list, leaving it to the ordinary merge.
 */
function setElementOrder(
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  field: string,
  type: FieldType,
  path: string,
): boolean {
  const fieldPath = joinPath(path, field);
  const order = patch[ORDER + field];
  if (!Array.isArray(order)) throw PatchError.at(fieldPath, '$setElementOrder must be a list', 400);
  const fieldType = fieldTypeOf(type, field);
  const strategy = fieldType !== undefined && isListType(fieldType) ? mergeStrategyOf(type, field) : undefined;
  const patchList = patch[field];
  if (!isMergeList(strategy) || fieldType === undefined || patchList === null) return false;
  if (patchList !== undefined && !Array.isArray(patchList))
    throw PatchError.at(fieldPath, 'expected a list, got an object', 422);

  const live = Array.isArray(original[field]) ? (original[field] as unknown[]) : undefined;
  if (live === undefined && patchList === undefined) return true;
  checkElementOrder(patchList ?? [], order, strategy.key, fieldPath);
  const merged =
    patchList === undefined
      ? (live ?? [])
      : mergeList(live ?? [], patchList, {
          key: strategy.key,
          path: fieldPath,
          mergeElement: elementMerger(elementType(fieldType)),
        });
  original[field] = applyElementOrder(merged, order, live ?? [], strategy.key, fieldPath);
  return true;
}

/** `$deleteFromPrimitiveList/<field>`: removes the listed scalars from a live list. */
function deleteFromPrimitiveList(
  original: Record<string, unknown>,
  field: string,
  values: unknown,
  path: string,
): void {
  const fieldPath = joinPath(path, field);
  if (!Array.isArray(values)) throw PatchError.at(fieldPath, '$deleteFromPrimitiveList must be a list', 400);
  const live = original[field];
  if (!Array.isArray(live)) return;
  const drop = new Set(values);
  original[field] = live.filter((v) => !drop.has(v));
}

/** The schema type of `field` inside a value of type `type`: a map's element type, or a struct field. */
function fieldTypeOf(type: FieldType, field: string): FieldType | undefined {
  if (isMapType(type)) return elementType(type);
  return fieldsOf(type)?.[field];
}
