// Bearer-token authentication: a static token file (the admin token lives there) and signed
// service-account JWTs (ES256, or RS256 in older data dirs), the two kinds of credentials Wharf's API accepts.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { signJws, verifyJws } from './jws.js';
import type { UserInfo } from '../objects/context.js';

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';

interface StaticToken {
  token: string;
  user: UserInfo;
}

/** Reads `token,user,uid,"group1,group2"` lines (the format of kube-apiserver's --token-auth-file). */
export function loadTokenFile(path: string): StaticToken[] {
  if (!existsSync(path)) return [];
  const out: StaticToken[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([^,]+),([^,]+),([^,]*)(?:,"?([^"]*)"?)?$/.exec(line.trim());
    if (!m) continue;
    const groups = (m[4] ?? '').split(',').filter(Boolean);
    out.push({ token: m[1] as string, user: { name: m[2] as string, uid: m[3] as string, groups } });
  }
  return out;
}

/** Makes sure the token file has a token for `user`; returns it. */
function ensureToken(path: string, user: string, groups: readonly string[]): string {
  const existing = loadTokenFile(path).find((t) => t.user.name === user);
  if (existing) return existing.token;
  const token = randomBytes(32).toString('hex');
  writeFileSync(path, `${token},${user},${user},"${groups.join(',')}"\n`, { mode: 0o600, flag: 'a' });
  return token;
}

/** Makes sure the token file has an admin token; returns it. */
export function ensureAdminToken(path: string): string {
  return ensureToken(path, 'wharf-admin', ['system:masters', 'system:authenticated']);
}

/**
 * The dataplane process (cluster DNS, Ingress gateway) signs in as this user, in this group, as
 * kube-proxy signs in as system:kube-proxy: its own identity, bound to system:wharf:dataplane.
 */
export const DATAPLANE_USER = 'system:wharf:dataplane';
export const DATAPLANE_GROUP = 'system:wharf:dataplanes';

/** Makes sure the token file has the dataplane's token; returns it. */
export function ensureDataplaneToken(path: string): string {
  return ensureToken(path, DATAPLANE_USER, [DATAPLANE_GROUP, 'system:authenticated']);
}

/** The group every node agent's user is in; its user is `system:node:<name>`. */
export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';

/**
 * Makes sure the token file has a token for node `nodeName` (user system:node:<name>, group system:nodes); returns it.
 */
export function ensureNodeToken(path: string, nodeName: string): string {
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(nodeName))
    throw new Error(`invalid node name "${nodeName}": must be a DNS subdomain`);
  return ensureToken(path, `${NODE_USER_PREFIX}${nodeName}`, [NODES_GROUP, 'system:authenticated']);
}

export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface TokenClaims {
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  iss: string;
  sub: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
}

/** Who the API server is when it calls node agents with its agent token (upstream's kubelet client user). */
export const AGENT_CLIENT_USER: UserInfo = {
  name: 'system:kube-apiserver-kubelet-client',
  groups: ['system:authenticated'],
};

/** The token file's size and mtime, to tell a change by another process; '' when it is missing. */
function stampOf(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return '';
  }
}

export class TokenAuthenticator {
  private statics: StaticToken[];
  private fileStamp = '';
  /** Tokens of the API server's own, beside the file's (kept across reloads). */
  private readonly builtin: StaticToken[] = [];

  constructor(
    private readonly tokenFile: string,
    private readonly saKey: string,
    private readonly saPub: string,
    /** Confirms the service account still exists with that uid. */
    private readonly serviceAccountExists: (ref: ServiceAccountRef) => boolean,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.fileStamp = stampOf(tokenFile);
    this.statics = loadTokenFile(tokenFile);
  }

  reload(): void {
    this.fileStamp = stampOf(this.tokenFile);
    this.statics = [...this.builtin, ...loadTokenFile(this.tokenFile)];
  }

  /**
   * Reads the file again if another process changed it since: with several API servers on one
   * data dir (`--control-plane-members 3`), a node token `wharf up` adds must work on each.
   */
  private reloadIfChanged(): boolean {
    if (stampOf(this.tokenFile) === this.fileStamp) return false;
    this.reload();
    return true;
  }

  /**
   * A token of the API server's own: it authenticates (a TokenReview answers `user`), with no rights beyond the user's.
   */
  addBuiltin(token: string, user: UserInfo): void {
    this.builtin.push({ token, user });
    this.reload();
  }

  private staticUser(token: string): UserInfo | undefined {
    const given = Buffer.from(token);
    for (const s of this.statics) {
      const want = Buffer.from(s.token);
      if (want.length === given.length && timingSafeEqual(want, given)) return s.user;
    }
    return undefined;
  }

  /** Signs a service-account token (the TokenRequest API and legacy token secrets). */
  issue(sa: ServiceAccountRef, audiences: string[], expirationSeconds: number): { token: string; expiration: Date } {
    const now = Math.floor(this.clock().getTime() / 1000);
    const claims: TokenClaims = {
      aud: audiences,
      exp: now + expirationSeconds,
      iat: now,
      nbf: now,
      iss: ISSUER,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
      'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } },
    };
    return { token: signJws(this.saKey, { kid: 'wharf-sa' }, claims), expiration: new Date(claims.exp * 1000) };
  }

  /** The user a bearer token stands for, or undefined when the token is not valid. */
  authenticate(token: string): UserInfo | undefined {
    const found = this.staticUser(token) ?? (!token.includes('.') && this.reloadIfChanged() && this.staticUser(token));
    if (found) return found;
    const verified = verifyJws(this.saPub, token);
    if (!verified) return undefined;
    try {
      const claims = verified.claims as TokenClaims;
      const now = this.clock().getTime() / 1000;
      if (claims.iss !== ISSUER || claims.exp < now || claims.nbf > now + 60) return undefined;
      const k = claims['kubernetes.io'];
      if (
        !k ||
        !this.serviceAccountExists({ namespace: k.namespace, name: k.serviceaccount.name, uid: k.serviceaccount.uid })
      )
        return undefined;
      return {
        name: claims.sub,
        uid: k.serviceaccount.uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
      };
    } catch {
      return undefined;
    }
  }
}
