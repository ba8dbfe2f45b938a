import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@wharf/api';
import { bootstrapRbacObjects } from './bootstrap.js';
import { aggregateClusterRoles } from './rbac-aggregate.js';
import { RbacAuthorizer } from './rbac.js';
import type { Attributes, RbacSource, UserInfo } from './rbac.js';

const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

function cr(name: string, extra: Partial<KubeObject> & { labels?: Record<string, string> } = {}): KubeObject {
  const { labels, ...rest } = extra;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: labels ? { name, labels } : { name },
    rules: [],
    ...rest,
  };
}

const widgetsRule = { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get', 'list', 'watch'] };

function source(
  clusterRoles: KubeObject[],
  clusterRoleBindings: KubeObject[] = [],
  roleBindings: KubeObject[] = [],
): RbacSource {
  return {
    roles: () => [],
    roleBindings: (ns) => roleBindings.filter((b) => b.metadata?.namespace === ns),
    clusterRoles: () => clusterRoles,
    clusterRoleBindings: () => clusterRoleBindings,
  };
}

const bindView = (ns: string, user: string): KubeObject => ({
  kind: 'RoleBinding',
  metadata: { name: `${user}-view`, namespace: ns },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  subjects: [{ kind: 'User', name: user }],
});

const list = (resource: string, apiGroup: string, namespace: string): Attributes => ({
  verb: 'list',
  apiGroup,
  resource,
  subresource: '',
  name: '',
  namespace,
  resourceRequest: true,
  path: '',
});

const dana: UserInfo = { name: 'dana', groups: ['system:authenticated'] };

describe('aggregation at authorize time', () => {
  it('a CRD role labelled aggregate-to-view extends view, and so edit and admin', () => {
    const roles = [
      ...bootstrapRbacObjects().filter((o) => o.kind === 'ClusterRole'),
      cr('widget-viewer', { labels: { [AGG_VIEW]: 'true' }, rules: [widgetsRule] }),
    ];
    const authz = new RbacAuthorizer(source(roles, [], [bindView('a', 'dana')]));
    expect(authz.authorize(dana, list('widgets', 'example.com', 'a')).allowed).toBe(true);
    const [admin] = aggregateClusterRoles(roles).filter((r) => r.metadata?.name === 'admin');
    expect(admin?.['rules']).toContainEqual({
      verbs: ['get', 'list', 'watch'],
      apiGroups: ['example.com'],
      resources: ['widgets'],
    });
  });

  it('rules stored on an aggregated role are replaced by the aggregate', () => {
    const roles = [
      cr('combined', {
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { part: 'yes' } }] },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
      }),
      cr('part-1', { labels: { part: 'yes' }, rules: [widgetsRule] }),
    ];
    const [combined] = aggregateClusterRoles(roles);
    expect(combined?.['rules']).toEqual([
      { verbs: ['get', 'list', 'watch'], apiGroups: ['example.com'], resources: ['widgets'] },
    ]);
  });

  it('several selectors are ORed, duplicate rules kept once, matched roles in name order', () => {
    const roles = [
      cr('agg', {
        aggregationRule: {
          clusterRoleSelectors: [{ matchLabels: { a: 'x' } }, { matchExpressions: [{ key: 'b', operator: 'Exists' }] }],
        },
      }),
      cr('z-role', { labels: { a: 'x' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
      cr('m-role', { labels: { b: '1' }, rules: [widgetsRule] }),
      cr('a-role', { labels: { a: 'x', b: '2' }, rules: [widgetsRule] }),
      cr('unrelated', { labels: { c: 'x' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }),
    ];
    const [agg] = aggregateClusterRoles(roles);
    expect(agg?.['rules']).toEqual([
      { verbs: ['get', 'list', 'watch'], apiGroups: ['example.com'], resources: ['widgets'] },
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    ]);
  });

  it('roles without aggregationRule come back untouched', () => {
    const plain = cr('plain', { rules: [widgetsRule] });
    expect(aggregateClusterRoles([plain])[0]).toBe(plain);
  });

  it('an aggregation cycle terminates', () => {
    const roles = [
      cr('x', {
        labels: { g: 'y' },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { g: 'x' } }] },
        rules: [widgetsRule],
      }),
      cr('y', { labels: { g: 'x' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { g: 'y' } }] } }),
    ];
    const out = aggregateClusterRoles(roles);
    expect(out).toHaveLength(2);
  });

  it('a ClusterRoleBinding to view grants listing across all namespaces', () => {
    const roles = bootstrapRbacObjects().filter((o) => o.kind === 'ClusterRole');
    const crb: KubeObject = {
      kind: 'ClusterRoleBinding',
      metadata: { name: 'dana-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'User', name: 'dana' }],
    };
    const authz = new RbacAuthorizer(source(roles, [crb]));
    expect(authz.authorize(dana, list('pods', '', '')).allowed).toBe(true);
    expect(authz.authorize(dana, list('secrets', '', '')).allowed).toBe(false);
  });
});
