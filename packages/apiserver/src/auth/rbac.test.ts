import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@wharf/api';
import { bootstrapRbacObjects } from './bootstrap.js';
import { RbacAuthorizer, serviceAccountUser } from './rbac.js';
import { DATAPLANE_GROUP, DATAPLANE_USER } from './tokens.js';
import type { Attributes, RbacSource, UserInfo } from './rbac.js';

const RBAC = 'rbac.authorization.k8s.io';

/** An RbacSource over a plain list of objects, like the lead's in-memory store. */
function sourceOf(objects: KubeObject[]): RbacSource {
  const pick = (kind: string, ns?: string): KubeObject[] =>
    objects.filter((o) => o.kind === kind && (ns === undefined || o.metadata?.namespace === ns));
  return {
    roles: (ns) => pick('Role', ns),
    roleBindings: (ns) => pick('RoleBinding', ns),
    clusterRoles: () => pick('ClusterRole'),
    clusterRoleBindings: () => pick('ClusterRoleBinding'),
  };
}

function role(name: string, namespace: string, rules: unknown[]): KubeObject {
  return { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name, namespace }, rules };
}

function clusterRole(name: string, rules: unknown[], labels?: Record<string, string>): KubeObject {
  return { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: labels ? { name, labels } : { name }, rules };
}

function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  namespace: string | undefined,
  roleRef: { kind: string; name: string },
  subjects: unknown[],
): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind,
    metadata: namespace ? { name, namespace } : { name },
    roleRef: { apiGroup: RBAC, ...roleRef },
    subjects,
  };
}

function res(verb: string, resource: string, namespace: string, extra: Partial<Attributes> = {}): Attributes {
  return {
    verb,
    apiGroup: '',
    resource,
    subresource: '',
    name: '',
    namespace,
    resourceRequest: true,
    path: '',
    ...extra,
  };
}

const nonRes = (verb: string, path: string): Attributes => ({
  verb,
  apiGroup: '',
  resource: '',
  subresource: '',
  name: '',
  namespace: '',
  resourceRequest: false,
  path,
});

const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
const bot = serviceAccountUser('a', 'bot');

describe('service account bound to view in namespace a', () => {
  const authz = new RbacAuthorizer(
    sourceOf([
      ...bootstrapRbacObjects(),
      binding('RoleBinding', 'bot-view', 'a', { kind: 'ClusterRole', name: 'view' }, [
        { kind: 'ServiceAccount', name: 'bot', namespace: 'a' },
      ]),
    ]),
  );

  it('can list and get pods in a', () => {
    const d = authz.authorize(bot, res('list', 'pods', 'a'));
    expect(d.allowed).toBe(true);
    expect(d.reason).toBe('RBAC: allowed by RoleBinding "bot-view/a" of ClusterRole "view" to ServiceAccount "bot/a"');
    expect(authz.authorize(bot, res('get', 'pods', 'a', { name: 'web' })).allowed).toBe(true);
    expect(authz.authorize(bot, res('list', 'deployments', 'a', { apiGroup: 'apps' })).allowed).toBe(true);
  });

  it('cannot list pods in b, nor across all namespaces', () => {
    expect(authz.authorize(bot, res('list', 'pods', 'b'))).toEqual({ allowed: false, reason: '' });
    expect(authz.authorize(bot, res('list', 'pods', '')).allowed).toBe(false);
  });

  it('cannot delete, create or read secrets', () => {
    expect(authz.authorize(bot, res('delete', 'pods', 'a', { name: 'web' })).allowed).toBe(false);
    expect(authz.authorize(bot, res('create', 'pods', 'a')).allowed).toBe(false);
    expect(authz.authorize(bot, res('get', 'secrets', 'a', { name: 's' })).allowed).toBe(false);
  });

  it('has the system:serviceaccounts groups, so discovery is allowed', () => {
    expect(bot.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:a', 'system:authenticated']);
    expect(authz.authorize(bot, nonRes('get', '/apis/apps/v1')).allowed).toBe(true);
    expect(authz.authorize(bot, nonRes('get', '/metrics')).allowed).toBe(false);
  });

  it('another service account of the same name elsewhere gets nothing', () => {
    expect(authz.authorize(serviceAccountUser('b', 'bot'), res('list', 'pods', 'a')).allowed).toBe(false);
  });
});

describe('subjects', () => {
  const objects = [
    role('reader', 'a', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]),
    binding('RoleBinding', 'users', 'a', { kind: 'Role', name: 'reader' }, [
      { kind: 'User', name: 'alice' },
      { kind: 'Group', name: 'team-x' },
      { kind: 'ServiceAccount', name: 'local' }, // no namespace: the binding's
    ]),
    binding('ClusterRoleBinding', 'sa-no-ns', undefined, { kind: 'ClusterRole', name: 'all-cm' }, [
      { kind: 'ServiceAccount', name: 'local' },
    ]),
    clusterRole('all-cm', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }]),
  ];
  const authz = new RbacAuthorizer(sourceOf(objects));
  const get = res('get', 'configmaps', 'a', { name: 'c' });

  it('User matches the name, Group a member', () => {
    expect(authz.authorize(alice, get).allowed).toBe(true);
    expect(authz.authorize({ name: 'bob', groups: ['team-x'] }, get).reason).toBe(
      'RBAC: allowed by RoleBinding "users/a" of Role "reader" to Group "team-x"',
    );
    expect(authz.authorize({ name: 'carol', groups: [] }, get).allowed).toBe(false);
  });

  it("a ServiceAccount subject without namespace means the RoleBinding's namespace", () => {
    expect(authz.authorize(serviceAccountUser('a', 'local'), get).allowed).toBe(true);
    expect(
      authz.authorize(serviceAccountUser('b', 'local'), res('get', 'configmaps', 'b', { name: 'c' })).allowed,
    ).toBe(false);
  });

  it('…and never matches in a ClusterRoleBinding', () => {
    expect(
      authz.authorize(serviceAccountUser('a', 'local'), res('delete', 'configmaps', 'a', { name: 'c' })).allowed,
    ).toBe(false);
  });

  it('a Role binds only in its own namespace', () => {
    expect(authz.authorize(alice, res('get', 'configmaps', 'b', { name: 'c' })).allowed).toBe(false);
  });
});

