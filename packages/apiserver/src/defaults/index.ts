// Server-side defaulting: the values the real API server fills into objects on create and update
// (k8s.io/kubernetes pkg/apis/<group>/<version>/defaults.go, release-1.32), so that kubectl and
// client-node see the same objects from Wharf as from a real cluster.
export { applyDefaults } from './apply.js';
export type { Operation } from './core.js';
export { defaultNamespace, defaultPersistentVolumeClaim, defaultService } from './core.js';
export { defaultContainer, defaultImagePullPolicy, defaultProbe } from '../kinds/pod/container-defaults.js';
export { defaultCustomResourceDefinition } from './extensions.js';
export {
  admitPodPriority,
  defaultPod,
  defaultPodSpec,
  defaultPodTemplateSpec,
  SYSTEM_PRIORITY_CLASSES,
  type PriorityClassInfo,
} from '../kinds/pod/defaults.js';
export { canonicalQuantity, formatQuantity, parseQuantity } from './quantity.js';
export {
  admitServiceAccount,
  SERVICE_ACCOUNT_MOUNT_PATH,
  serviceAccountTokenVolume,
  type AdmitServiceAccountOptions,
} from '../kinds/pod/serviceaccount.js';
export { defaultVolume, DEFAULT_FILE_MODE } from '../kinds/pod/volume-defaults.js';
export { generateJobSelector } from '../kinds/workloads/defaults.js';
