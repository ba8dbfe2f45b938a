// The estimated cost of CRD validation rules, checked when a CRD is written, after kube-apiserver's
// static cost check: a rule's cost grows with the sizes of the lists, maps and strings it walks,
// and a size the schema does not bound (maxItems, maxProperties, maxLength) is as large as a 3 MiB
// request could make it. A rule over its budget, or a schema whose rules together (each times the
// number of places it applies) are over theirs, is refused with the factor and how to fix it.
// The model is a simplification of upstream's (one unit per node visited, string functions by
// length, comprehensions by their range's size); what it shares is the order of magnitude.
import { parse } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { additionalSchema, asSchema, type JSONSchemaProps } from './crd-types.js';

/** Upstream's budget for one rule (StaticEstimatedCostLimit). */
export const RULE_COST_LIMIT = 10_000_000;
/** Upstream's budget for all rules of one schema, each times its cardinality (StaticEstimatedCRDCostLimit). */
export const SCHEMA_COST_LIMIT = 100_000_000;
/** The largest request body: what bounds a size the schema leaves open. */
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/** The fewest bytes a value of the schema takes in JSON (`""`, `0`, `{}`, `[]`, `true`). */
function minSize(s: JSONSchemaProps | undefined): number {
  switch (s?.type) {
    case 'string':
      return 2 + (s.minLength ?? 0);
    case 'boolean':
      return 4;
    case 'integer':
    case 'number':
      return 1;
    default:
      return 2;
  }
}

/** How many elements (or characters) a value of the schema can hold at most. */
export function maxSize(s: JSONSchemaProps | undefined): number {
  if (!s) return MAX_REQUEST_BYTES;
  if (s.type === 'string') {
    // An enum bounds the length as its longest value does.
    const longest =
      Array.isArray(s.enum) && s.enum.length ? Math.max(...s.enum.map((v) => String(v).length)) : undefined;
    return s.maxLength ?? longest ?? MAX_REQUEST_BYTES - 2;
  }
  if (s.type === 'array') return s.maxItems ?? Math.floor((MAX_REQUEST_BYTES - 2) / (minSize(asSchema(s.items)) + 1));
  if (s.type === 'object') {
    const extra = additionalSchema(s);
    // A map entry is at least `"":` plus its value and a comma.
    if (extra) return s.maxProperties ?? Math.floor((MAX_REQUEST_BYTES - 2) / (minSize(extra) + 4));
    return Object.keys(s.properties ?? {}).length || 1;
  }
  return 1;
}

/** The schema of what an element of `s` is when iterated (list items, map keys) or indexed (map values). */
const elementOf = (s: JSONSchemaProps | undefined, indexed: boolean): JSONSchemaProps | undefined => {
  if (!s) return undefined;
  if (s.type === 'array') return asSchema(s.items);
  if (s.type === 'object') return indexed ? additionalSchema(s) : { type: 'string' };
  return undefined;
};

/** Functions whose cost grows with the length of the string or list they are called on. */
export const LINEAR: ReadonlySet<string> = new Set([
  'contains',
  'matches',
  'lowerAscii',
  'upperAscii',
  'trim',
  'split',
  'replace',
  'indexOf',
  'lastIndexOf',
  'join',
  '@in',
  '_+_',
]);
/**
 * Functions that read no further than their shorter operand (a comparison stops at the first difference, a prefix at
 * its end).
 */
export const SHORTEST: ReadonlySet<string> = new Set(['_==_', '_!=_', 'startsWith', 'endsWith']);

interface Estimate {
  cost: number;
  schema?: JSONSchemaProps;
  /** The value's largest size when known without a schema (a literal string). */
  size?: number;
}

const sizeOf = (e: Estimate): number => e.size ?? (e.schema ? maxSize(e.schema) : 1);

type Scope = ReadonlyMap<string, JSONSchemaProps | undefined>;

function estimate(e: Expr | undefined, scope: Scope): Estimate {
  if (!e) return { cost: 0 };
  const k = e.exprKind;
  switch (k.case) {
    case 'constExpr':
      return { cost: 0, size: k.value.constantKind.case === 'stringValue' ? k.value.constantKind.value.length : 1 };
    case 'identExpr':
      return { cost: 1, schema: scope.get(k.value.name) };
    case 'selectExpr': {
      const operand = estimate(k.value.operand, scope);
      const s = operand.schema;
      const field = s?.properties?.[k.value.field] ?? (s ? additionalSchema(s) : undefined);
      return { cost: operand.cost + 1, schema: asSchema(field) };
    }
    case 'callExpr': {
      const fn = k.value.function;
      const target = estimate(k.value.target, scope);
      const args = k.value.args.map((a) => estimate(a, scope));
      let cost = 1 + target.cost + args.reduce((n, a) => n + a.cost, 0);
      if (fn === '_[_]') return { cost, schema: elementOf(args[0]?.schema, true) };
      // A tenth of a unit per character or element read, as upstream charges traversals.
      const operands = [...(k.value.target ? [target] : []), ...args];
      if (LINEAR.has(fn)) cost += Math.ceil(Math.max(0, ...operands.map(sizeOf)) * 0.1);
      else if (SHORTEST.has(fn)) cost += Math.ceil(Math.min(...operands.map(sizeOf)) * 0.1);
      return { cost };
    }
    case 'listExpr':
      return { cost: 1 + k.value.elements.reduce((n, x) => n + estimate(x, scope).cost, 0) };
    case 'structExpr':
      return {
        cost:
          1 +
          k.value.entries.reduce(
            (n, x) =>
              n +
              estimate(x.value, scope).cost +
              (x.keyKind.case === 'mapKey' ? estimate(x.keyKind.value, scope).cost : 0),
            0,
          ),
      };
    case 'comprehensionExpr': {
      const c = k.value;
      const range = estimate(c.iterRange, scope);
      // A range of unknown shape is bounded by the request: a list of the smallest values.
      const n = maxSize(range.schema ?? { type: 'array' });
      const inner = new Map(scope);
      inner.set(c.iterVar, elementOf(range.schema, false));
      if (c.iterVar2) inner.set(c.iterVar2, elementOf(range.schema, true));
      inner.set(c.accuVar, undefined);
      const step = estimate(c.loopCondition, inner).cost + estimate(c.loopStep, inner).cost;
      const result = estimate(c.result, inner);
      return { cost: range.cost + estimate(c.accuInit, scope).cost + n * step + result.cost, schema: result.schema };
    }
    default:
      return { cost: 1 };
  }
}

/** The estimated cost of an expression whose variables have the schemas of `scope`. */
function costOf(expression: string, scope: Scope): number {
  let expr: Expr;
  try {
    expr = parse(expression).expr;
  } catch {
    return 0; // the compile check reports it
  }
  return estimate(expr, scope).cost;
}

/** The estimated cost of one rule evaluated at a node of schema `self`. */
export const ruleCost = (rule: string, self: JSONSchemaProps): number =>
  costOf(
    rule,
    new Map([
      ['self', self],
      ['oldSelf', self],
    ]),
  );

/**
 * The estimated cost of an admission expression (policy validations, variables, match conditions):
 * its variables have no schema, so every list or map it walks is as large as a request allows.
 */
export const expressionCost = (expression: string, variables: readonly string[]): number =>
  costOf(expression, new Map(variables.map((v) => [v, undefined])));

/** How upstream words a cost over its budget. */
export function overBudget(cost: number, limit: number): string {
  const factor = cost / limit;
  return factor > 100 ? 'more than 100x' : `${factor.toFixed(1)}x`;
}
