// Two PersistentVolumeClaim admission plugins of kube-apiserver. PersistentVolumeClaimResize: a
// claim may grow only when its class allows volume expansion.
// DefaultStorageClass admission: a new PersistentVolumeClaim that names no storage class gets the
// default one (annotation storageclass.kubernetes.io/is-default-class=true; the newest when several
// are marked, as kube-apiserver 1.26+ picks). An explicit "" keeps asking for no class at all, and
// with no default class the claim is left as it is.
import { isRecord, quantityValue } from '@wharf/api';
import { forbidden } from '../errors.js';
import { objectKey, resourcePrefix, type Store } from '../storage/index.js';
import type { AdmissionPlugin } from './context.js';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

/** The default StorageClass's name, if any is marked. */
export function defaultStorageClass(store: Store): string | undefined {
  const marked = store
    .list(resourcePrefix('storage.k8s.io', 'storageclasses'))
    .map((e) => e.object)
    .filter((sc) => sc.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' && !sc.metadata.deletionTimestamp);
  marked.sort(
    (a, b) =>
      String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')) ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
  return marked[0]?.metadata.name;
}

export function defaultStorageClassAdmission(store: Store): AdmissionPlugin {
  return (req) => {
    const { group, kind } = req.served.info;
    if (
      req.operation !== 'CREATE' ||
      req.subresource ||
      !req.object ||
      group !== '' ||
      kind !== 'PersistentVolumeClaim'
    )
      return;
    const spec = req.object.spec;
    if (!isRecord(spec) || (spec.storageClassName !== undefined && spec.storageClassName !== null)) return;
    const name = defaultStorageClass(store);
    if (name) spec.storageClassName = name;
  };
}

const storageRequest = (o: unknown): number | undefined => {
  const spec = isRecord(o) && isRecord(o.spec) ? o.spec : {};
  const resources = isRecord(spec.resources) ? spec.resources : {};
  return quantityValue(isRecord(resources.requests) ? resources.requests.storage : undefined);
};

export function claimResizeAdmission(store: Store): AdmissionPlugin {
  return (req) => {
    const { group, kind } = req.served.info;
    if (
      req.operation !== 'UPDATE' ||
      req.subresource ||
      !req.object ||
      !req.old ||
      group !== '' ||
      kind !== 'PersistentVolumeClaim'
    )
      return;
    const now = storageRequest(req.object);
    const before = storageRequest(req.old);
    if (now === undefined || before === undefined || now <= before) return;
    const spec = isRecord(req.old.spec) ? req.old.spec : {};
    const className = typeof spec.storageClassName === 'string' ? spec.storageClassName : '';
    const sc = className ? store.get(objectKey('storage.k8s.io', 'storageclasses', undefined, className)) : undefined;
    if ((sc as { allowVolumeExpansion?: unknown } | undefined)?.allowVolumeExpansion !== true) {
      throw forbidden(
        `persistentvolumeclaims "${req.old.metadata.name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`,
      );
    }
  };
}
