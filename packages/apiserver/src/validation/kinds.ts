// validateKind: the per-kind semantic checks (422 Invalid) of a kind's strategy (kinds/) for a
// create, or for an update when the stored object is passed as `old`. Metadata checks are separate
// (metadata.ts) so the REST layer can run them for every kind, custom resources included.
import { isRecord } from '@wharf/api';
import { strategyFor } from '../kinds/registry.js';
import type { FieldIssue } from './issues.js';

/**
 * Semantic validation of a built-in kind. With `old` (the stored object) the update rules run as
 * well: immutable fields, frozen Secrets/ConfigMaps, pod spec changes. Kinds without rules, and
 * custom resources (see crd.ts), yield []. Every rule holds for all served versions of a kind.
 */
export function validateKind(group: string, version: string, kind: string, obj: unknown, old?: unknown): FieldIssue[] {
  if (!isRecord(obj)) return [];
  const strategy = strategyFor(group, kind);
  const errs = strategy?.validate?.(obj) ?? [];
  if (old !== undefined && isRecord(old)) errs.push(...(strategy?.validateUpdate?.(obj, old) ?? []));
  return errs;
}
