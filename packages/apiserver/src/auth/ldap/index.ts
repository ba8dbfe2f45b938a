// Sign-in with an LDAP directory (wharf up --ldap-*).
export { LdapSignIn, LDAP_SIGNIN_PATH, type LdapSignInOptions } from './signin.js';
export { checkLdapOptions, type LdapOptions } from './options.js';
export { FailureLimiter } from './rate-limit.js';
export { CONSOLE_CLIENT_HEADER, CONSOLE_PROOF_HEADER } from './console-client.js';
