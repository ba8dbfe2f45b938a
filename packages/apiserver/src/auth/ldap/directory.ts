// Signing in against an LDAP directory with ldapts: bind as the user (their DN from a template),
// over ldaps:// or StartTLS with the directory's CA, then read the groups that list the user as a
// member. The bind is the password check; Wharf never stores or logs the password.
import { readFileSync } from 'node:fs';
import type { LdapOptions } from './options.js';

/** The directory refused the credentials (wrong password, unknown user). */
export class InvalidCredentialsError extends Error {}

export interface DirectoryUser {
  readonly dn: string;
  /** The groups' names (their groupNameAttribute), without the prefix. */
  readonly groups: readonly string[];
}

/** Usernames are restricted to what a DN and a filter can hold without escaping. */
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function validUsername(name: unknown): name is string {
  return typeof name === 'string' && USERNAME.test(name);
}

export async function bindAndReadGroups(o: LdapOptions, username: string, password: string): Promise<DirectoryUser> {
  // An empty password is an "unauthenticated bind" that many directories accept: never a sign-in.
  if (!validUsername(username) || !password) throw new InvalidCredentialsError('invalid credentials');
  const { Client, InvalidCredentialsError: LdapInvalid } = await import('ldapts');
  const ca = o.caFile ? readFileSync(o.caFile, 'utf8') : undefined;
  const tlsOptions = { ...(ca ? { ca } : {}), minVersion: 'TLSv1.2' as const };
  const client = new Client({
    url: o.url,
    timeout: 10_000,
    connectTimeout: 10_000,
    ...(o.url.startsWith('ldaps:') ? { tlsOptions } : {}),
  });
  const dn = o.userDNTemplate.replace('{username}', username);
  try {
    if (o.startTLS) await client.startTLS(tlsOptions);
    try {
      await client.bind(dn, password);
    } catch (e) {
      if (e instanceof LdapInvalid) throw new InvalidCredentialsError('invalid credentials');
      throw e;
    }
    const nameAttr = o.groupNameAttribute ?? 'cn';
    const filter = (o.groupFilter ?? '(|(member={dn})(uniqueMember={dn}))')
      .replaceAll('{dn}', escapeFilter(dn))
      .replaceAll('{username}', escapeFilter(username));
    const { searchEntries } = await client.search(o.groupSearchBase, { scope: 'sub', filter, attributes: [nameAttr] });
    const groups = searchEntries.flatMap((e) => {
      const v = e[nameAttr];
      return (Array.isArray(v) ? v : [v])
        .map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x ?? '')))
        .filter(Boolean);
    });
    return { dn, groups: [...new Set(groups)].sort() };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** RFC 4515 escaping of a value put into a search filter. */
function escapeFilter(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
