// Strategic merge of one list field whose patch strategy is `merge`: elements matched by merge key
// (or scalar value) merge, `$patch` elements delete or replace, and the result is ordered as the
// API server orders it (patch order first, server-only elements keep their relative order).
import { isRecord } from '@wharf/api';
import { PatchError } from './errors.js';

/** Merges one patch element into one live element (or into {} for a new element). */
export type MergeElement = (
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  path: string,
) => Record<string, unknown>;

export interface ListContext {
  /** The merge key of a list of objects; undefined for a list of scalars. */
  readonly key: string | undefined;
  /** Dotted path of the list field, for error messages. */
  readonly path: string;
  readonly mergeElement: MergeElement;
}

/** Merges `patch` into `original` (neither is changed; live elements may be merged in place). */
export function mergeList(original: readonly unknown[], patch: readonly unknown[], ctx: ListContext): unknown[] {
  return ctx.key === undefined ? mergeScalars(original, patch, ctx.path) : mergeObjects(original, patch, ctx.key, ctx);
}

/** Applies `$setElementOrder/<field>`: elements named in `order` come in that order. */
export function applyElementOrder(
  merged: readonly unknown[],
  order: readonly unknown[],
  serverOrder: readonly unknown[],
  key: string | undefined,
  path: string,
): unknown[] {
  const id = identity(key);
  if (key !== undefined) {
    for (const item of order) {
      if (!isRecord(item) || item[key] === undefined) {
        throw PatchError.at(path, `every $setElementOrder element must be an object with the merge key "${key}"`, 400);
      }
    }
  }
  return sortByPatchThenServer(merged, order, serverOrder, id);
}

/**
 * Checks that the patch list names only elements in the `$setElementOrder` list, in the same
 * relative order; the API server rejects the patch otherwise.
 */
export function checkElementOrder(
  patch: readonly unknown[],
  order: readonly unknown[],
  key: string | undefined,
  path: string,
): void {
  const id = identity(key);
  const listed = patch.filter((item) => !(isRecord(item) && '$patch' in item));
  let at = 0;
  for (const item of listed) {
    const want = id(item);
    while (at < order.length && id(order[at]) !== want) at++;
    if (at >= order.length) {
      throw PatchError.at(
        path,
        `the order of the patch list does not match its $setElementOrder list (element ${JSON.stringify(want)})`,
        400,
      );
    }
    at++;
  }
}

function mergeScalars(original: readonly unknown[], patch: readonly unknown[], path: string): unknown[] {
  for (const v of patch) {
    if (typeof v === 'object' && v !== null)
      throw PatchError.at(path, 'a merged list of values cannot contain objects or lists', 400);
  }
  const merged = [...new Set([...original, ...patch])];
  return sortByPatchThenServer(merged, patch, original, (v) => v);
}

function mergeObjects(
  original: readonly unknown[],
  patch: readonly unknown[],
  key: string,
  ctx: ListContext,
): unknown[] {
  let live = [...original];
  const elements: Record<string, unknown>[] = [];
  let replace = false;
  for (const [i, item] of patch.entries()) {
    if (!isRecord(item)) throw PatchError.at(`${ctx.path}[${i}]`, 'elements of a merged list must be objects', 400);
    const directive = item['$patch'];
    if (directive === undefined) {
      elements.push(item);
    } else if (directive === 'delete') {
      if (item[key] === undefined)
        throw PatchError.at(`${ctx.path}[${i}]`, `$patch: delete needs the merge key "${key}"`, 422);
      live = live.filter((m) => !(isRecord(m) && m[key] === item[key]));
    } else if (directive === 'replace') {
      replace = true;
    } else {
      throw PatchError.at(
        `${ctx.path}[${i}]`,
        `unknown $patch directive ${JSON.stringify(directive)} in a list (want delete or replace)`,
        400,
      );
    }
  }
  if (replace) return elements.map((el) => ctx.mergeElement({}, el, elementPath(ctx.path, key, el)));

  const merged = [...live];
  for (const el of elements) {
    const id = el[key];
    const path = elementPath(ctx.path, key, el);
    if (id === undefined || id === null) throw PatchError.at(path, `list element has no merge key "${key}"`, 422);
    const at = merged.findIndex((m) => isRecord(m) && m[key] === id);
    const current = merged[at];
    if (at >= 0 && isRecord(current)) merged[at] = ctx.mergeElement(current, el, path);
    else merged.push(ctx.mergeElement({}, el, path));
  }
  return sortByPatchThenServer(merged, elements, live, identity(key));
}

/**
 * The API server's ordering: elements present in `patchOrder` sorted by it, elements only on the
 * server sorted by `serverOrder`, then the two interleaved. A server-only element goes before a
 * patch element only when both are on the server and it came first there — so new elements from
 * a patch without `$setElementOrder` land at the front, as in Kubernetes.
 */
function sortByPatchThenServer(
  merged: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  id: (v: unknown) => unknown,
): unknown[] {
  const patchIds = patchOrder.map(id);
  const serverIds = serverOrder.map(id);
  const indexIn = (ids: unknown[], v: unknown): number => {
    const k = id(v);
    return k === undefined ? -1 : ids.indexOf(k);
  };
  const fromPatch = sortStable(
    merged.filter((v) => indexIn(patchIds, v) >= 0),
    (v) => indexIn(patchIds, v),
  );
  const serverOnly = sortStable(
    merged.filter((v) => indexIn(patchIds, v) < 0),
    (v) => indexIn(serverIds, v),
  );

  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (j >= fromPatch.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(fromPatch[j++]);
    else {
      const left = indexIn(serverIds, serverOnly[i]);
      const right = indexIn(serverIds, fromPatch[j]);
      if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]);
      else out.push(fromPatch[j++]);
    }
  }
  return out;
}

/** Stable sort by rank; items ranked -1 (not found) keep their relative order at the end. */
function sortStable(items: unknown[], rank: (v: unknown) => number): unknown[] {
  const found = items.filter((v) => rank(v) >= 0).sort((a, b) => rank(a) - rank(b));
  return [...found, ...items.filter((v) => rank(v) < 0)];
}

function identity(key: string | undefined): (v: unknown) => unknown {
  if (key === undefined) return (v) => v;
  return (v) => (isRecord(v) ? (v[key] ?? undefined) : undefined);
}

function elementPath(path: string, key: string, el: Record<string, unknown>): string {
  const id = el[key];
  return typeof id === 'string' || typeof id === 'number' ? `${path}[${key}=${id}]` : path;
}
