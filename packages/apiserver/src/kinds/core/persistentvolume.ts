// core/v1 PersistentVolume and PersistentVolumeClaim (pkg/registry/core/persistentvolume{,claim}).
import { defaultPersistentVolume, defaultPersistentVolumeClaim } from '../../defaults/core.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter } from '../../tables/storage.js';
import { validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate } from '../../validation/core.js';
import type { KindStrategy } from '../strategy.js';

export const persistentVolumeStrategy: KindStrategy = {
  group: '',
  kind: 'PersistentVolume',
  resource: 'persistentvolumes',
  defaults: defaultPersistentVolume,
  keepsStatusOnCreate: true,
  printer: persistentVolumePrinter,
};

export const persistentVolumeClaimStrategy: KindStrategy = {
  group: '',
  kind: 'PersistentVolumeClaim',
  resource: 'persistentvolumeclaims',
  defaults: defaultPersistentVolumeClaim,
  validate: validatePersistentVolumeClaim,
  validateUpdate: validatePersistentVolumeClaimUpdate,
  keepsStatusOnCreate: true,
  printer: persistentVolumeClaimPrinter,
};
