import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@wharf/api';
import { bootstrapRbacObjects } from './bootstrap.js';
import { NodeRestriction, podReferences } from './node-authorizer.js';
import { RbacAuthorizer, type Attributes, type UserInfo } from './rbac.js';

const pod = (name: string, nodeName: string | undefined, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'x' }], ...spec },
});

const pods: KubeObject[] = [
  pod('web', 'node-0', {
    serviceAccountName: 'web-sa',
    imagePullSecrets: [{ name: 'regcred' }],
    volumes: [
      { name: 'cfg', configMap: { name: 'web-config' } },
      { name: 'tls', secret: { secretName: 'web-tls' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
      {
        name: 'api',
        projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }, { secret: { name: 'projected-secret' } }] },
      },
    ],
    containers: [
      {
        name: 'c',
        image: 'x',
        env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'p' } } }],
        envFrom: [{ configMapRef: { name: 'env-config' } }],
      },
    ],
  }),
  pod('other', 'node-1', { volumes: [{ name: 's', secret: { secretName: 'other-secret' } }] }),
  pod('pending', undefined, { volumes: [{ name: 's', secret: { secretName: 'pending-secret' } }] }),
];
const claims: Record<string, KubeObject> = {
  'default/web-data': {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'web-data' },
    spec: { volumeName: 'pv-1' },
  },
};

const restriction = new NodeRestriction({
  pods: (ns) => pods.filter((p) => !ns || p.metadata?.namespace === ns),
  pod: (ns, name) => pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === name),
  persistentVolumeClaim: (ns, name) => claims[`${ns}/${name}`],
});
const objects = bootstrapRbacObjects();
const rbac = new RbacAuthorizer({
  roles: () => [],
  roleBindings: () => [],
  clusterRoles: () => objects.filter((o) => o.kind === 'ClusterRole'),
  clusterRoleBindings: () => objects.filter((o) => o.kind === 'ClusterRoleBinding'),
});

const node0: UserInfo = { name: 'system:node:node-0', groups: ['system:nodes', 'system:authenticated'] };

function allowed(user: UserInfo, verb: string, resource: string, opts: Partial<Attributes> = {}): boolean {
  const attrs: Attributes = {
    verb,
    apiGroup: '',
    resource,
    subresource: '',
    name: '',
    namespace: '',
    resourceRequest: true,
    path: '',
    ...opts,
  };
  return (restriction.check(user, attrs) ?? rbac.authorize(user, attrs)).allowed;
}

describe('podReferences', () => {
  it('finds secrets, configmaps and claims in volumes, projections, env and pull secrets', () => {
    const web = pods[0]!;
    expect([...podReferences(web, 'secrets')].sort()).toEqual(['env-secret', 'projected-secret', 'regcred', 'web-tls']);
    expect([...podReferences(web, 'configmaps')].sort()).toEqual(['env-config', 'kube-root-ca.crt', 'web-config']);
    expect([...podReferences(web, 'persistentvolumeclaims')]).toEqual(['web-data']);
  });
});

