// The CEL variables admission expressions see (webhook matchConditions, ValidatingAdmissionPolicy):
// `object`, `oldObject`, `request`, `namespaceObject`, `params`, and `variables` filled in order.
import { isCelError } from '@bufbuild/cel';
import type { UserInfo } from '../objects/context.js';
import { objectKey, type Store } from '../storage/index.js';
import { compileCel, toCel, type CelBindings } from '../validation/index.js';
import type { AdmissionRequest } from './config.js';

export type CelVars = Record<string, unknown>;

export function admissionVars(req: AdmissionRequest, user: UserInfo, dryRun: boolean, store: Store): CelVars {
  const { group, version, kind, resource, namespaced } = req.served.info;
  const ns = namespaced ? store.get(objectKey('', 'namespaces', undefined, req.namespace)) : undefined;
  return {
    object: req.operation === 'DELETE' ? null : toCel(req.object ?? null, undefined),
    oldObject: req.operation === 'CREATE' ? null : toCel(req.oldObject ?? null, undefined),
    namespaceObject: ns ? toCel(ns, undefined) : null,
    params: null,
    variables: {},
    request: {
      operation: req.operation, name: req.name, namespace: req.namespace, dryRun,
      kind: req.kind ?? { group, version, kind }, resource: { group, version, resource }, subResource: req.subresource,
      userInfo: { username: user.name, groups: user.groups },
    },
  };
}

/** Evaluates `expression`; an Error (compile or evaluation) when it cannot be evaluated. */
export function evaluate(expression: string, vars: CelVars): unknown {
  const program = compileCel(expression);
  if (typeof program === 'string') return new Error(`compilation failed: ${program}`);
  const r = program(vars as CelBindings);
  return isCelError(r) ? new Error(r.message) : r;
}

/** The policy's `variables` computed in order into vars.variables (each may use the earlier ones). */
export function withVariables(vars: CelVars, variables: readonly Record<string, unknown>[]): CelVars {
  const values: Record<string, unknown> = {};
  const out = { ...vars, variables: values };
  for (const v of variables) {
    const r = evaluate(String(v.expression ?? ''), out);
    values[String(v.name)] = r instanceof Error ? null : r;
  }
  return out;
}

/** Whether every match condition holds; a condition that cannot be evaluated is an Error. */
export function matchConditionsHold(conditions: readonly Record<string, unknown>[], vars: CelVars): boolean | Error {
  for (const c of conditions) {
    const r = evaluate(String(c.expression ?? ''), vars);
    if (r === false) return false;
    if (r !== true) return new Error(`matchCondition '${String(c.name)}' ${r instanceof Error ? `failed: ${r.message}` : 'did not evaluate to a boolean'}`);
  }
  return true;
}
