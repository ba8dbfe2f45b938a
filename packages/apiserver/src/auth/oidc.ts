// OpenID Connect ID tokens as kube-apiserver's --oidc-* flags authenticate them: the issuer's
// discovery document names its JWKS; a token from that issuer (`iss`) whose audience holds the
// client ID, signed by one of the issuer's keys with an allowed algorithm, unexpired, is the user
// in its username claim (with a prefix; `sub` claims get "<issuer>#" by default, as upstream) and
// the groups in its groups claim (with a prefix). Keys are cached; a token signed with a key the
// cache does not know makes `prepare` re-read the JWKS first (key rotation; a key still unknown
// after that is not looked for again for 10 s), so `authenticate` itself stays synchronous. Tokens of other issuers are
// left to the other
// authenticators; a token of this issuer that fails any check is refused.
import { constants, createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { UserInfo } from '../objects/context.js';

export interface OidcOptions {
  /** --oidc-issuer-url: https (http only for loopback issuers in tests and demos). */
  readonly issuerURL: string;
  /** --oidc-client-id: the audience a token must carry. */
  readonly clientID: string;
  /** --oidc-username-claim. @default 'sub' */
  readonly usernameClaim?: string;
  /** --oidc-username-prefix; '-' for none. @default "<issuer>#" unless the claim is email */
  readonly usernamePrefix?: string;
  /** --oidc-groups-claim. @default none */
  readonly groupsClaim?: string;
  /** --oidc-groups-prefix. @default '' */
  readonly groupsPrefix?: string;
  /** --oidc-ca-file: CA bundle for the issuer's TLS. @default the system's */
  readonly caFile?: string;
  /** --oidc-signing-algs. @default ['RS256'] */
  readonly signingAlgs?: readonly string[];
  /** --oidc-required-claim key=value pairs. @default {} */
  readonly requiredClaims?: Readonly<Record<string, string>>;
  /**
   * Seconds a verified token's user is remembered (as kube-apiserver's cached token authenticator), never past its
   * expiry; 0 for none. @default 10
   */
  readonly cacheSeconds?: number;
}

/** JOSE algorithm → node's digest and padding. */
const ALGS: Record<string, { digest: string; pss?: boolean; ec?: boolean }> = {
  RS256: { digest: 'sha256' },
  RS384: { digest: 'sha384' },
  RS512: { digest: 'sha512' },
  PS256: { digest: 'sha256', pss: true },
  PS384: { digest: 'sha384', pss: true },
  PS512: { digest: 'sha512', pss: true },
  ES256: { digest: 'sha256', ec: true },
  ES384: { digest: 'sha384', ec: true },
  ES512: { digest: 'sha512', ec: true },
};
const SKEW_SECONDS = 10;
const QUIET_AFTER_MISS_MS = 10_000;
/** Verified tokens remembered at most (the oldest is forgotten first). */
const CACHE_ENTRIES = 10_000;

type Claims = Record<string, unknown>;

function decodeJson(text: string): Claims | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Claims) : undefined;
  } catch {
    return undefined;
  }
}

const decodePart = (part: string | undefined): Claims | undefined =>
  decodeJson(Buffer.from(part ?? '', 'base64url').toString('utf8'));

/** The issuer a JWT claims, without verifying anything (to route it to its authenticator). */
export function unverifiedIssuer(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const iss = decodePart(parts[1])?.iss;
  return typeof iss === 'string' ? iss : undefined;
}

