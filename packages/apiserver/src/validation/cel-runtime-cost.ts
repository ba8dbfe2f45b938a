// The runtime cost of CEL evaluation, as kube-apiserver limits it: one expression may spend at most
// PerCallLimit, and all the expressions of one request (the rules of a custom resource, the
// expressions of one policy binding) share RuntimeCELCostBudget. @bufbuild/cel does not count
// cost, so every function call of a program planned in the metered environment charges the meter
// (one unit, plus a tenth per character or element that functions walking strings and lists read,
// as upstream charges traversals). A call past the limit aborts the evaluation with upstream's error.
import { celEnv, isCelError, isCelList, isCelMap, type CelEnv, type CelResult } from '@bufbuild/cel';
import { LINEAR, SHORTEST } from './crd-cel-cost.js';

/** Upstream's limit for one expression's evaluation (celconfig.PerCallLimit). */
export const PER_CALL_LIMIT = 1_000_000;
/** Upstream's budget for one request's expressions (celconfig.RuntimeCELCostBudget). */
export const RUNTIME_COST_BUDGET = 10_000_000;
/** Upstream's budget for one webhook's or policy's match conditions (RuntimeCELCostBudgetMatchConditions). */
export const MATCH_CONDITIONS_COST_BUDGET = 2_500_000;

/** The error CEL reports when an expression runs past its cost limit. */
export const COST_LIMIT_EXCEEDED = 'operation cancelled: actual cost limit exceeded';
/** How upstream reports a request whose expressions spent the whole budget. */
export const OUT_OF_BUDGET =
  'validation failed due to running out of cost budget, no further validation rules will be run';

/** What is left of one request's budget; evaluations draw it down. */
export class CostBudget {
  constructor(public remaining: number = RUNTIME_COST_BUDGET) {}
}

class CostExceeded extends Error {
  constructor() {
    super(COST_LIMIT_EXCEEDED);
  }
}

// The meter of the evaluation in progress (evaluation is synchronous, so one at a time).
const meter = { cost: 0, limit: Number.POSITIVE_INFINITY };

const sizeOf = (v: unknown): number => {
  if (typeof v === 'string') return v.length;
  if (isCelList(v) || isCelMap(v)) return v.size;
  if (v instanceof Uint8Array) return v.length;
  return 1;
};

type FuncResolver = CelEnv['funcs'];
type FuncGroup = NonNullable<ReturnType<FuncResolver['find']>>;

function metered(group: FuncGroup): FuncGroup {
  const linear = LINEAR.has(group.name);
  const shortest = SHORTEST.has(group.name);
  return {
    name: group.name,
    [Symbol.iterator]: () => group[Symbol.iterator](),
    call(id, target, args) {
      let cost = 1;
      if (linear || shortest) {
        const sizes = (target === undefined ? args : [target, ...args]).map(sizeOf);
        cost += Math.ceil((linear ? Math.max(0, ...sizes) : Math.min(...sizes)) * 0.1);
      }
      meter.cost += cost;
      if (meter.cost > meter.limit) throw new CostExceeded();
      return group.call(id, target, args);
    },
  } as FuncGroup;
}

/** The standard CEL environment whose function calls charge the meter. */
export function meteredEnv(): CelEnv {
  const base = celEnv();
  const groups = new Map<string, FuncGroup | undefined>();
  const funcs = {
    [Symbol.iterator]: () => base.funcs[Symbol.iterator](),
    find(name: string): FuncGroup | undefined {
      if (!groups.has(name)) {
        const g = base.funcs.find(name);
        groups.set(name, g && metered(g));
      }
      return groups.get(name);
    },
  } as unknown as FuncResolver;
  return { namespace: base.namespace, registry: base.registry, variables: base.variables, funcs } as CelEnv;
}

/** What one metered evaluation gave: its value, or why it was cut short. */
export type Metered =
  | { readonly value: CelResult; readonly exceeded?: undefined }
  | { readonly value?: undefined; readonly exceeded: 'call' | 'budget' };

/**
 * Runs `evaluate` (a program of the metered environment) within the per-call limit, charging
 * `budget`: `exceeded` is 'call' when the expression alone ran past PerCallLimit, 'budget' when
 * the request's budget cannot pay for it.
 */
export function runMetered(evaluate: () => CelResult, budget: CostBudget, limit = PER_CALL_LIMIT): Metered {
  const saved = { ...meter };
  meter.cost = 0;
  meter.limit = limit;
  try {
    let value: CelResult;
    try {
      value = evaluate();
    } catch (e) {
      if (e instanceof CostExceeded) return { exceeded: 'call' };
      throw e;
    }
    // The abort surfaces as a CelError when the library caught it on the way out.
    if (meter.cost > meter.limit || (isCelError(value) && value.message === COST_LIMIT_EXCEEDED))
      return { exceeded: 'call' };
    if (meter.cost > budget.remaining) {
      budget.remaining = -1;
      return { exceeded: 'budget' };
    }
    budget.remaining -= meter.cost;
    return { value };
  } finally {
    meter.cost = saved.cost;
    meter.limit = saved.limit;
  }
}
