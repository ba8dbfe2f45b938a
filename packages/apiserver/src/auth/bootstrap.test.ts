import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@wharf/api';
import { bootstrapRbacObjects } from './bootstrap.js';
import { policyRulesOf, ruleAllows } from './rbac-rules.js';
import type { Attributes } from './rbac-rules.js';

const objects = bootstrapRbacObjects();
const named = (kind: string, name: string): KubeObject => {
  const o = objects.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`${kind} ${name} missing`);
  return o;
};

function grants(roleName: string, verb: string, apiGroup: string, resource: string, subresource = ''): boolean {
  const attrs: Attributes = {
    verb,
    apiGroup,
    resource,
    subresource,
    name: 'x',
    namespace: 'ns',
    resourceRequest: true,
    path: '',
  };
  return policyRulesOf(named('ClusterRole', roleName)).some((r) => ruleAllows(attrs, r));
}

describe('bootstrapRbacObjects', () => {
  it('marks every object as a bootstrap default that may be auto-updated', () => {
    for (const o of objects) {
      expect(o.apiVersion).toBe('rbac.authorization.k8s.io/v1');
      expect(o.metadata?.labels?.['kubernetes.io/bootstrapping']).toBe('rbac-defaults');
      expect(o.metadata?.annotations?.['rbac.authorization.kubernetes.io/autoupdate']).toBe('true');
    }
  });

  it('has the roles and bindings users rely on', () => {
    const names = (kind: string): string[] => objects.filter((o) => o.kind === kind).map((o) => o.metadata?.name ?? '');
    expect(names('ClusterRole')).toEqual(
      expect.arrayContaining([
        'cluster-admin',
        'admin',
        'edit',
        'view',
        'system:aggregate-to-admin',
        'system:aggregate-to-edit',
        'system:aggregate-to-view',
        'system:discovery',
        'system:basic-user',
        'system:public-info-viewer',
      ]),
    );
    expect(names('ClusterRoleBinding')).toEqual(
      expect.arrayContaining(['cluster-admin', 'system:discovery', 'system:basic-user', 'system:public-info-viewer']),
    );
  });

  it('binds cluster-admin to system:masters and public info to everyone', () => {
    expect(named('ClusterRoleBinding', 'cluster-admin')['subjects']).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' },
    ]);
    expect(named('ClusterRoleBinding', 'cluster-admin')['roleRef']).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'cluster-admin',
    });
    const publicSubjects = named('ClusterRoleBinding', 'system:public-info-viewer')['subjects'] as Array<{
      name: string;
    }>;
    expect(publicSubjects.map((s) => s.name)).toEqual(['system:authenticated', 'system:unauthenticated']);
  });

  it('labels the aggregated roles like a real cluster', () => {
    expect(named('ClusterRole', 'edit').metadata?.labels?.['rbac.authorization.k8s.io/aggregate-to-admin']).toBe(
      'true',
    );
    expect(named('ClusterRole', 'view').metadata?.labels?.['rbac.authorization.k8s.io/aggregate-to-edit']).toBe('true');
    expect(
      named('ClusterRole', 'system:aggregate-to-view').metadata?.labels?.[
        'rbac.authorization.k8s.io/aggregate-to-view'
      ],
    ).toBe('true');
    expect(named('ClusterRole', 'admin')['aggregationRule']).toEqual({
      clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }],
    });
  });

  it('fills admin ⊇ edit ⊇ view with the aggregated rules', () => {
    expect(grants('view', 'list', '', 'pods')).toBe(true);
    expect(grants('view', 'get', '', 'pods', 'log')).toBe(true);
    expect(grants('view', 'get', '', 'secrets')).toBe(false);
    expect(grants('view', 'delete', '', 'pods')).toBe(false);
    expect(grants('edit', 'get', '', 'secrets')).toBe(true);
    expect(grants('edit', 'delete', '', 'pods')).toBe(true);
    expect(grants('edit', 'create', '', 'pods', 'exec')).toBe(true);
    expect(grants('edit', 'patch', 'apps', 'deployments', 'scale')).toBe(true);
    expect(grants('edit', 'create', 'batch', 'jobs')).toBe(true);
    expect(grants('edit', 'create', 'rbac.authorization.k8s.io', 'rolebindings')).toBe(false);
    expect(grants('admin', 'create', 'rbac.authorization.k8s.io', 'rolebindings')).toBe(true);
    expect(grants('admin', 'list', 'apps', 'deployments')).toBe(true);
    expect(grants('admin', 'update', '', 'resourcequotas')).toBe(false);
  });

  it('returns fresh objects on each call', () => {
    const a = bootstrapRbacObjects();
    (a[0]?.metadata ?? {}).name = 'changed';
    expect(bootstrapRbacObjects()[0]?.metadata?.name).not.toBe('changed');
  });
});
