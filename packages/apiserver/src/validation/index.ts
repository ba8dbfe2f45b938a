// Public entry of the validation folder: request-body type checks against the generated schema,
// ObjectMeta rules, per-kind semantic validation, and CRD schemas (structural checks, custom
// resource validation, defaulting, pruning). Every check returns FieldIssue[]; none throws.
export type { FieldIssue } from './issues.js';
export { checkTypes, type TypeCheckResult } from './check-types.js';
export { validateObjectMeta, validateObjectMetaUpdate, type ObjectMetaOptions } from './metadata.js';
export { validateKind } from './kinds.js';
export {
  validateStructuralSchema,
  validateCustomResource,
  applySchemaDefaults,
  pruneUnknownFields,
  type JSONSchemaProps,
} from './crd.js';
export { compile as compileCel, toCel, type Bindings as CelBindings } from './crd-cel.js';
export {
  COST_LIMIT_EXCEEDED,
  CostBudget,
  MATCH_CONDITIONS_COST_BUDGET,
  OUT_OF_BUDGET,
  PER_CALL_LIMIT,
  runMetered,
} from './cel-runtime-cost.js';
export { expressionCost, overBudget, RULE_COST_LIMIT } from './crd-cel-cost.js';
