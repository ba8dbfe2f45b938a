import type { V1Namespace, V1ResourceQuota } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Project } from '../types.js';
import {
  isolationPolicy,
  projectReaderRbac,
  reconcileProject,
  sumQuantities,
  type ProjectAction,
  type ProjectInputs,
} from './reconcile.js';

const project = (spec: Partial<Project['spec']> = {}): Project => ({
  metadata: { name: 'shop', generation: 1 },
  spec: {
    namespaces: ['shop-dev', 'shop-prod'],
    members: [
      { kind: 'Group', name: 'shop-devs', role: 'developer' },
      { kind: 'User', name: 'ana', role: 'admin' },
    ],
    resourceQuota: { hard: { 'requests.cpu': '4', pods: '20' } },
    ...spec,
  },
});
const ns = (
  name: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): V1Namespace => ({ metadata: { name, labels, annotations }, status: { phase: 'Active' } });
const inputs = (namespaces: V1Namespace[], quotas: Record<string, V1ResourceQuota> = {}): ProjectInputs => ({
  namespaces,
  bindings: () => [],
  quota: (n) => quotas[n],
  limits: () => undefined,
  now: new Date('2026-12-05T00:00:00Z'),
});
const kinds = (actions: ProjectAction[]): string[] =>
  actions.map((a) =>
    a.type === 'put' || a.type === 'delete'
      ? `${a.type} ${a.kind} ${a.namespace}`
      : a.type === 'create-namespace'
        ? `create ${a.namespace.metadata?.name}`
        : a.type === 'label-namespace'
          ? `label ${a.name}`
          : a.type,
  );

