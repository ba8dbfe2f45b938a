// Public API of label and field selectors: parsing the list/watch query parameters, matching
// objects, and metav1.LabelSelector objects for controllers.
export { SelectorError } from './errors.js';
export { LabelSelector, fromLabelSelectorObject, newRequirement, selectorFromSet } from './labels.js';
export type { LabelOperator, LabelRequirement, LabelSelectorObject } from './labels.js';
export { parseLabelSelector } from './label-parser.js';
export {
  escapeFieldValue,
  fieldExactMatch,
  fieldSelectorString,
  matchesFields,
  parseFieldSelector,
  unescapeFieldValue,
} from './fields.js';
export type { FieldRequirement } from './fields.js';
export { compileFieldSelector, fieldGetter, supportedFieldLabels, validateFieldSelector } from './field-labels.js';
export type { CompiledFieldSelector, FieldGetter, FieldLabelOptions } from './field-labels.js';
