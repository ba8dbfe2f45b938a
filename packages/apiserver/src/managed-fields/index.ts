// Public API of managed fields and server-side apply: field sets in the FieldsV1 format, the
// managedFields bookkeeping of every write, and apply with ownership and conflicts.
export { FieldSet, pathString } from './fieldset.js';
export type { FieldPath, PathElement } from './fieldset.js';
export { builtinShape, customResourceShape } from './shape.js';
export type { Shape } from './shape.js';
export { decodeManagedFields, encodeManagedFields, ignoredFields, recordUpdate } from './managers.js';
export type { ManagerEntry, WriteInfo } from './managers.js';
export { apply, ApplyConflictError, LAST_APPLIED, managerString, UndeclaredFieldError } from './apply.js';
export type { ApplyInput, ApplyResult, Conflict } from './apply.js';
export { zeroObject } from './zero.js';
export { fieldManagerOf, validateFieldManager } from './field-manager.js';