describe('rule matching', () => {
  const objects = [
    clusterRole('pod-reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]),
    clusterRole('log-reader', [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get'] }]),
    clusterRole('scaler', [{ apiGroups: ['*'], resources: ['*/scale'], verbs: ['update', 'patch'] }]),
    clusterRole('one-cm', [
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['settings'],
        verbs: ['get', 'update', 'list', 'create'],
      },
    ]),
    clusterRole('everything-in-apps', [{ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }]),
    clusterRole('health', [{ nonResourceURLs: ['/healthz', '/logs/*'], verbs: ['get'] }]),
  ];
  const bind = (user: string, roleName: string): KubeObject =>
    binding('ClusterRoleBinding', `${user}-${roleName}`, undefined, { kind: 'ClusterRole', name: roleName }, [
      { kind: 'User', name: user },
    ]);
  const authz = new RbacAuthorizer(
    sourceOf([
      ...objects,
      bind('pr', 'pod-reader'),
      bind('lr', 'log-reader'),
      bind('sc', 'scaler'),
      bind('cm', 'one-cm'),
      bind('ap', 'everything-in-apps'),
      bind('hz', 'health'),
    ]),
  );
  const u = (name: string): UserInfo => ({ name, groups: [] });

  it('pods/log needs an explicit subresource rule', () => {
    expect(authz.authorize(u('pr'), res('get', 'pods', 'a', { name: 'p' })).allowed).toBe(true);
    expect(authz.authorize(u('pr'), res('get', 'pods', 'a', { name: 'p', subresource: 'log' })).allowed).toBe(false);
    expect(authz.authorize(u('lr'), res('get', 'pods', 'a', { name: 'p', subresource: 'log' })).allowed).toBe(true);
    expect(authz.authorize(u('lr'), res('get', 'pods', 'a', { name: 'p', subresource: 'exec' })).allowed).toBe(false);
  });

  it('*/scale matches the scale subresource of any resource, not the resource', () => {
    expect(
      authz.authorize(u('sc'), res('patch', 'deployments', 'a', { apiGroup: 'apps', name: 'd', subresource: 'scale' }))
        .allowed,
    ).toBe(true);
    expect(authz.authorize(u('sc'), res('patch', 'deployments', 'a', { apiGroup: 'apps', name: 'd' })).allowed).toBe(
      false,
    );
    expect(
      authz.authorize(u('sc'), res('patch', 'deployments', 'a', { apiGroup: 'apps', name: 'd', subresource: 'status' }))
        .allowed,
    ).toBe(false);
  });

  it('resourceNames limit to named objects; list and create never match', () => {
    expect(authz.authorize(u('cm'), res('get', 'configmaps', 'a', { name: 'settings' })).allowed).toBe(true);
    expect(authz.authorize(u('cm'), res('update', 'configmaps', 'a', { name: 'settings' })).allowed).toBe(true);
    expect(authz.authorize(u('cm'), res('get', 'configmaps', 'a', { name: 'other' })).allowed).toBe(false);
    expect(authz.authorize(u('cm'), res('list', 'configmaps', 'a')).allowed).toBe(false);
    expect(authz.authorize(u('cm'), res('create', 'configmaps', 'a')).allowed).toBe(false);
  });

  it('* resources and verbs cover subresources, but only in the named group', () => {
    expect(authz.authorize(u('ap'), res('delete', 'statefulsets', 'a', { apiGroup: 'apps', name: 's' })).allowed).toBe(
      true,
    );
    expect(
      authz.authorize(
        u('ap'),
        res('update', 'deployments', 'a', { apiGroup: 'apps', name: 'd', subresource: 'status' }),
      ).allowed,
    ).toBe(true);
    expect(authz.authorize(u('ap'), res('get', 'pods', 'a', { name: 'p' })).allowed).toBe(false);
    expect(authz.authorize(u('ap'), res('get', 'jobs', 'a', { apiGroup: 'batch', name: 'j' })).allowed).toBe(false);
  });

  it('nonResourceURLs: exact, or prefix with a trailing *', () => {
    expect(authz.authorize(u('hz'), nonRes('get', '/healthz')).allowed).toBe(true);
    expect(authz.authorize(u('hz'), nonRes('get', '/healthz/etcd')).allowed).toBe(false);
    expect(authz.authorize(u('hz'), nonRes('get', '/logs/kube.log')).allowed).toBe(true);
    expect(authz.authorize(u('hz'), nonRes('get', '/logs')).allowed).toBe(false);
    expect(authz.authorize(u('hz'), nonRes('post', '/healthz')).allowed).toBe(false);
  });

  it('resource rules do not grant non-resource URLs and vice versa', () => {
    expect(authz.authorize(u('pr'), nonRes('get', '/healthz')).allowed).toBe(false);
    expect(authz.authorize(u('hz'), res('get', 'healthz', '')).allowed).toBe(false);
  });
});

describe('system:masters and bootstrap bindings', () => {
  const authz = new RbacAuthorizer(sourceOf(bootstrapRbacObjects()));

  it('system:masters is allowed everything, even with no RBAC objects', () => {
    const admin: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
    expect(new RbacAuthorizer(sourceOf([])).authorize(admin, res('delete', 'nodes', '', { name: 'n1' }))).toEqual({
      allowed: true,
      reason: '',
    });
    expect(authz.authorize(admin, nonRes('get', '/metrics')).allowed).toBe(true);
  });

  it('authenticated users may review themselves and read discovery, not resources', () => {
    expect(
      authz.authorize(alice, res('create', 'selfsubjectaccessreviews', '', { apiGroup: 'authorization.k8s.io' }))
        .allowed,
    ).toBe(true);
    expect(
      authz.authorize(alice, res('create', 'selfsubjectreviews', '', { apiGroup: 'authentication.k8s.io' })).allowed,
    ).toBe(true);
    expect(authz.authorize(alice, nonRes('get', '/api')).allowed).toBe(true);
    expect(authz.authorize(alice, nonRes('get', '/openapi/v3/apis/apps/v1')).allowed).toBe(true);
    expect(authz.authorize(alice, res('list', 'pods', 'default')).allowed).toBe(false);
  });

  it('the dataplane reads what DNS and the gateway route by, writes Ingress status, and nothing else', () => {
    const dataplane: UserInfo = { name: DATAPLANE_USER, groups: [DATAPLANE_GROUP, 'system:authenticated'] };
    const net = { apiGroup: 'networking.k8s.io' };
    for (const [verb, resource, extra] of [
      ['watch', 'services', {}],
      ['list', 'secrets', {}],
      ['watch', 'endpointslices', { apiGroup: 'discovery.k8s.io' }],
      ['list', 'ingresses', net],
      ['patch', 'ingresses', { ...net, subresource: 'status', name: 'shop' }],
      ['create', 'ingressclasses', net],
    ] as const) {
      expect(authz.authorize(dataplane, res(verb, resource, '', extra)).allowed, `${verb} ${resource}`).toBe(true);
    }
    for (const [verb, resource, extra] of [
      ['create', 'pods', {}],
      ['get', 'configmaps', {}],
      ['delete', 'services', {}],
      ['update', 'ingresses', net],
      ['create', 'secrets', {}],
      ['create', 'pods', { subresource: 'exec', name: 'x' }],
    ] as const) {
      expect(authz.authorize(dataplane, res(verb, resource, 'default', extra)).allowed, `${verb} ${resource}`).toBe(
        false,
      );
    }
  });

  it('anonymous users see only public info', () => {
    const anon: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    expect(authz.authorize(anon, nonRes('get', '/version')).allowed).toBe(true);
    expect(authz.authorize(anon, nonRes('get', '/readyz')).allowed).toBe(true);
    expect(authz.authorize(anon, nonRes('get', '/api')).allowed).toBe(false);
  });

  it("anyone may read kube-public/cluster-info (kubeadm's discovery) and no other ConfigMap", () => {
    const anon: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    expect(authz.authorize(anon, res('get', 'configmaps', 'kube-public', { name: 'cluster-info' })).allowed).toBe(true);
    expect(authz.authorize(anon, res('list', 'configmaps', 'kube-public')).allowed).toBe(false);
    expect(authz.authorize(anon, res('update', 'configmaps', 'kube-public', { name: 'cluster-info' })).allowed).toBe(
      false,
    );
    expect(authz.authorize(anon, res('get', 'configmaps', 'kube-public', { name: 'other' })).allowed).toBe(false);
  });

  it('a bootstrap token may ask for a node client certificate, read its requests and get a node by name, nothing else', () => {
    const boot: UserInfo = {
      name: 'system:bootstrap:abcdef',
      groups: ['system:bootstrappers', 'system:authenticated'],
    };
    const csr = { apiGroup: 'certificates.k8s.io' };
    for (const [verb, subresource] of [
      ['create', ''],
      ['get', ''],
      ['watch', ''],
      ['create', 'nodeclient'],
    ] as const) {
      expect(
        authz.authorize(boot, res(verb, 'certificatesigningrequests', '', { ...csr, subresource })).allowed,
        `${verb} ${subresource}`,
      ).toBe(true);
    }
    expect(
      authz.authorize(boot, res('create', 'certificatesigningrequests', '', { ...csr, subresource: 'selfnodeclient' }))
        .allowed,
    ).toBe(false);
    expect(
      authz.authorize(
        boot,
        res('update', 'certificatesigningrequests', '', { ...csr, subresource: 'approval', name: 'x' }),
      ).allowed,
    ).toBe(false);
    // kubeadm:get-nodes: whether a Ready node already has the name it joins with.
    expect(authz.authorize(boot, res('get', 'nodes', '', { name: 'n1' })).allowed).toBe(true);
    expect(authz.authorize(boot, res('list', 'nodes', '')).allowed).toBe(false);
    expect(authz.authorize(boot, res('get', 'pods', 'default', { name: 'p' })).allowed).toBe(false);
  });
});

describe('missing roles', () => {
  const authz = new RbacAuthorizer(
    sourceOf([
      binding('ClusterRoleBinding', 'ghost', undefined, { kind: 'ClusterRole', name: 'ghost' }, [
        { kind: 'User', name: 'alice' },
      ]),
      binding('RoleBinding', 'gone', 'a', { kind: 'Role', name: 'gone' }, [{ kind: 'User', name: 'alice' }]),
      binding('RoleBinding', 'ok', 'a', { kind: 'ClusterRole', name: 'cm' }, [{ kind: 'User', name: 'alice' }]),
      clusterRole('cm', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]),
    ]),
  );

  it('deny reasons name the roles that could not be found', () => {
    expect(authz.authorize(alice, res('list', 'pods', 'a'))).toEqual({
      allowed: false,
      reason:
        'RBAC: [clusterrole.rbac.authorization.k8s.io "ghost" not found, role.rbac.authorization.k8s.io "gone" not found]',
    });
    expect(authz.authorize(alice, res('list', 'pods', '')).reason).toBe(
      'RBAC: clusterrole.rbac.authorization.k8s.io "ghost" not found',
    );
  });

  it('other bindings still allow', () => {
    expect(authz.authorize(alice, res('get', 'configmaps', 'a', { name: 'x' })).allowed).toBe(true);
  });

  it('rulesFor marks the review incomplete', () => {
    const review = authz.rulesFor(alice, 'a');
    expect(review.incomplete).toBe(true);
    expect(review.evaluationError).toContain('"ghost" not found');
    expect(review.resourceRules).toEqual([
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [] },
    ]);
  });
});

describe('rulesFor (SelfSubjectRulesReview)', () => {
  it('lists cluster-wide and namespace rules, split by kind', () => {
    const authz = new RbacAuthorizer(
      sourceOf([
        ...bootstrapRbacObjects(),
        binding('RoleBinding', 'edit', 'a', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: 'alice' }]),
      ]),
    );
    const inA = authz.rulesFor(alice, 'a');
    expect(inA.incomplete).toBe(false);
    expect(inA.nonResourceRules.some((r) => r.nonResourceURLs.includes('/version'))).toBe(true);
    expect(inA.resourceRules).toContainEqual({
      verbs: ['create'],
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      resourceNames: [],
    });
    expect(inA.resourceRules.some((r) => r.resources.includes('secrets') && r.verbs.includes('create'))).toBe(true);
    const inB = authz.rulesFor(alice, 'b');
    expect(inB.resourceRules.some((r) => r.resources.includes('secrets'))).toBe(false);
  });
});
