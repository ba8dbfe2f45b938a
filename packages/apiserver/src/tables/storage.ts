// Printers for storage: PersistentVolumes and PersistentVolumeClaims (core/v1) and StorageClasses
// (storage.k8s.io/v1). Cells follow k8s.io/kubernetes/pkg/printers/internalversion (1.32).

import type { KubeObject } from '@wharf/api';
import { AGE_COLUMN, NAME_COLUMN, ageOf, col, nameOf, wide } from './columns.js';
import type { Printer } from './columns.js';
import { DESC } from './descriptions.js';
import { arr, get, scalarString, str } from './format.js';

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

const ACCESS_MODE_ABBREVIATIONS: ReadonlyArray<[string, string]> = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** "RWO,RWX": each mode once, always in this fixed order. */
export function accessModes(modes: unknown): string {
  const present = new Set(arr(modes).map((m) => str(m)));
  return ACCESS_MODE_ABBREVIATIONS.filter(([mode]) => present.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** The storage class, from the beta annotation first, then spec.storageClassName. */
function storageClassOf(obj: KubeObject): string {
  const annotation = obj.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  return annotation ?? str(get(obj, 'spec', 'storageClassName'));
}

function isDeleting(obj: KubeObject): boolean {
  return obj.metadata?.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null;
}

export const persistentVolumePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Capacity', 'string', DESC.pvCapacity),
    col('Access Modes', 'string', DESC.pvAccessModes),
    col('Reclaim Policy', 'string', DESC.pvReclaimPolicy),
    col('Status', 'string', DESC.pvPhase),
    col('Claim', 'string', DESC.pvClaimRef),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', DESC.pvReason),
    AGE_COLUMN,
    wide('VolumeMode', 'string', DESC.pvVolumeMode),
  ],
  cells(pv, ctx) {
    const spec = get(pv, 'spec');
    const claimRef = get(spec, 'claimRef');
    const claim = claimRef === undefined ? '' : `${str(get(claimRef, 'namespace'))}/${str(get(claimRef, 'name'))}`;
    // Defaults the API applies on create: phase Pending, policy Retain, mode Filesystem.
    return [
      nameOf(pv),
      scalarString(get(spec, 'capacity', 'storage'), '0'),
      accessModes(get(spec, 'accessModes')),
      str(get(spec, 'persistentVolumeReclaimPolicy'), 'Retain'),
      isDeleting(pv) ? 'Terminating' : str(get(pv, 'status', 'phase'), 'Pending'),
      claim,
      storageClassOf(pv),
      str(get(spec, 'volumeAttributesClassName'), '<unset>'),
      str(get(pv, 'status', 'reason')),
      ageOf(pv, ctx),
      str(get(spec, 'volumeMode'), 'Filesystem'),
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', DESC.pvcPhase),
    col('Volume', 'string', DESC.pvcVolumeName),
    col('Capacity', 'string', DESC.pvcCapacity),
    col('Access Modes', 'string', DESC.pvcAccessModes),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    wide('VolumeMode', 'string', DESC.pvcVolumeMode),
  ],
  cells(pvc, ctx) {
    const spec = get(pvc, 'spec');
    const volumeName = str(get(spec, 'volumeName'));
    // Capacity and access modes are only shown once the claim is bound to a volume.
    const bound = volumeName !== '';
    return [
      nameOf(pvc),
      isDeleting(pvc) ? 'Terminating' : str(get(pvc, 'status', 'phase'), 'Pending'),
      volumeName,
      bound ? scalarString(get(pvc, 'status', 'capacity', 'storage'), '0') : '',
      bound ? accessModes(get(pvc, 'status', 'accessModes')) : '',
      storageClassOf(pvc),
      str(get(spec, 'volumeAttributesClassName'), '<unset>'),
      ageOf(pvc, ctx),
      str(get(spec, 'volumeMode'), 'Filesystem'),
    ];
  },
};

const DEFAULT_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

export const storageClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Provisioner', 'string', DESC.scProvisioner),
    col('ReclaimPolicy', 'string', DESC.scReclaimPolicy),
    col('VolumeBindingMode', 'string', DESC.scBindingMode),
    col('AllowVolumeExpansion', 'string', DESC.scAllowExpansion),
    AGE_COLUMN,
  ],
  cells(sc, ctx) {
    const annotations = sc.metadata?.annotations ?? {};
    const isDefault = DEFAULT_CLASS_ANNOTATIONS.some((a) => annotations[a] === 'true');
    return [
      isDefault ? `${nameOf(sc)} (default)` : nameOf(sc),
      str(get(sc, 'provisioner')),
      str(get(sc, 'reclaimPolicy'), 'Delete'),
      str(get(sc, 'volumeBindingMode'), 'Immediate'),
      get(sc, 'allowVolumeExpansion') === true,
      ageOf(sc, ctx),
    ];
  },
};

export const csiStorageCapacityPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('StorageClassName', 'string', 'The storage class the capacity is reported for.'),
    AGE_COLUMN,
  ],
  cells: (c, ctx) => [nameOf(c), str(get(c, 'storageClassName')), ageOf(c, ctx)],
};
