// JSON merge patch (RFC 7386), as sent by `kubectl patch --type=merge`, `label`, `annotate` and
// `scale`, and for custom resources. Objects merge key by key, null deletes, anything else replaces.
import { clone, isRecord } from '@wharf/api';
import { PatchError } from './errors.js';

/** Applies a merge patch to `target` without mutating either argument. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) throw new PatchError('a merge patch must be a JSON object', '', 400);
  return mergePatchValue(clone(target), patch);
}

/**
 * RFC 7386 MergePatch(target, patch) for any JSON value. `target` may be mutated (callers pass a
 * copy they own); `patch` never is, and nothing in the result aliases it.
 */
export function mergePatchValue(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const result: Record<string, unknown> = isRecord(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatchValue(result[key], value);
  }
  return result;
}
