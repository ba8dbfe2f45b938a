import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from '../../tables/table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60_000;

function info(group: string, resource: string): ResourceInfo {
  const found = BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource);
  if (found === undefined) throw new Error(`no resource ${group}/${resource}`);
  return found;
}

function table(
  group: string,
  resource: string,
  obj: Record<string, unknown>,
): { columns: string[]; wide: string[]; cells: unknown[] } {
  const metadata = { name: 'web', creationTimestamp: ago(45 * MIN), ...(obj.metadata as object | undefined) };
  const t = toTable(info(group, resource), [{ ...obj, metadata } as KubeObject], { now: NOW });
  return {
    columns: t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name),
    wide: t.columnDefinitions.filter((c) => c.priority > 0).map((c) => c.name),
    cells: t.rows[0]?.cells ?? [],
  };
}

const template = {
  spec: {
    containers: [
      { name: 'web', image: 'nginx:1.25' },
      { name: 'log', image: 'fluent-bit:3' },
    ],
  },
};
const selector = { matchLabels: { app: 'web' } };

describe('apps/v1', () => {
  it('deployments print READY ready/desired, UP-TO-DATE and AVAILABLE', () => {
    const t = table('apps', 'deployments', {
      spec: { replicas: 3, selector, template },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    });
    expect(t.columns).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    expect(t.wide).toEqual(['Containers', 'Images', 'Selector']);
    expect(t.cells).toEqual(['web', '2/3', 3, 2, '45m', 'web,log', 'nginx:1.25,fluent-bit:3', 'app=web']);
  });

  it('deployments without status read 0/1 before the controller acts', () => {
    expect(table('apps', 'deployments', { spec: { selector, template } }).cells.slice(1, 4)).toEqual(['0/1', 0, 0]);
  });

  it('replicasets print desired, current and ready counts', () => {
    const t = table('apps', 'replicasets', {
      spec: { replicas: 2, selector, template },
      status: { replicas: 2, readyReplicas: 1 },
    });
    expect(t.columns).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age']);
    expect(t.cells).toEqual(['web', 2, 2, 1, '45m', 'web,log', 'nginx:1.25,fluent-bit:3', 'app=web']);
  });

  it('statefulsets print READY ready/desired', () => {
    const t = table('apps', 'statefulsets', {
      spec: { replicas: 3, selector, template },
      status: { readyReplicas: 3 },
    });
    expect(t.columns).toEqual(['Name', 'Ready', 'Age']);
    expect(t.cells).toEqual(['web', '3/3', '45m', 'web,log', 'nginx:1.25,fluent-bit:3']);
  });

  it('daemonsets print scheduling counts and the node selector', () => {
    const t = table('apps', 'daemonsets', {
      spec: { selector, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      status: {
        desiredNumberScheduled: 4,
        currentNumberScheduled: 4,
        numberReady: 3,
        updatedNumberScheduled: 4,
        numberAvailable: 3,
      },
    });
    expect(t.columns).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
    ]);
    expect(t.cells.slice(0, 8)).toEqual(['web', 4, 4, 3, 4, 3, 'kubernetes.io/os=linux', '45m']);
  });

  it('controller revisions name their controlling owner', () => {
    const t = table('apps', 'controllerrevisions', {
      metadata: {
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u1', controller: true }],
      },
      revision: 4,
    });
    expect(t.columns).toEqual(['Name', 'Controller', 'Revision', 'Age']);
    expect(t.cells).toEqual(['web', 'statefulset.apps/db', 4, '45m']);
    expect(table('apps', 'controllerrevisions', { revision: 1 }).cells[1]).toBe('<none>');
  });
});
