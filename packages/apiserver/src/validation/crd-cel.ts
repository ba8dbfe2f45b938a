// CEL validation rules of CRD schemas (x-kubernetes-validations), evaluated with @bufbuild/cel as
// kube-apiserver does: each rule sees `self` (the value at its schema node) and, for transition
// rules on an update, `oldSelf` (the stored value there). Failures are worded as upstream:
// `spec: Invalid value: "object": replicas must be at most 10`.
import { isCelError, parse, plan } from '@bufbuild/cel';
import { isRecord } from '@wharf/api';
import { forbidden, invalid, required, type FieldIssue, type FieldPath } from './issues.js';
import { additionalSchema, asSchema, type JSONSchemaProps } from './crd-types.js';
import { maxSize, overBudget, ruleCost, RULE_COST_LIMIT, SCHEMA_COST_LIMIT } from './crd-cel-cost.js';
import { COST_LIMIT_EXCEEDED, CostBudget, meteredEnv, OUT_OF_BUDGET, runMetered } from './cel-runtime-cost.js';

type Program = ReturnType<typeof plan>;
export type Bindings = NonNullable<Parameters<Program>[0]>;

/** The variables of a rule; values come from toCel, so they are CEL inputs (JSON with bigint ints). */
const bind = (self: unknown, oldSelf: unknown): Bindings =>
  (oldSelf === undefined ? { self } : { self, oldSelf }) as Bindings;

interface Rule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
  readonly fieldPath?: string;
}

const REASONS = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];
const programs = new Map<string, Program | string>();
// Every program counts its cost as it runs (cel-runtime-cost.ts).
const env = meteredEnv();

/** The compiled program of an expression, or the compiler's message. */
export function compile(expr: string): Program | string {
  let p = programs.get(expr);
  if (p === undefined) {
    try {
      p = plan(env, parse(expr));
    } catch (e) {
      p = (e as Error).message;
    }
    if (programs.size > 10_000) programs.clear();
    programs.set(expr, p);
  }
  return p;
}

const rulesOf = (s: JSONSchemaProps): Rule[] => {
  const v = (s as Record<string, unknown>)['x-kubernetes-validations'];
  return Array.isArray(v) ? v.filter(isRecord).map((r) => r as unknown as Rule) : [];
};

const usesOldSelf = (expr: string): boolean => /\boldSelf\b/.test(expr);

const COST_ADVICE =
  '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';

/**
 * Checks every rule of a CRD schema compiles and stays within its estimated cost budget, and that
 * the rules together (each times the number of places it applies) stay within the schema's.
 */
export function validateCelRules(schema: JSONSchemaProps, at: FieldPath, errs: FieldIssue[] = []): FieldIssue[] {
  const total = { cost: 0 };
  checkRules(schema, at, errs, 1, total);
  if (total.cost > SCHEMA_COST_LIMIT) {
    errs.push(
      forbidden(
        at,
        `x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of ${overBudget(total.cost, SCHEMA_COST_LIMIT)} ${COST_ADVICE}`,
      ),
    );
  }
  return errs;
}

function checkRules(
  schema: JSONSchemaProps,
  at: FieldPath,
  errs: FieldIssue[],
  cardinality: number,
  total: { cost: number },
): void {
  rulesOf(schema).forEach((r, i) => {
    const rat = at.child('x-kubernetes-validations').index(i);
    if (typeof r.rule !== 'string' || !r.rule) errs.push(required(rat.child('rule')));
    else {
      const p = compile(r.rule);
      if (typeof p === 'string') errs.push(invalid(rat.child('rule'), r.rule, `compilation failed: ${p}`));
      else {
        const cost = ruleCost(r.rule, schema);
        if (cost > RULE_COST_LIMIT)
          errs.push(
            forbidden(
              rat.child('rule'),
              `estimated rule cost exceeds budget by factor of ${overBudget(cost, RULE_COST_LIMIT)} ${COST_ADVICE}`,
            ),
          );
        total.cost += cost * cardinality;
      }
    }
    if (r.messageExpression !== undefined) {
      const p = typeof r.messageExpression === 'string' ? compile(r.messageExpression) : 'must be a string';
      if (typeof p === 'string')
        errs.push(
          invalid(rat.child('messageExpression'), r.messageExpression, `messageExpression compilation failed: ${p}`),
        );
    }
    if (r.message !== undefined && r.messageExpression !== undefined)
      errs.push(forbidden(rat.child('messageExpression'), 'may not be set when message is set'));
    if (r.reason !== undefined && !REASONS.includes(String(r.reason)))
      errs.push(invalid(rat.child('reason'), r.reason, `must be one of ${REASONS.join(', ')}`));
  });
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    const s = asSchema(v);
    if (s) checkRules(s, at.child('properties').key(k), errs, cardinality, total);
  }
  // A rule under a list or a map runs once per element.
  const items = asSchema(schema.items);
  if (items) checkRules(items, at.child('items'), errs, cardinality * maxSize(schema), total);
  const extra = additionalSchema(schema);
  if (extra) checkRules(extra, at.child('additionalProperties'), errs, cardinality * maxSize(schema), total);
}

