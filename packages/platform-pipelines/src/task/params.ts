// A run's parameter values: the values given, else the declared defaults; what has neither is
// missing, and a value of the wrong type is a mismatch (Tekton's ParameterMissing and
// ParameterTypeMismatch).
import type { Param, ParamSpec, ParamValue } from '../types.js';
import type { VarValue } from '../common/substitute.js';

export interface ResolvedParams {
  readonly values: Map<string, VarValue>;
  readonly missing: string[];
  readonly mismatched: string[];
}

const typeOf = (v: ParamValue): 'string' | 'array' | 'object' =>
  typeof v === 'string' ? 'string' : Array.isArray(v) ? 'array' : 'object';

export function resolveParams(
  declared: readonly ParamSpec[] | undefined,
  given: readonly Param[] | undefined,
): ResolvedParams {
  const values = new Map<string, VarValue>();
  const missing: string[] = [];
  const mismatched: string[] = [];
  const byName = new Map((given ?? []).map((p) => [p.name, p.value]));
  for (const d of declared ?? []) {
    const v = byName.get(d.name) ?? d.default;
    if (v === undefined) {
      missing.push(d.name);
      continue;
    }
    if (typeOf(v) !== (d.type ?? 'string')) mismatched.push(d.name);
    values.set(d.name, v);
  }
  return { values, missing, mismatched };
}

/** `params.<name>` keys, as substitution looks them up. */
export function paramVars(values: ReadonlyMap<string, VarValue>): [string, VarValue][] {
  return [...values].map(([k, v]) => [`params.${k}`, v]);
}
