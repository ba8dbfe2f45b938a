// @wharf/platform-apps: Applications (M runtime + N artifact images), their immutable revisions,
// and ConfigSets (the configuration center), as CRDs of platform.wharf.dev with their controllers.
// It speaks only the Kubernetes API (through @wharf/client), so it runs against any cluster.
export * from './types.js';
export { APPLICATION_CRD, APPLICATION_REVISION_CRD, CONFIGSET_CRD, CRDS } from './crds.js';
export { startPlatform, type PlatformOptions, type RunningPlatform } from './platform.js';
export { installCrds } from './install.js';
export { reconcileConfigSet, dataHash } from './configset/reconcile.js';
export { reconcileApplication } from './application/reconcile.js';
export { PLATFORM_MANIFESTS, PLATFORM_RULES } from './deploy.js';
export {
  previewConfigChange,
  type ConfigChangePreview,
  type ChangedKey,
  type Impact,
  type KeyChange,
} from './preview.js';
export { admitConfigSet, type AdmissionRequest, type AdmissionResponse } from './configset/author.js';
export type { AuthorWebhookOptions } from './configset/webhook.js';