/** Refuses settings kube-apiserver would refuse, with the flag named (before anything starts). */
export function checkOidcOptions(o: Pick<OidcOptions, 'issuerURL' | 'clientID'>): void {
  let url: URL;
  try {
    url = new URL(o.issuerURL);
  } catch {
    throw new Error(`--oidc-issuer-url must be a URL, got "${o.issuerURL}"`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error(`--oidc-issuer-url must be an https URL (http only on loopback), got "${o.issuerURL}"`);
  if (!o.clientID) throw new Error('--oidc-client-id is required with --oidc-issuer-url');
}

export class OidcAuthenticator {
  private keys = new Map<string, KeyObject>();
  private unnamed: KeyObject[] = [];
  private quietUntil = 0;
  /** token → its user, until a time (ms): a repeated token skips the signature check. */
  private readonly verified = new Map<string, { user: UserInfo; until: number }>();
  private fetching: Promise<void> | undefined;
  private readonly agent: Agent | undefined;

  constructor(
    private readonly o: OidcOptions,
    private readonly clock: () => Date = () => new Date(),
  ) {
    checkOidcOptions(o);
    this.agent = o.caFile ? new Agent({ ca: readFileSync(o.caFile, 'utf8') }) : undefined;
  }

  get issuer(): string {
    return this.o.issuerURL;
  }

  /** Reads discovery and the JWKS now (at start; failures are retried on the first token). */
  async start(): Promise<void> {
    await this.refresh().catch(() => undefined);
  }

  /** Makes sure the key a token of this issuer names is known (re-reading the JWKS if not). */
  async prepare(token: string): Promise<void> {
    if (unverifiedIssuer(token) !== this.o.issuerURL) return;
    const kid = decodePart(token.split('.')[0])?.kid;
    if (typeof kid === 'string' ? this.keys.has(kid) : this.keys.size + this.unnamed.length > 0) return;
    // A key the last re-read did not find either: not read again for a while (tokens with
    // made-up key IDs must not make the server hammer the issuer).
    if (Date.now() < this.quietUntil) return;
    await this.refresh().catch(() => undefined);
    if (typeof kid === 'string' && !this.keys.has(kid)) this.quietUntil = Date.now() + QUIET_AFTER_MISS_MS;
  }

  /** The user of a valid token of this issuer; undefined for other tokens and invalid ones. */
  authenticate(token: string): UserInfo | undefined {
    const now = this.clock().getTime();
    const hit = this.verified.get(token);
    if (hit && hit.until > now) return hit.user;
    if (hit) this.verified.delete(token);
    const checked = this.verify(token);
    const cacheMs = (this.o.cacheSeconds ?? 10) * 1000;
    if (checked && cacheMs > 0) {
      if (this.verified.size >= CACHE_ENTRIES) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, {
        user: checked.user,
        until: Math.min(now + cacheMs, (checked.exp + SKEW_SECONDS) * 1000),
      });
    }
    return checked?.user;
  }

  private verify(token: string): { user: UserInfo; exp: number } | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const header = decodePart(parts[0]);
    const claims = decodePart(parts[1]);
    if (!header || !claims || claims.iss !== this.o.issuerURL) return undefined;
    const alg = typeof header.alg === 'string' ? header.alg : '';
    const spec = ALGS[alg];
    if (!spec || !(this.o.signingAlgs ?? ['RS256']).includes(alg)) return undefined;
    const candidates =
      typeof header.kid === 'string'
        ? [this.keys.get(header.kid)].filter((k): k is KeyObject => !!k)
        : [...this.keys.values(), ...this.unnamed];
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2] ?? '', 'base64url');
    const ok = candidates.some((key) => {
      try {
        return verifySignature(
          spec.digest,
          data,
          spec.ec
            ? { key, dsaEncoding: 'ieee-p1363' }
            : spec.pss
              ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
              : key,
          sig,
        );
      } catch {
        return false;
      }
    });
    if (!ok) return undefined;
    const now = Math.floor(this.clock().getTime() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp + SKEW_SECONDS < now) return undefined;
    if (typeof claims.nbf === 'number' && claims.nbf - SKEW_SECONDS > now) return undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(this.o.clientID)) return undefined;
    for (const [k, v] of Object.entries(this.o.requiredClaims ?? {})) if (claims[k] !== v) return undefined;
    const usernameClaim = this.o.usernameClaim ?? 'sub';
    const username = claims[usernameClaim];
    if (typeof username !== 'string' || !username) return undefined;
    // As upstream: an email username needs email_verified unless the token does not carry it.
    if (usernameClaim === 'email' && claims.email_verified !== undefined && claims.email_verified !== true)
      return undefined;
    const prefix =
      this.o.usernamePrefix === '-'
        ? ''
        : (this.o.usernamePrefix ?? (usernameClaim === 'email' ? '' : `${this.o.issuerURL}#`));
    const rawGroups = this.o.groupsClaim ? claims[this.o.groupsClaim] : undefined;
    const groups = (Array.isArray(rawGroups) ? rawGroups : typeof rawGroups === 'string' ? [rawGroups] : []).filter(
      (g): g is string => typeof g === 'string',
    );
    return {
      user: {
        name: `${prefix}${username}`,
        groups: [...groups.map((g) => `${this.o.groupsPrefix ?? ''}${g}`), 'system:authenticated'],
      },
      exp: claims.exp,
    };
  }

  private refresh(): Promise<void> {
    if (this.fetching) return this.fetching;
    this.fetching = (async () => {
      const discovery = await this.getJson(`${this.o.issuerURL.replace(/\/$/, '')}/.well-known/openid-configuration`);
      if (discovery.issuer !== this.o.issuerURL)
        throw new Error(`the discovery document names issuer ${String(discovery.issuer)}, not ${this.o.issuerURL}`);
      if (typeof discovery.jwks_uri !== 'string') throw new Error('the discovery document has no jwks_uri');
      const jwks = await this.getJson(discovery.jwks_uri);
      const keys = new Map<string, KeyObject>();
      const unnamed: KeyObject[] = [];
      for (const jwk of Array.isArray(jwks.keys) ? (jwks.keys as Claims[]) : []) {
        if (jwk.use !== undefined && jwk.use !== 'sig') continue;
        try {
          const key = createPublicKey({ key: jwk as never, format: 'jwk' });
          if (typeof jwk.kid === 'string') keys.set(jwk.kid, key);
          else unnamed.push(key);
        } catch {
          // a key type node cannot read: skipped, as upstream skips unsupported keys
        }
      }
      this.keys = keys;
      this.unnamed = unnamed;
    })().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private getJson(url: string): Promise<Claims> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const get = u.protocol === 'https:' ? request : httpRequest;
      const req = get(
        u,
        {
          method: 'GET',
          timeout: 10_000,
          headers: { accept: 'application/json' },
          ...(u.protocol === 'https:' && this.agent ? { agent: this.agent } : {}),
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
            if (body.length > 1 << 20) req.destroy(new Error(`${url}: response larger than 1 MiB`));
          });
          res.on('end', () => {
            if ((res.statusCode ?? 0) !== 200) return reject(new Error(`${url}: HTTP ${res.statusCode}`));
            const parsed = decodeJson(body);
            if (parsed) resolve(parsed);
            else reject(new Error(`${url}: not a JSON object`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
      req.on('error', reject);
      req.end();
    });
  }
}
