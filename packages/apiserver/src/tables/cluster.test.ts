import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function table(group: string, resource: string, obj: Record<string, unknown>): { columns: string[]; cells: unknown[] } {
  const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource) as ResourceInfo;
  const t = toTable(
    info,
    [{ ...obj, metadata: { name: 'x', creationTimestamp: '2024-05-01T09:00:00Z' } } as KubeObject],
    { now: NOW },
  );
  return { columns: t.columnDefinitions.map((c) => c.name), cells: t.rows[0]?.cells ?? [] };
}

describe('cluster kinds', () => {
  it('leases print their holder', () => {
    const t = table('coordination.k8s.io', 'leases', { spec: { holderIdentity: 'node-a' } });
    expect(t.columns).toEqual(['Name', 'Holder', 'Age']);
    expect(t.cells).toEqual(['x', 'node-a', '3h']);
  });

  it('role bindings print the role and, wide, their subjects', () => {
    const t = table('rbac.authorization.k8s.io', 'rolebindings', {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', namespace: 'ci', name: 'runner' },
      ],
    });
    expect(t.columns).toEqual(['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts']);
    expect(t.cells).toEqual(['x', 'ClusterRole/view', '3h', 'alice, bob', 'devs', 'ci/runner']);
    expect(
      table('rbac.authorization.k8s.io', 'clusterrolebindings', { roleRef: { kind: 'ClusterRole', name: 'admin' } })
        .cells,
    ).toEqual(['x', 'ClusterRole/admin', '3h', '', '', '']);
  });

  it('roles and cluster roles have no printer: Name and Created At', () => {
    const t = table('rbac.authorization.k8s.io', 'clusterroles', { rules: [] });
    expect(t.columns).toEqual(['Name', 'Created At']);
    expect(t.cells).toEqual(['x', '2024-05-01T09:00:00Z']);
  });

  it('pod disruption budgets print min available / max unavailable and allowed disruptions', () => {
    const t = table('policy', 'poddisruptionbudgets', { spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } });
    expect(t.columns).toEqual(['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
    expect(t.cells).toEqual(['x', '2', 'N/A', 1, '3h']);
    expect(table('policy', 'poddisruptionbudgets', { spec: { maxUnavailable: '25%' } }).cells.slice(1, 4)).toEqual([
      'N/A',
      '25%',
      0,
    ]);
  });

  it('priority classes print value, global default and preemption policy', () => {
    const t = table('scheduling.k8s.io', 'priorityclasses', { value: 2000001000, globalDefault: false });
    expect(t.columns).toEqual(['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy']);
    expect(t.cells).toEqual(['x', 2000001000, false, '3h', 'PreemptLowerPriority']);
  });
});
