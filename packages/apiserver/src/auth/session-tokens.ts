// Tokens Wharf issues itself after a sign-in it checked (LDAP): JWTs signed with the
// service-account key but their own issuer, so they never pass as a service account's token and
// a service-account token never passes as one of these. They name the user and groups and expire.
// Signing out revokes one before then: a hash of it is listed until the token would have
// expired, in a file beside the database, so a restarted API server still refuses it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { signJws, verifyJws } from './jws.js';
import type { UserInfo } from '../objects/context.js';

export const SESSION_ISSUER = 'https://wharf.dev/sessions';

/** `jti` tells apart two sign-ins of a user in the same second: signing one out leaves the other. */
interface SessionClaims {
  iss: string;
  sub: string;
  groups: string[];
  iat: number;
  exp: number;
  idp: string;
  jti: string;
}

/** Revoked tokens (the SHA-256 of what they sign) with their expiry in epoch seconds; a file when given a path. */
export class RevokedSessions {
  private readonly until: Map<string, number>;

  constructor(private readonly path?: string) {
    this.until = new Map(
      path && existsSync(path) ? Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>) : [],
    );
  }

  has(id: string): boolean {
    return this.until.has(id);
  }

  /** Lists `id` until `exp`; entries past their expiry are dropped (their tokens fail anyway). */
  add(id: string, exp: number, nowSeconds: number): void {
    for (const [k, e] of this.until) if (e <= nowSeconds) this.until.delete(k);
    this.until.set(id, exp);
    if (!this.path) return;
    // Written whole, then renamed: a crash mid-write leaves the old list, not half a file.
    writeFileSync(`${this.path}.tmp`, JSON.stringify(Object.fromEntries(this.until)), { mode: 0o600 });
    renameSync(`${this.path}.tmp`, this.path);
  }
}

export class SessionTokens {
  constructor(
    private readonly key: string,
    private readonly pub: string,
    private readonly clock: () => Date = () => new Date(),
    private readonly revoked: RevokedSessions = new RevokedSessions(),
  ) {}

  /** A token for `user` that expires in `ttlSeconds`; `idp` says where the user signed in (ldap). */
  issue(user: UserInfo, ttlSeconds: number, idp: string): { token: string; expiration: Date } {
    const now = Math.floor(this.clock().getTime() / 1000);
    const claims: SessionClaims = {
      iss: SESSION_ISSUER,
      sub: user.name,
      groups: user.groups,
      iat: now,
      exp: now + ttlSeconds,
      idp,
      jti: randomBytes(12).toString('base64url'),
    };
    const token = signJws(this.key, { kid: 'wharf-session', typ: 'JWT' }, claims);
    return { token, expiration: new Date(claims.exp * 1000) };
  }

  /** The user of a valid, unexpired, unrevoked session token; undefined for anything else. */
  authenticate(token: string): UserInfo | undefined {
    const c = this.verified(token);
    return c && !this.revoked.has(c.id) ? userOf(c.claims) : undefined;
  }

  /** Ends a session before it expires; answers its user, or undefined when the token is no valid session token. */
  revoke(token: string): UserInfo | undefined {
    const c = this.verified(token);
    if (!c || this.revoked.has(c.id)) return undefined;
    this.revoked.add(c.id, c.claims.exp, this.clock().getTime() / 1000);
    return userOf(c.claims);
  }

  /** The claims of a token this key signed, for this issuer, not expired; `id` names it for revocation. */
  private verified(token: string): { claims: SessionClaims; id: string } | undefined {
    const verified = verifyJws(this.pub, token);
    if (!verified) return undefined;
    const c = verified.claims as SessionClaims;
    if (c.iss !== SESSION_ISSUER || typeof c.sub !== 'string' || !Array.isArray(c.groups)) return undefined;
    if (!(c.exp > this.clock().getTime() / 1000)) return undefined;
    // Named by what was signed: the signature's text can be spelled several ways (base64url's spare bits).
    return { claims: c, id: createHash('sha256').update(`${verified.head}.${verified.body}`).digest('hex') };
  }
}

function userOf(c: SessionClaims): UserInfo {
  return {
    name: c.sub,
    groups: [...c.groups.filter((g) => typeof g === 'string' && g !== 'system:authenticated'), 'system:authenticated'],
  };
}
