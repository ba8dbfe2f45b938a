// Label selectors (metav1.LabelSelector: matchLabels + matchExpressions) and node selector
// requirements, evaluated as the API machinery does. The one matcher of the project: the API
// server checks a workload's selector against its template with it, controllers pick pods with it.
// Inputs may be raw JSON, so malformed parts select nothing rather than throw.
import { isRecord } from './object.js';

export type Labels = Readonly<Record<string, string>> | undefined | null;

/** metav1.LabelSelector as found in a spec; client-node's V1LabelSelector is one. */
export interface LabelSelectorLike {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?:
    readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] | null }[] | null;
}

/** An empty selector matches everything; a missing one (undefined, null) or a malformed one matches nothing. */
export function matchesSelector(sel: LabelSelectorLike | undefined | null, labels: Labels | unknown): boolean {
  if (!isRecord(sel)) return false;
  const l = (isRecord(labels) ? labels : {}) as Record<string, unknown>;
  if (sel.matchLabels !== undefined && sel.matchLabels !== null) {
    if (!isRecord(sel.matchLabels)) return false;
    for (const [k, v] of Object.entries(sel.matchLabels)) if (l[k] !== v) return false;
  }
  const exprs: unknown = sel.matchExpressions ?? [];
  if (!Array.isArray(exprs)) return false;
  for (const e of exprs as unknown[]) {
    if (!isRecord(e) || typeof e.key !== 'string') return false;
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values: unknown[] = Array.isArray(e.values) ? e.values : [];
    const val = l[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(val)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(val)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * A selector with neither matchLabels nor matchExpressions (a present non-object counts as empty); a missing one is not
 * empty.
 */
export function isEmptySelector(sel: LabelSelectorLike | undefined | null | unknown): boolean {
  if (sel === undefined || sel === null) return false;
  if (!isRecord(sel)) return true;
  const labels = isRecord(sel.matchLabels) ? Object.keys(sel.matchLabels).length : 0;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0;
  return labels + exprs === 0;
}

/** A node selector requirement (In/NotIn/Exists/DoesNotExist/Gt/Lt) against node labels. */
export function matchesNodeRequirement(
  r: { readonly key: string; readonly operator: string; readonly values?: readonly string[] | null },
  labels: Labels,
): boolean {
  const l = labels ?? {};
  const has = Object.prototype.hasOwnProperty.call(l, r.key);
  const val = l[r.key];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(val as string);
    case 'NotIn':
      return !has || !values.includes(val as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || values.length !== 1) return false;
      const a = Number.parseInt(val as string, 10);
      const b = Number.parseInt(values[0] as string, 10);
      if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** `a=b,c in (d,e),!f` for a selector (used in list queries). */
export function selectorString(sel: LabelSelectorLike | undefined | null): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
