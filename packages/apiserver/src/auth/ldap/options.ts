// The LDAP sign-in's settings (wharf up --ldap-*).

export interface LdapOptions {
  /** ldap://host:port (with startTLS) or ldaps://host:port. */
  readonly url: string;
  /** The user's DN, e.g. uid={username},ou=people,dc=example,dc=org. */
  readonly userDNTemplate: string;
  /** Where groups are searched, e.g. ou=groups,dc=example,dc=org. */
  readonly groupSearchBase: string;
  /** {dn} and {username} are replaced (escaped). @default (|(member={dn})(uniqueMember={dn})) */
  readonly groupFilter?: string;
  /** @default cn */
  readonly groupNameAttribute?: string;
  /** Upgrade ldap:// with StartTLS before binding. @default false */
  readonly startTLS?: boolean;
  /** CA bundle of the directory's certificate. @default the system's */
  readonly caFile?: string;
  /** Prefix of group names (as --oidc-groups-prefix). @default 'ldap:' */
  readonly groupsPrefix?: string;
  /** Lifetime of the token a sign-in returns. @default 28800 (8 h) */
  readonly tokenTtlSeconds?: number;
  /** Failed sign-ins allowed per username and per client address in `failureWindowSeconds`. @default 5 */
  readonly maxFailures?: number;
  /** @default 300 */
  readonly failureWindowSeconds?: number;
  /**
   * A secret `wharf up`'s console server sends with the browser it signs in for: such attempts
   * count against that browser instead of the console's loopback address (console-client.ts).
   * @default none: every attempt counts against its address
   */
  readonly consoleProof?: string;
}

/** Refuses settings that would send passwords in clear or cannot work, naming the flag. */
export function checkLdapOptions(o: LdapOptions): void {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new Error(`--ldap-url must be an ldap:// or ldaps:// URL, got "${o.url}"`);
  }
  if (url.protocol !== 'ldaps:' && url.protocol !== 'ldap:')
    throw new Error(`--ldap-url must be an ldap:// or ldaps:// URL, got "${o.url}"`);
  if (url.protocol === 'ldap:' && !o.startTLS)
    throw new Error('--ldap-url ldap:// needs --ldap-start-tls (passwords are never sent in clear); or use ldaps://');
  if (!o.userDNTemplate.includes('{username}')) throw new Error('--ldap-user-dn-template must contain {username}');
  if (!o.groupSearchBase) throw new Error('--ldap-group-search-base is required with --ldap-url');
}
