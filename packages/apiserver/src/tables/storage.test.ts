import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');

function table(group: string, resource: string, obj: Record<string, unknown>): { columns: string[]; cells: unknown[] } {
  const info = BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === resource) as ResourceInfo;
  const metadata = { name: 'x', creationTimestamp: '2024-04-30T12:00:00Z', ...(obj.metadata as object | undefined) };
  const t = toTable(info, [{ ...obj, metadata } as KubeObject], { now: NOW });
  return { columns: t.columnDefinitions.map((c) => c.name), cells: t.rows[0]?.cells ?? [] };
}

describe('persistent volumes and claims', () => {
  it('a bound PV shows capacity, modes, policy, claim and class', () => {
    const t = table('', 'persistentvolumes', {
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: { namespace: 'shop', name: 'data' },
        storageClassName: 'fast',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    });
    expect(t.columns).toEqual([
      'Name',
      'Capacity',
      'Access Modes',
      'Reclaim Policy',
      'Status',
      'Claim',
      'StorageClass',
      'VolumeAttributesClass',
      'Reason',
      'Age',
      'VolumeMode',
    ]);
    expect(t.cells).toEqual([
      'x',
      '10Gi',
      'RWO,RWX',
      'Delete',
      'Bound',
      'shop/data',
      'fast',
      '<unset>',
      '',
      '24h',
      'Filesystem',
    ]);
  });

  it('a PV being deleted shows Terminating', () => {
    expect(
      table('', 'persistentvolumes', {
        metadata: { deletionTimestamp: '2024-05-01T11:59:00Z' },
        spec: {},
        status: { phase: 'Bound' },
      }).cells[4],
    ).toBe('Terminating');
  });

  it('a bound PVC shows its volume, capacity and modes; a pending one leaves them blank', () => {
    const bound = table('', 'persistentvolumeclaims', {
      spec: { volumeName: 'pv-1', storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } },
      status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] },
    });
    expect(bound.columns).toEqual([
      'Name',
      'Status',
      'Volume',
      'Capacity',
      'Access Modes',
      'StorageClass',
      'VolumeAttributesClass',
      'Age',
      'VolumeMode',
    ]);
    expect(bound.cells).toEqual(['x', 'Bound', 'pv-1', '10Gi', 'RWO', 'fast', '<unset>', '24h', 'Filesystem']);
    const pending = table('', 'persistentvolumeclaims', {
      metadata: { annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } },
      spec: { resources: { requests: { storage: '5Gi' } } },
      status: { phase: 'Pending' },
    });
    expect(pending.cells.slice(1, 6)).toEqual(['Pending', '', '', '', 'legacy']);
  });
});

describe('storage classes', () => {
  it('mark the default class and fill API defaults', () => {
    const t = table('storage.k8s.io', 'storageclasses', {
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    expect(t.columns).toEqual([
      'Name',
      'Provisioner',
      'ReclaimPolicy',
      'VolumeBindingMode',
      'AllowVolumeExpansion',
      'Age',
    ]);
    expect(t.cells).toEqual(['x (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '24h']);
  });
});
