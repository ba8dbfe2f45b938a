// The one entry the write path calls: applyDefaults runs the defaults of a kind's strategy
// (kinds/registry.ts) on the object in place, as the real server does after decoding a create or
// update body. Kinds without defaults (ConfigMap, Role, Lease, Ingress, PDB, custom resources…)
// pass through untouched.
import type { KubeObject } from '@wharf/api';
import { strategyFor } from '../kinds/registry.js';
import type { Operation } from './core.js';

/**
 * Applies the server-side defaults of a kind to `obj`, in place. `operation` matters for the few
 * create-only steps (Namespace finalizer and phase, Job selector generation); call it after
 * metadata.uid and metadata.name are set so a Job's selector can be generated.
 * @param operation defaults to "create"
 */
export function applyDefaults(
  group: string,
  version: string,
  kind: string,
  obj: KubeObject,
  operation: Operation = 'create',
): void {
  strategyFor(group, kind)?.defaults?.(obj, operation, version);
}
