// @wharf/registry: Wharf's built-in OCI registry (distribution spec v1.1). May import: api, images.
export { Registry, type RegistryOptions } from './registry.js';
export { RegistryStorage } from './storage.js';
export { RegistryError, type ErrorCode } from './errors.js';
export type { Access, Authenticator, CertificateAuthenticator, CertificateSubject } from './auth.js';
