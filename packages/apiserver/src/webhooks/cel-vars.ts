// The CEL variables admission expressions see (webhook matchConditions, ValidatingAdmissionPolicy):
// `object`, `oldObject`, `request`, `namespaceObject`, `params`, and `variables` filled in order.
// Each evaluation is metered (upstream's per-call limit) and drawn from the caller's budget.
import { isCelError } from '@bufbuild/cel';
import type { UserInfo } from '../objects/context.js';
import { objectKey, type Store } from '../storage/index.js';
import {
  compileCel,
  COST_LIMIT_EXCEEDED,
  CostBudget,
  MATCH_CONDITIONS_COST_BUDGET,
  OUT_OF_BUDGET,
  runMetered,
  toCel,
  type CelBindings,
} from '../validation/index.js';
import type { AdmissionRequest } from './config.js';

export type CelVars = Record<string, unknown>;

export function admissionVars(
  req: AdmissionRequest,
  user: UserInfo,
  dryRun: boolean,
  store: Store,
  params: unknown = null,
): CelVars {
  const { group, version, kind, resource, namespaced } = req.served.info;
  const ns = namespaced ? store.get(objectKey('', 'namespaces', undefined, req.namespace)) : undefined;
  return {
    object: req.operation === 'DELETE' ? null : toCel(req.object ?? null, undefined),
    oldObject: req.operation === 'CREATE' ? null : toCel(req.oldObject ?? null, undefined),
    namespaceObject: ns ? toCel(ns, undefined) : null,
    params: params === null ? null : toCel(params, undefined),
    variables: {},
    request: {
      operation: req.operation,
      name: req.name,
      namespace: req.namespace,
      dryRun,
      kind: req.kind ?? { group, version, kind },
      resource: { group, version, resource },
      subResource: req.subresource,
      userInfo: { username: user.name, groups: user.groups },
    },
  };
}

/** The request's budget is spent: no further expression of the policy (or webhook) is evaluated. */
export class OutOfBudget extends Error {
  constructor() {
    super(OUT_OF_BUDGET);
  }
}

/**
 * Evaluates `expression` within the per-call limit, paid from `budget`; an Error (compile or
 * evaluation, the per-call limit among them) when it cannot be evaluated. Throws OutOfBudget.
 */
export function evaluate(expression: string, vars: CelVars, budget: CostBudget): unknown {
  const program = compileCel(expression);
  if (typeof program === 'string') return new Error(`compilation failed: ${program}`);
  const r = runMetered(() => program(vars as CelBindings), budget);
  if (r.exceeded === 'budget') throw new OutOfBudget();
  if (r.exceeded === 'call') return new Error(COST_LIMIT_EXCEEDED);
  return isCelError(r.value) ? new Error(r.value.message) : r.value;
}

/** The policy's `variables` computed in order into vars.variables (each may use the earlier ones). */
export function withVariables(
  vars: CelVars,
  variables: readonly Record<string, unknown>[],
  budget: CostBudget,
): CelVars {
  const values: Record<string, unknown> = {};
  const out = { ...vars, variables: values };
  for (const v of variables) {
    const r = evaluate(String(v.expression ?? ''), out, budget);
    values[String(v.name)] = r instanceof Error ? null : r;
  }
  return out;
}

/**
 * Whether every match condition holds, within upstream's budget for match conditions; a condition
 * that cannot be evaluated (or the budget running out) is an Error.
 */
export function matchConditionsHold(conditions: readonly Record<string, unknown>[], vars: CelVars): boolean | Error {
  const budget = new CostBudget(MATCH_CONDITIONS_COST_BUDGET);
  for (const c of conditions) {
    let r: unknown;
    try {
      r = evaluate(String(c.expression ?? ''), vars, budget);
    } catch (e) {
      if (e instanceof OutOfBudget) return e;
      throw e;
    }
    if (r === false) return false;
    if (r !== true)
      return new Error(
        `matchCondition '${String(c.name)}' ${r instanceof Error ? `failed: ${r.message}` : 'did not evaluate to a boolean'}`,
      );
  }
  return true;
}
