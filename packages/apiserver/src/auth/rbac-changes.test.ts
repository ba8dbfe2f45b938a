import { afterEach, describe, expect, it } from 'vitest';
import type { StoredObject } from '@wharf/api';
import { SqliteStore } from '../storage/index.js';
import { objectKey, resourcePrefix } from '../storage/keys.js';
import { RbacAuthorizer, type Attributes } from './rbac.js';
import { rbacChanges } from './rbac-changes.js';

const RBAC = 'rbac.authorization.k8s.io';
const listPods: Attributes = {
  verb: 'list',
  apiGroup: '',
  resource: 'pods',
  subresource: '',
  name: '',
  namespace: 'team',
  resourceRequest: true,
  path: '',
};
const alice = { name: 'alice', groups: ['system:authenticated'] };

function stored(kind: string, name: string, namespace: string | undefined, rest: object, rv: number): StoredObject {
  const metadata = { name, ...(namespace ? { namespace } : {}), uid: name, resourceVersion: String(rv) };
  return { apiVersion: `${RBAC}/v1`, kind, metadata, ...rest } as StoredObject;
}

describe('rbacChanges', () => {
  const store = new SqliteStore({ path: ':memory:' });
  const authz = new RbacAuthorizer({
    roles: (ns) => store.list(`${resourcePrefix(RBAC, 'roles')}${ns}/`).map((e) => e.object),
    roleBindings: (ns) => store.list(`${resourcePrefix(RBAC, 'rolebindings')}${ns}/`).map((e) => e.object),
    clusterRoles: () => store.list(resourcePrefix(RBAC, 'clusterroles')).map((e) => e.object),
    clusterRoleBindings: () => store.list(resourcePrefix(RBAC, 'clusterrolebindings')).map((e) => e.object),
  });
  const changes = rbacChanges(store, authz);
  afterEach(() => changes.stop());

  it('decides each request on the roles and bindings stored at that moment', async () => {
    await store.open();
    changes.start();
    const rules = [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }];
    await store.create(objectKey(RBAC, 'roles', 'team', 'reader'), (rv) =>
      stored('Role', 'reader', 'team', { rules }, rv),
    );
    expect(authz.authorize(alice, listPods).allowed).toBe(false);

    const bindingKey = objectKey(RBAC, 'rolebindings', 'team', 'alice-reads');
    const subjects = [{ kind: 'User', name: 'alice', apiGroup: RBAC }];
    await store.create(bindingKey, (rv) =>
      stored(
        'RoleBinding',
        'alice-reads',
        'team',
        { roleRef: { apiGroup: RBAC, kind: 'Role', name: 'reader' }, subjects },
        rv,
      ),
    );
    expect(authz.authorize(alice, listPods)).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "alice-reads/team" of Role "reader" to User "alice"',
    });

    await store.update(objectKey(RBAC, 'roles', 'team', 'reader'), undefined, (rv) =>
      stored('Role', 'reader', 'team', { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }, rv),
    );
    expect(authz.authorize(alice, listPods).allowed).toBe(false);

    await store.delete(bindingKey);
    expect(authz.authorize(alice, { ...listPods, verb: 'get' }).allowed).toBe(false);
  });
});
