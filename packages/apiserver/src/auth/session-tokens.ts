// Tokens Wharf issues itself after a sign-in it checked (LDAP): RS256 JWTs signed with the
// service-account key but their own issuer, so they never pass as a service account's token and
// a service-account token never passes as one of these. They name the user and groups and expire.
import { createSign, createVerify } from 'node:crypto';
import type { UserInfo } from '../objects/context.js';

export const SESSION_ISSUER = 'https://wharf.dev/sessions';

interface SessionClaims { iss: string; sub: string; groups: string[]; iat: number; exp: number; idp: string }

export class SessionTokens {
  constructor(private readonly key: string, private readonly pub: string, private readonly clock: () => Date = () => new Date()) {}

  /** A token for `user` that expires in `ttlSeconds`; `idp` says where the user signed in (ldap). */
  issue(user: UserInfo, ttlSeconds: number, idp: string): { token: string; expiration: Date } {
    const now = Math.floor(this.clock().getTime() / 1000);
    const claims: SessionClaims = { iss: SESSION_ISSUER, sub: user.name, groups: user.groups, iat: now, exp: now + ttlSeconds, idp };
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'RS256', kid: 'wharf-session', typ: 'JWT' })}.${b64(claims)}`;
    const sig = createSign('RSA-SHA256').update(unsigned).sign(this.key).toString('base64url');
    return { token: `${unsigned}.${sig}`, expiration: new Date(claims.exp * 1000) };
  }

  /** The user of a valid, unexpired session token; undefined for anything else. */
  authenticate(token: string): UserInfo | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, sig] = parts as [string, string, string];
    try {
      if (!createVerify('RSA-SHA256').update(`${head}.${body}`).verify(this.pub, Buffer.from(sig, 'base64url'))) return undefined;
      const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
      if (c.iss !== SESSION_ISSUER || typeof c.sub !== 'string' || !Array.isArray(c.groups)) return undefined;
      if (!(c.exp > this.clock().getTime() / 1000)) return undefined;
      return { name: c.sub, groups: [...c.groups.filter((g) => typeof g === 'string' && g !== 'system:authenticated'), 'system:authenticated'] };
    } catch {
      return undefined;
    }
  }
}
