// Keeps the RBAC authorizer's resolved grants current: any change to a Role, ClusterRole or one of
// their bindings drops them. Store watches are fed synchronously with each commit (and an etcd-backed
// store's write resolves only once its watch has seen it), so no request is decided on stale grants.
import type { Store } from '../storage/index.js';
import type { RbacAuthorizer } from './rbac.js';

/** Every stored RBAC object (roles, clusterroles, rolebindings, clusterrolebindings) is below this. */
export const RBAC_PREFIX = '/registry/rbac.authorization.k8s.io/';

/** A controller that invalidates `authz` on every RBAC change, from its start on. */
export function rbacChanges(
  store: Pick<Store, 'watch' | 'revision'>,
  authz: Pick<RbacAuthorizer, 'invalidate'>,
): { start(): void; stop(): void } {
  let watcher: { stop(): void } | undefined;
  return {
    start() {
      watcher = store.watch(RBAC_PREFIX, store.revision, () => authz.invalidate());
      // Anything resolved before the watch began may predate a change it did not see.
      authz.invalidate();
    },
    stop() {
      watcher?.stop();
    },
  };
}
