// Label selectors as apimachinery defines them: requirements ANDed together, built from the
// `labelSelector` query string (see label-parser.ts) or from a metav1.LabelSelector object in a spec.
// Controllers use the same class to pick the pods a workload owns.
import { isRecord } from '@wharf/api';
import { SelectorError } from './errors.js';
import { aggregate, invalidValue, labelValueErrors, qualifiedNameErrors } from './validation.js';

/** The operators of apimachinery's `selection` package, spelled as it spells them. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Empty for exists / !; one value for =, ==, !=, gt, lt; one or more for in / notin. */
  readonly values: readonly string[];
}

/** metav1.LabelSelector as found in a spec (Deployment.spec.selector, PDB, NetworkPolicy, ...). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[] | null;
  }> | null;
}

/** A parsed label selector; immutable. */
export class LabelSelector {
  private constructor(
    readonly requirements: readonly LabelRequirement[],
    private readonly nothing: boolean,
  ) {}

  private static readonly EVERYTHING = new LabelSelector([], false);
  private static readonly NOTHING = new LabelSelector([], true);

  /** Matches every object, labelled or not (the empty selector). */
  static everything(): LabelSelector {
    return LabelSelector.EVERYTHING;
  }

  /** Matches no object (a null metav1.LabelSelector). */
  static nothing(): LabelSelector {
    return LabelSelector.NOTHING;
  }

  /** Requirements are kept sorted by key, as apimachinery keeps them, for a stable toString(). */
  static of(requirements: readonly LabelRequirement[]): LabelSelector {
    if (requirements.length === 0) return LabelSelector.EVERYTHING;
    const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return new LabelSelector(sorted, false);
  }

  matches(labels: Readonly<Record<string, string>> | undefined | null): boolean {
    if (this.nothing) return false;
    const ls = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, ls));
  }

  /** True when the selector does not restrict anything (matches everything). */
  isEmpty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  matchesNothing(): boolean {
    return this.nothing;
  }

  /** The single value `key` must have, when the selector pins it (`key=v`, `key==v`, `key in (v)`). */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r || !(r.operator === '=' || r.operator === '==' || r.operator === 'in') || r.values.length !== 1)
      return undefined;
    return r.values[0];
  }

  /** The canonical string form, e.g. `app=web,tier in (a,b),!legacy`. */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

function has(ls: Readonly<Record<string, string>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(ls, key);
}

function requirementMatches(r: LabelRequirement, ls: Readonly<Record<string, string>>): boolean {
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has(ls, r.key) && r.values.includes(ls[r.key] ?? '');
    case 'notin':
    case '!=':
      return !has(ls, r.key) || !r.values.includes(ls[r.key] ?? '');
    case 'exists':
      return has(ls, r.key);
    case '!':
      return !has(ls, r.key);
    case 'gt':
    case 'lt': {
      if (!has(ls, r.key) || r.values.length !== 1) return false;
      const actual = parseInteger(ls[r.key] ?? '');
      const bound = parseInteger(r.values[0] ?? '');
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** strconv.ParseInt(s, 10, 64): an optional sign and decimal digits only. */
function parseInteger(s: string): bigint | undefined {
  return /^[+-]?\d+$/.test(s) ? BigInt(s) : undefined;
}

function requirementString(r: LabelRequirement): string {
  const values = r.values.length > 1 ? [...r.values].sort().join(',') : (r.values[0] ?? '');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/**
 * Builds one requirement with apimachinery's NewRequirement checks; errors use the same field
 * paths the API server prints (`key`, `values`, `values[0][<key>]`).
 */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  const errs: string[] = [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length > 0) errs.push(invalidValue('key', key, keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        errs.push(invalidValue('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        errs.push(invalidValue('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        errs.push(invalidValue('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1)
        errs.push(invalidValue('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInteger(v) === undefined)
          errs.push(invalidValue(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length > 0) errs.push(invalidValue(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length > 0) throw new SelectorError(aggregate(errs));
  return { key, operator, values: [...values] };
}

/** A selector requiring exactly these labels (a Service's `spec.selector`); empty or absent matches everything. */
export function selectorFromSet(labels: Readonly<Record<string, string>> | undefined | null): LabelSelector {
  return LabelSelector.of(Object.entries(labels ?? {}).map(([k, v]) => ({ key: k, operator: '=', values: [v] })));
}

const EXPRESSION_OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

function stringList(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new SelectorError(`${path}: must be a list of strings`);
  return v as string[];
}

/**
 * metav1.LabelSelectorAsSelector: `null`/`undefined` matches nothing, `{}` matches everything,
 * otherwise matchLabels and matchExpressions are ANDed. Throws SelectorError on a bad key, value
 * or operator, naming it.
 */
export function fromLabelSelectorObject(sel: LabelSelectorObject | null | undefined | unknown): LabelSelector {
  if (sel === null || sel === undefined) return LabelSelector.nothing();
  if (!isRecord(sel))
    throw new SelectorError('label selector must be an object with matchLabels and/or matchExpressions');
  const reqs: LabelRequirement[] = [];
  const matchLabels = sel['matchLabels'];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) throw new SelectorError('matchLabels: must be a map of strings');
    for (const [k, v] of Object.entries(matchLabels)) {
      if (typeof v !== 'string') throw new SelectorError(`matchLabels.${k}: must be a string`);
      reqs.push(newRequirement(k, '=', [v]));
    }
  }
  const exprs = sel['matchExpressions'];
  if (exprs !== undefined && exprs !== null) {
    if (!Array.isArray(exprs)) throw new SelectorError('matchExpressions: must be a list');
    exprs.forEach((e: unknown, i) => {
      if (!isRecord(e)) throw new SelectorError(`matchExpressions[${i}]: must be an object`);
      const op = e['operator'];
      const mapped = typeof op === 'string' ? EXPRESSION_OPERATORS[op] : undefined;
      if (!mapped) throw new SelectorError(`${JSON.stringify(op ?? '')} is not a valid label selector operator`);
      const key = typeof e['key'] === 'string' ? e['key'] : '';
      reqs.push(newRequirement(key, mapped, stringList(e['values'], `matchExpressions[${i}].values`)));
    });
  }
  return LabelSelector.of(reqs);
}