describe('a node agent (system:node role + Node restriction)', () => {
  it('reads only the secrets, configmaps, claims and volumes its own pods reference', () => {
    for (const name of ['regcred', 'web-tls', 'env-secret', 'projected-secret'])
      expect(allowed(node0, 'get', 'secrets', { namespace: 'default', name }), name).toBe(true);
    expect(allowed(node0, 'get', 'configmaps', { namespace: 'default', name: 'web-config' })).toBe(true);
    expect(allowed(node0, 'get', 'persistentvolumeclaims', { namespace: 'default', name: 'web-data' })).toBe(true);
    expect(allowed(node0, 'get', 'persistentvolumes', { name: 'pv-1' })).toBe(true);
    // Another node's pod, an unscheduled pod, an unreferenced object, another namespace:
    expect(allowed(node0, 'get', 'secrets', { namespace: 'default', name: 'other-secret' })).toBe(false);
    expect(allowed(node0, 'get', 'secrets', { namespace: 'default', name: 'pending-secret' })).toBe(false);
    expect(allowed(node0, 'get', 'configmaps', { namespace: 'default', name: 'unrelated' })).toBe(false);
    expect(allowed(node0, 'get', 'secrets', { namespace: 'kube-system', name: 'regcred' })).toBe(false);
    expect(allowed(node0, 'get', 'persistentvolumes', { name: 'pv-2' })).toBe(false);
  });

  it('cannot list or watch secrets, not even in one namespace', () => {
    expect(allowed(node0, 'list', 'secrets')).toBe(false);
    expect(allowed(node0, 'list', 'secrets', { namespace: 'default' })).toBe(false);
    expect(allowed(node0, 'watch', 'configmaps', { namespace: 'default' })).toBe(false);
    expect(
      restriction.check(node0, {
        verb: 'list',
        apiGroup: '',
        resource: 'secrets',
        subresource: '',
        name: '',
        namespace: '',
        resourceRequest: true,
        path: '',
      })?.reason,
    ).toBe('can only get individual resources of this type');
  });

  it('writes only its own Node, Lease and pods', () => {
    expect(allowed(node0, 'patch', 'nodes', { subresource: 'status', name: 'node-0' })).toBe(true);
    expect(allowed(node0, 'patch', 'nodes', { subresource: 'status', name: 'node-1' })).toBe(false);
    expect(allowed(node0, 'patch', 'nodes', { name: 'node-1' })).toBe(false);
    expect(allowed(node0, 'get', 'nodes', { name: 'node-1' })).toBe(true);
    const lease = { apiGroup: 'coordination.k8s.io', namespace: 'kube-node-lease' };
    expect(allowed(node0, 'patch', 'leases', { ...lease, name: 'node-0' })).toBe(true);
    expect(allowed(node0, 'patch', 'leases', { ...lease, name: 'node-1' })).toBe(false);
    expect(allowed(node0, 'create', 'leases', { ...lease, namespace: 'default' })).toBe(false);
    expect(allowed(node0, 'patch', 'pods', { subresource: 'status', namespace: 'default', name: 'web' })).toBe(true);
    expect(allowed(node0, 'patch', 'pods', { subresource: 'status', namespace: 'default', name: 'other' })).toBe(false);
    expect(allowed(node0, 'delete', 'pods', { namespace: 'default', name: 'other' })).toBe(false);
    expect(allowed(node0, 'delete', 'pods', { namespace: 'default', name: 'web' })).toBe(true);
    expect(allowed(node0, 'watch', 'pods')).toBe(true);
    expect(allowed(node0, 'create', 'events', { namespace: 'default' })).toBe(true);
  });

  it('requests tokens only for the service accounts of its pods', () => {
    expect(
      allowed(node0, 'create', 'serviceaccounts', { subresource: 'token', namespace: 'default', name: 'web-sa' }),
    ).toBe(true);
    expect(
      allowed(node0, 'create', 'serviceaccounts', { subresource: 'token', namespace: 'default', name: 'default' }),
    ).toBe(false);
  });

  it('gets nothing else: no RBAC objects, no pod creation, no exec', () => {
    expect(allowed(node0, 'create', 'clusterrolebindings', { apiGroup: 'rbac.authorization.k8s.io' })).toBe(false);
    expect(allowed(node0, 'create', 'pods', { namespace: 'default' })).toBe(false);
    expect(allowed(node0, 'create', 'pods', { subresource: 'exec', namespace: 'default', name: 'web' })).toBe(false);
    expect(allowed(node0, 'update', 'deployments', { apiGroup: 'apps', namespace: 'default', name: 'x' })).toBe(false);
  });

  it('denies a system:nodes member whose name is not system:node:<name>', () => {
    const odd: UserInfo = { name: 'mallory', groups: ['system:nodes', 'system:authenticated'] };
    expect(allowed(odd, 'get', 'nodes', { name: 'node-0' })).toBe(false);
  });

  it('leaves everyone else to RBAC', () => {
    const admin: UserInfo = { name: 'wharf-admin', groups: ['system:masters'] };
    expect(
      restriction.check(admin, {
        verb: 'get',
        apiGroup: '',
        resource: 'secrets',
        subresource: '',
        name: 'other-secret',
        namespace: 'default',
        resourceRequest: true,
        path: '',
      }),
    ).toBeUndefined();
  });
});