/** A JSON value as CEL sees it under its schema: integers as int (bigint), numbers as double. */
export function toCel(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (Array.isArray(v)) {
    const items = s ? asSchema(s.items) : undefined;
    return v.map((x) => toCel(x, items));
  }
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    const extra = s ? additionalSchema(s) : undefined;
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x, asSchema(s?.properties?.[k]) ?? extra);
    return out;
  }
  if (typeof v === 'number') {
    const integral = s?.type === 'integer' || (s?.type === undefined && Number.isInteger(v));
    return integral && Number.isInteger(v) ? BigInt(v) : v;
  }
  return v;
}

const schemaType = (s: JSONSchemaProps, v: unknown): string =>
  typeof s.type === 'string' ? s.type : Array.isArray(v) ? 'array' : isRecord(v) ? 'object' : typeof v;

/**
 * Evaluates every rule of `schema` on `value` (and `old`, the stored value, on updates), within
 * upstream's runtime cost limits: an expression over the per-call limit, or rules that together
 * spend the request's budget, fail the object and no further rules run.
 */
export function evaluateCelRules(
  value: unknown,
  old: unknown,
  schema: JSONSchemaProps,
  path: string,
  errs: FieldIssue[] = [],
  budget = new CostBudget(),
): FieldIssue[] {
  if (value === undefined || value === null || budget.remaining < 0) return errs;
  const rules = rulesOf(schema);
  if (rules.length) {
    const self = toCel(value, schema);
    const oldSelf = old === undefined ? undefined : toCel(old, schema);
    const type = schemaType(schema, value);
    for (const r of rules) {
      if (typeof r.rule !== 'string') continue;
      if (usesOldSelf(r.rule) && oldSelf === undefined) continue; // a transition rule needs a stored value
      const program = compile(r.rule);
      const at = `${path}${r.fieldPath ?? ''}`.replace(/^\./, '');
      if (typeof program === 'string') {
        errs.push(invalid(at, type, `compilation failed: ${program}`));
        continue;
      }
      const run = runMetered(() => program(bind(self, oldSelf)), budget);
      if (run.exceeded) {
        const why =
          run.exceeded === 'call'
            ? `'${COST_LIMIT_EXCEEDED}': no further validation rules will be run due to call cost exceeds limit for rule: ${r.rule}`
            : OUT_OF_BUDGET;
        errs.push(invalid(path.replace(/^\./, ''), type, why));
        budget.remaining = -1;
        return errs;
      }
      const result = run.value;
      if (result === true) continue;
      const message = isCelError(result)
        ? `internal error: ${result.message} evaluating rule: ${r.rule}`
        : messageOf(r, self, oldSelf, budget);
      if (r.reason === 'FieldValueForbidden') errs.push(forbidden(at, message));
      else if (r.reason === 'FieldValueRequired') errs.push(required(at, message));
      else errs.push(invalid(at, type, message));
    }
  }
  if (isRecord(value)) {
    const oldRecord = isRecord(old) ? old : undefined;
    const extra = additionalSchema(schema);
    for (const [k, v] of Object.entries(value)) {
      const s = asSchema(schema.properties?.[k]) ?? extra;
      if (s) evaluateCelRules(v, oldRecord?.[k], s, `${path}.${k}`, errs, budget);
    }
  } else if (Array.isArray(value)) {
    const items = asSchema(schema.items);
    if (items)
      value.forEach((x, i) => evaluateCelRules(x, oldListItem(schema, x, old), items, `${path}[${i}]`, errs, budget));
  }
  return errs;
}

/** The stored item a list item corresponds to: only map lists correlate, by their keys. */
function oldListItem(schema: JSONSchemaProps, item: unknown, old: unknown): unknown {
  const s = schema as Record<string, unknown>;
  const keys = Array.isArray(s['x-kubernetes-list-map-keys']) ? (s['x-kubernetes-list-map-keys'] as string[]) : [];
  if (s['x-kubernetes-list-type'] !== 'map' || !keys.length || !Array.isArray(old) || !isRecord(item)) return undefined;
  return old.find((o) => isRecord(o) && keys.every((k) => o[k] === item[k]));
}

function messageOf(r: Rule, self: unknown, oldSelf: unknown, budget: CostBudget): string {
  if (typeof r.message === 'string' && r.message) return r.message;
  if (typeof r.messageExpression === 'string') {
    const p = compile(r.messageExpression);
    if (typeof p !== 'string') {
      const m = runMetered(() => p(bind(self, oldSelf)), budget).value;
      if (typeof m === 'string' && m.trim()) return m;
    }
  }
  return `failed rule: ${r.rule}`;
}