describe('Project reconcile', () => {
  it('creates missing namespaces with its label, then binds members and sets the quota', () => {
    expect(kinds(reconcileProject(project(), inputs([])))).toEqual(['create shop-dev', 'create shop-prod', 'status']);
    const created = { 'platform.wharf.dev/created-by-project': 'shop' };
    const second = reconcileProject(
      project(),
      inputs([ns('shop-dev', { 'platform.wharf.dev/project': 'shop' }, created)]),
    );
    expect(kinds(second)).toEqual([
      'put RoleBinding shop-dev',
      'put RoleBinding shop-dev',
      'put ResourceQuota shop-dev',
      'create shop-prod',
      'status',
    ]);
    const dev = second.find((a) => a.type === 'put' && a.object.metadata?.name === 'wharf-project-developer');
    expect(dev).toMatchObject({
      object: {
        roleRef: { kind: 'ClusterRole', name: 'wharf:project-developer' },
        subjects: [{ kind: 'Group', name: 'shop-devs' }],
      },
    });
  });

  it('adopts an existing namespace without rewriting its quota, unless asked', () => {
    const existing = [ns('shop-dev'), ns('shop-prod')];
    const plain = kinds(reconcileProject(project(), inputs(existing)));
    expect(plain.filter((k) => k.includes('ResourceQuota'))).toEqual([]);
    expect(plain).toContain('label shop-dev');
    const asked = kinds(reconcileProject(project({ quotaPolicy: 'AllNamespaces' }), inputs(existing)));
    expect(asked.filter((k) => k.includes('ResourceQuota'))).toEqual([
      'put ResourceQuota shop-dev',
      'put ResourceQuota shop-prod',
    ]);
  });

  it("reports another project's namespace as a conflict and leaves it alone", () => {
    const actions = reconcileProject(
      project(),
      inputs([ns('shop-dev', { 'platform.wharf.dev/project': 'other' }), ns('shop-prod')]),
    );
    expect(kinds(actions).filter((k) => k.includes('shop-dev'))).toEqual([]);
    const status = actions.find((a) => a.type === 'status');
    expect(status).toMatchObject({
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'NamespaceConflict' }] },
    });
  });

  it('releases a namespace dropped from the spec: label and bindings go, the namespace stays', () => {
    const actions = reconcileProject(project({ namespaces: ['shop-dev'] }), {
      ...inputs([
        ns('shop-dev', { 'platform.wharf.dev/project': 'shop' }),
        ns('old', { 'platform.wharf.dev/project': 'shop' }),
      ]),
      bindings: (n) =>
        n === 'old'
          ? [
              {
                metadata: {
                  name: 'wharf-project-admin',
                  namespace: 'old',
                  labels: { 'platform.wharf.dev/project': 'shop' },
                },
                roleRef: { apiGroup: '', kind: 'ClusterRole', name: 'x' },
              },
            ]
          : [],
    });
    expect(actions).toContainEqual({
      type: 'label-namespace',
      name: 'old',
      labels: { 'platform.wharf.dev/project': null },
    });
    expect(actions).toContainEqual({
      type: 'delete',
      kind: 'RoleBinding',
      namespace: 'old',
      name: 'wharf-project-admin',
    });
  });

  it('reports used and hard per namespace and in total', () => {
    const q = (used: Record<string, string>): V1ResourceQuota => ({
      metadata: { name: 'project-quota', labels: { 'platform.wharf.dev/project': 'shop' } },
      spec: { hard: { 'requests.cpu': '4', pods: '20' } },
      status: { hard: { 'requests.cpu': '4', pods: '20' }, used },
    });
    const created = { 'platform.wharf.dev/created-by-project': 'shop' };
    const actions = reconcileProject(
      project(),
      inputs(
        [
          ns('shop-dev', { 'platform.wharf.dev/project': 'shop' }, created),
          ns('shop-prod', { 'platform.wharf.dev/project': 'shop' }, created),
        ],
        {
          'shop-dev': q({ 'requests.cpu': '500m', pods: '2' }),
          'shop-prod': q({ 'requests.cpu': '1', pods: '3' }),
        },
      ),
    );
    expect(actions.find((a) => a.type === 'status')).toMatchObject({
      status: { total: { used: { pods: '5', 'requests.cpu': '1500m' }, hard: { pods: '40', 'requests.cpu': '8' } } },
    });
  });

  it('sums quantities with units', () => {
    expect(sumQuantities([{ memory: '1Gi' }, { memory: '512Mi' }])).toEqual({ memory: String(1.5 * 1024 ** 3) });
  });

  it('isolates its namespaces from other projects when asked, and removes the policy when not', () => {
    const mine = { 'platform.wharf.dev/project': 'shop' };
    const existing = [ns('shop-dev', mine), ns('shop-prod', mine)];
    const asked = reconcileProject(project({ networkIsolation: 'DenyFromOtherProjects' }), inputs(existing));
    expect(kinds(asked).filter((k) => k.includes('NetworkPolicy'))).toEqual([
      'put NetworkPolicy shop-dev',
      'put NetworkPolicy shop-prod',
    ]);
    const policy = isolationPolicy(project(), 'shop-dev');
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { 'platform.wharf.dev/project': 'shop' } } },
            {
              namespaceSelector: {
                matchExpressions: [{ key: 'platform.wharf.dev/project', operator: 'DoesNotExist' }],
              },
            },
          ],
        },
      ],
    });
    const installed = { ...inputs(existing), isolation: (n: string) => isolationPolicy(project(), n) };
    expect(
      kinds(reconcileProject(project({ networkIsolation: 'DenyFromOtherProjects' }), installed)).filter((k) =>
        k.includes('NetworkPolicy'),
      ),
    ).toEqual([]);
    expect(kinds(reconcileProject(project(), installed)).filter((k) => k.includes('NetworkPolicy'))).toEqual([
      'delete NetworkPolicy shop-dev',
      'delete NetworkPolicy shop-prod',
    ]);
  });
});

describe('projectReaderRbac', () => {
  it('lets every member, once, get and watch only this Project, owned by it', () => {
    const p = {
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'Project',
      metadata: { name: 'shop', uid: 'u-1' },
      spec: {
        namespaces: ['shop-dev'],
        members: [
          { kind: 'Group', name: 'devs', role: 'developer' },
          { kind: 'User', name: 'ann', role: 'admin' },
          { kind: 'Group', name: 'devs', role: 'viewer' },
        ],
      },
    } as unknown as Project;
    const { role, binding } = projectReaderRbac(p);
    expect(role).toMatchObject({
      kind: 'ClusterRole',
      metadata: { name: 'wharf:project:shop:member', ownerReferences: [{ kind: 'Project', name: 'shop', uid: 'u-1' }] },
    });
    expect(role.rules).toEqual([
      { apiGroups: ['platform.wharf.dev'], resources: ['projects'], resourceNames: ['shop'], verbs: ['get', 'watch'] },
    ]);
    expect(binding.subjects).toEqual([
      { kind: 'User', name: 'ann', apiGroup: 'rbac.authorization.k8s.io' },
      { kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' },
    ]);
  });
});
