// The value half of server-side apply: merging an applied configuration into the live object
// (typed.Merge: the configuration wins on leaves, granular maps merge by key, set and map lists
// merge by item) and removing the items an applier gave up (typed.RemoveItems).
import { clone, isRecord } from '@wharf/api';
import { field, type FieldSet, type PathElement } from './fieldset.js';
import { isLeaf, resolve, type ListShape, type Shape } from './shape.js';
import { indexItems, itemElement } from './walk.js';

/** `config` merged over `live`; neither is mutated. */
export function mergeValues(live: unknown, config: unknown, shape: Shape): unknown {
  if (config === undefined) return clone(live);
  if (live === undefined || live === null || config === null) return clone(config);
  const s = resolve(shape, config);
  if (isLeaf(s) || s.kind === 'scalar') return clone(config);
  if (s.kind === 'map') {
    if (!isRecord(live) || !isRecord(config)) return clone(config);
    const out: Record<string, unknown> = clone(live);
    for (const [k, v] of Object.entries(config)) out[k] = mergeValues(live[k], v, s.child(k));
    return out;
  }
  if (!Array.isArray(live) || !Array.isArray(config)) return clone(config);
  return mergeLists(live, config, s);
}

/**
 * Items of both lists in upstream's order: items only live are kept where they were, shared items
 * are merged and follow the configuration's order, new items come where the configuration has them.
 */
function mergeLists(live: readonly unknown[], config: readonly unknown[], s: ListShape): unknown[] {
  const liveByKey = indexItems(s, live);
  const configByKey = indexItems(s, config);
  const lpes = live.map((item) => itemElement(s, item));
  const rpes = config.map((item) => itemElement(s, item));
  const shared = rpes.filter((pe): pe is PathElement => pe !== undefined && liveByKey.has(pe));
  let next = 0;
  const out: unknown[] = [];
  const done = new Set<PathElement>();
  const take = (pe: PathElement): void => {
    if (done.has(pe)) return;
    done.add(pe);
    out.push(mergeValues(liveByKey.get(pe), configByKey.get(pe), s.elem));
    if (shared[next] === pe) next++;
  };
  let li = 0;
  let ri = 0;
  while (li < live.length || ri < config.length) {
    const lpe = lpes[li];
    const rpe = rpes[ri];
    if (li < live.length && ri < config.length && lpe !== undefined && lpe === rpe) {
      take(lpe);
      li++;
      ri++;
      continue;
    }
    if (li < live.length) {
      if (lpe === undefined || done.has(lpe)) {
        li++;
        continue;
      }
      if (!configByKey.has(lpe)) {
        done.add(lpe);
        out.push(clone(live[li]));
        li++;
        continue;
      }
      // A shared item that the configuration places later: it is merged when the configuration reaches it.
      if (shared[next] !== lpe || ri >= config.length) {
        li++;
        continue;
      }
    }
    if (ri < config.length) {
      if (rpe !== undefined) take(rpe);
      ri++;
    }
  }
  return out;
}

/**
 * Removes from `value` (mutated) every member of `remove` that no path in `keep` lies at or
 * below; maps and lists emptied by a removal go too. Returns whether `value` itself emptied.
 */
export function removeItems(value: unknown, remove: FieldSet, keep: FieldSet | undefined, shape: Shape): boolean {
  const s = resolve(shape, value);
  if (s.kind === 'map' && isRecord(value)) {
    let removedAny = false;
    for (const k of Object.keys(value)) {
      const pe = field(k);
      const r = remove.children.get(pe);
      if (!r) continue;
      const kept = keep?.children.get(pe);
      if (r.member && (!kept || kept.isEmpty())) {
        delete value[k];
        removedAny = true;
      } else if (r.children.size && removeItems(value[k], r, kept, s.child(k))) {
        delete value[k];
        removedAny = true;
      }
    }
    return removedAny && Object.keys(value).length === 0;
  }
  if (s.kind === 'list' && Array.isArray(value) && s.listType !== 'atomic') {
    const before = value.length;
    for (let i = value.length - 1; i >= 0; i--) {
      const pe = itemElement(s, value[i]);
      const r = pe === undefined ? undefined : remove.children.get(pe);
      if (!r || pe === undefined) continue;
      const kept = keep?.children.get(pe);
      if (r.member && (!kept || kept.isEmpty())) value.splice(i, 1);
      else if (r.children.size) removeItems(value[i], r, kept, s.elem);
    }
    return value.length === 0 && before > 0;
  }
  return false;
}
