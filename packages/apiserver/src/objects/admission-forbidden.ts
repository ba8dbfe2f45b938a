// The 403 an admission plugin answers with (admission.NewForbidden): `<resource> "<name>" is
// forbidden: <why>`, details naming the object, and several reasons printed as Go's aggregate does.
import { ApiError } from '../errors.js';
import type { AdmissionRequest } from './context.js';

/** Refuses the request with `why` (several reasons print as "[a, b]"). */
export function admissionForbidden(req: AdmissionRequest, why: string | readonly string[]): ApiError {
  const { resource, group } = req.served.info;
  const name = req.object?.metadata?.name ?? req.old?.metadata.name ?? '';
  const qualified = group ? `${resource}.${group}` : resource;
  const reason = typeof why === 'string' ? why : why.length === 1 ? (why[0] ?? '') : `[${why.join(', ')}]`;
  const message = name ? `${qualified} "${name}" is forbidden: ${reason}` : `${qualified} is forbidden: ${reason}`;
  return new ApiError(403, 'Forbidden', message, { ...(name ? { name } : {}), group, kind: resource });
}
