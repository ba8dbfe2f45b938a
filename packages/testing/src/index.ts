export { WharfProcess, freePort, REPO_ROOT, WHARF_BIN, type WharfOptions } from './wharf-process.js';
export { Kubectl, KUBECTL_120, KUBECTL_132, eventually, type KubectlResult } from './kubectl.js';
export { RawApi, json, type RawResponse, type RawRequestOptions } from './raw-api.js';
export { busyboxRootfs } from './busybox.js';
export { dirInUse, removeNewTempDirs, wharfTempDirs } from './temp-dirs.js';
export { runcUnavailable } from './runtime.js';
export { KINDS, type KindCase } from './kinds.js';
export { servingCertificate, type ServingCertificate } from './certs.js';
export { layoutWithLayer } from './oci-layout.js';
