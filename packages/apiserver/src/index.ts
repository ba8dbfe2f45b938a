export { ApiServer, KUBERNETES_VERSION, type ApiServerOptions } from './server.js';
export { Store, type StoreOptions } from './storage/index.js';
export { ApiError } from './errors.js';
export { checkOidcOptions, type OidcOptions } from './auth/oidc.js';
export { checkLdapOptions, LDAP_SIGNIN_PATH, type LdapOptions } from './auth/ldap/index.js';
export { evaluatePolicy, parsePolicy, type AuditOptions, type AuditPolicy, type AuditEvent } from './audit/index.js';
export { kubeconfigFor } from './kubeconfig.js';
export { ObjectApi } from './objects/api.js';
export { ResourceRegistry } from './registry.js';
