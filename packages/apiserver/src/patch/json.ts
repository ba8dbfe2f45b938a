// JSON patch (RFC 6902), as sent by `kubectl patch --type=json` and `kubectl rollout undo`.
// fast-json-patch does the work; this module validates, never mutates, and names failing ops.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { clone } from '@wharf/api';
import { PatchError } from './errors.js';

/** Applies a list of RFC 6902 operations to a copy of `target`; a failed `test` or bad path throws. */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be a JSON array of operations', '', 400);
  // Copies of both: fast-json-patch inserts operation values by reference.
  const operations = clone(ops) as Operation[];
  try {
    return jsonpatch.applyPatch(clone(target), operations, true, true).newDocument;
  } catch (err) {
    if (err instanceof jsonpatch.JsonPatchError) throw describe(err, operations);
    throw err;
  }
}

function describe(err: InstanceType<typeof jsonpatch.JsonPatchError>, ops: readonly Operation[]): PatchError {
  const op = err.index === undefined ? undefined : ops[err.index];
  const path = typeof op?.path === 'string' ? op.path : '';
  const where = op ? `operation ${err.index} (${String(op.op)} ${path || '""'})` : 'patch';
  const what = REASONS[err.name] ?? err.message.split('\n')[0] ?? 'invalid operation';
  return new PatchError(`${where}: ${what}`, path, DOES_NOT_APPLY.has(err.name) ? 422 : 400);
}

/** Errors of a well-formed operation that does not fit the object (422); the rest are malformed ops (400). */
const DOES_NOT_APPLY: ReadonlySet<string> = new Set([
  'TEST_OPERATION_FAILED',
  'OPERATION_PATH_UNRESOLVABLE',
  'OPERATION_FROM_UNRESOLVABLE',
  'OPERATION_PATH_CANNOT_ADD',
  'OPERATION_PATH_ILLEGAL_ARRAY_INDEX',
  'OPERATION_VALUE_OUT_OF_BOUNDS',
]);

const REASONS: Readonly<Record<string, string>> = {
  TEST_OPERATION_FAILED: 'test operation failed: the value at the path does not equal the given value',
  OPERATION_PATH_UNRESOLVABLE: 'the path does not exist in the object',
  OPERATION_FROM_UNRESOLVABLE: "the 'from' path does not exist in the object",
  OPERATION_PATH_CANNOT_ADD: 'cannot add at this path: its parent does not exist',
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: 'the path has an invalid array index',
  OPERATION_VALUE_OUT_OF_BOUNDS: 'the array index is out of bounds',
  OPERATION_PATH_INVALID: "the operation's 'path' must be a JSON pointer string",
  OPERATION_OP_INVALID: "the operation's 'op' must be add, remove, replace, move, copy or test",
  OPERATION_NOT_AN_OBJECT: 'each operation must be a JSON object',
  OPERATION_FROM_REQUIRED: "move and copy need a 'from' path",
  OPERATION_VALUE_REQUIRED: "add, replace and test need a 'value'",
  OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED: 'the value contains undefined',
  SEQUENCE_NOT_AN_ARRAY: 'a JSON patch must be a JSON array of operations',
};
