// Built-in admission: namespace lifecycle (no new objects in missing or terminating namespaces,
// the system namespaces cannot be deleted).
import { ApiError, forbidden } from '../errors.js';
import { objectKey, type Store } from '../storage/index.js';
import type { AdmissionPlugin } from './context.js';

/** Namespaces the cluster needs; deleting them is refused as the real apiserver does. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Kinds that may still be written in a terminating namespace (what cleanup itself writes). */
const ALLOWED_WHILE_TERMINATING = new Set([
  'Event',
  'Lease',
  'Binding',
  'TokenReview',
  'SubjectAccessReview',
  'LocalSubjectAccessReview',
]);

export function namespaceLifecycle(store: Store): AdmissionPlugin {
  return (req) => {
    const { info } = req.served;
    if (req.operation !== 'CREATE' || !info.namespaced) return;
    const ns = store.get(objectKey('', 'namespaces', undefined, req.namespace));
    if (!ns)
      throw new ApiError(404, 'NotFound', `namespaces "${req.namespace}" not found`, {
        name: req.namespace,
        kind: 'namespaces',
      });
    if (ns.metadata.deletionTimestamp && !ALLOWED_WHILE_TERMINATING.has(info.kind)) {
      throw new ApiError(
        403,
        'Forbidden',
        `${info.resource} "${req.object?.metadata?.name ?? ''}" is forbidden: unable to create new content in namespace ${req.namespace} because it is being terminated`,
        {
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${req.namespace} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  };
}

export function protectSystemNamespaces(name: string): void {
  if (SYSTEM_NAMESPACES.includes(name))
    throw forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
}
