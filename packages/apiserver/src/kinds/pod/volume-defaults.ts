// Defaults inside one pod volume (SetDefaults_Volume and the per-source defaulters): a volume with
// no source becomes an emptyDir, file modes default to 0644 (420), hostPath gets type "", an image
// volume gets the pull policy a container with that image would, and the
// legacy in-tree sources get their historical defaults.
import { defaultFieldRef, defaultImagePullPolicy } from './container-defaults.js';
import { defaultQuantity, defaultResourceList } from '../../defaults/quantity.js';
import { rec, recs, setDefault, setDefaultIfZero, type Obj } from '../../defaults/util.js';

/** The mode files in secret, configMap, downwardAPI and projected volumes get: 0644. */
export const DEFAULT_FILE_MODE = 420;

/** PersistentVolumeClaimSpec defaults (volumeMode Filesystem) and its resource lists. */
export function defaultClaimSpec(spec: Obj | undefined): void {
  if (!spec) return;
  setDefault(spec, 'volumeMode', 'Filesystem');
  const resources = rec(spec, 'resources');
  defaultResourceList(resources, 'limits');
  defaultResourceList(resources, 'requests');
}

function defaultDownwardItems(source: Obj | undefined): void {
  for (const item of recs(source, 'items')) defaultFieldRef(item);
}

/** Applies the volume defaults in place. */
export function defaultVolume(v: Obj): void {
  if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
  const emptyDir = rec(v, 'emptyDir');
  if (emptyDir) defaultQuantity(emptyDir, 'sizeLimit');
  const hostPath = rec(v, 'hostPath');
  if (hostPath) setDefault(hostPath, 'type', '');
  const image = rec(v, 'image');
  // As a container's imagePullPolicy: Always for :latest or no tag, else IfNotPresent.
  if (image && !image.pullPolicy)
    image.pullPolicy = defaultImagePullPolicy(typeof image.reference === 'string' ? image.reference : '');
  for (const key of ['secret', 'configMap']) {
    const source = rec(v, key);
    if (source) setDefault(source, 'defaultMode', DEFAULT_FILE_MODE);
  }
  const downward = rec(v, 'downwardAPI');
  if (downward) {
    setDefault(downward, 'defaultMode', DEFAULT_FILE_MODE);
    defaultDownwardItems(downward);
  }
  const projected = rec(v, 'projected');
  if (projected) {
    setDefault(projected, 'defaultMode', DEFAULT_FILE_MODE);
    for (const source of recs(projected, 'sources')) {
      defaultDownwardItems(rec(source, 'downwardAPI'));
      const token = rec(source, 'serviceAccountToken');
      if (token) setDefault(token, 'expirationSeconds', 3600);
    }
  }
  const ephemeral = rec(v, 'ephemeral');
  const claimTemplate = ephemeral ? rec(ephemeral, 'volumeClaimTemplate') : undefined;
  if (claimTemplate) defaultClaimSpec(rec(claimTemplate, 'spec'));
  defaultLegacySources(v);
}

/** Defaults of the in-tree volume sources (shared by pod volumes and PersistentVolumes). */
export function defaultLegacySources(source: Obj): void {
  const iscsi = rec(source, 'iscsi');
  if (iscsi) setDefaultIfZero(iscsi, 'iscsiInterface', 'default');
  const rbd = rec(source, 'rbd');
  if (rbd) {
    setDefaultIfZero(rbd, 'pool', 'rbd');
    setDefaultIfZero(rbd, 'user', 'admin');
    setDefaultIfZero(rbd, 'keyring', '/etc/ceph/keyring');
  }
  const azureDisk = rec(source, 'azureDisk');
  if (azureDisk) {
    setDefault(azureDisk, 'cachingMode', 'ReadWrite');
    setDefault(azureDisk, 'kind', 'Shared');
    setDefault(azureDisk, 'fsType', 'ext4');
    setDefault(azureDisk, 'readOnly', false);
  }
  const scaleIO = rec(source, 'scaleIO');
  if (scaleIO) {
    setDefaultIfZero(scaleIO, 'storageMode', 'ThinProvisioned');
    setDefaultIfZero(scaleIO, 'fsType', 'xfs');
  }
}
