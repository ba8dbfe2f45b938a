export { ApiServer, KUBERNETES_VERSION, versionInfo, type ApiServerOptions } from './server.js';
export {
  SqliteStore,
  snapshotStore,
  storedVersions,
  storedVersionsOnEtcd,
  type Store,
  type StoreOptions,
  type StoredVersion,
} from './storage/index.js';
export { ApiError } from './errors.js';
export { CaSigner } from './certificates/signer.js';
export { newKeyPair, stillFits } from './certificates/keys.js';
export { checkOidcOptions, type OidcOptions } from './auth/oidc.js';
export {
  checkLdapOptions,
  CONSOLE_CLIENT_HEADER,
  CONSOLE_PROOF_HEADER,
  LDAP_SIGNIN_PATH,
  type LdapOptions,
} from './auth/ldap/index.js';
export { evaluatePolicy, parsePolicy, type AuditOptions, type AuditPolicy, type AuditEvent } from './audit/index.js';
export { kubeconfigFor } from './kubeconfig.js';
export { ObjectApi } from './objects/api.js';
export { ResourceRegistry } from './registry.js';
export {
  KUBERNETES_MINORS,
  DEFAULT_MINOR,
  WINDOWED_APIS,
  parseKubernetesVersion,
  chooseKubernetesVersion,
  pinnedVersion,
  pinKubernetesVersion,
  minorOf,
  minorIndex,
  minorPath,
  removedBetween,
  type KubernetesVersion,
  type WindowedApi,
} from './version-window.js';
