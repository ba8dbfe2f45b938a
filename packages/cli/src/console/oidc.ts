// The console's sign-in with the cluster's OpenID provider (the issuer `wharf up --oidc-*` trusts):
// authorization code with PKCE, the browser sent to the issuer and back to
// /console-auth/oidc/callback, where `wharf up` trades the code for the tokens. The ID token goes
// into the httpOnly session cookie the proxy already turns into the user's Authorization header
// (so the API server authenticates the user and reads their groups from it); the refresh token
// into a second httpOnly cookie only /console-auth/ sees, traded for a new ID token when the page
// asks before the old one expires. The verifier and nonce wait here for at most ten minutes, keyed
// by a state that a cookie binds to the browser that started: a callback from another browser, or
// a replayed one, is refused. The redirect URI follows the origin the browser used (loopback, the
// Ingress gateway's console.localhost, the HTTPS address), one of those this console is served at:
// never whatever a Host header says.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Configuration } from 'openid-client';
import { describe, discoverIssuer } from '../login/issuer.js';
import { CLEARED_COOKIE, cookieValue, REFRESH_COOKIE, sessionCookie } from './session.js';

export interface ConsoleOidcOptions {
  readonly issuerURL: string;
  readonly clientID: string;
  /** PEM CA file of the issuer's certificate; undefined: the system's CAs. */
  readonly caFile?: string | undefined;
}

export const OIDC_PREFIX = '/console-auth/oidc/';
const CALLBACK_PATH = `${OIDC_PREFIX}callback`;
const STATE_COOKIE = 'wharf-oidc-state';
const PENDING_MS = 10 * 60_000;
/** At most this many sign-ins wait for their callback; the oldest goes first. */
const MAX_PENDING = 1000;
// As `wharf login`: groups for RBAC, offline_access for the refresh token.
const SCOPE = 'openid offline_access profile email groups';

interface Pending {
  /** Where the issuer sends the browser back; the code is traded with the same URI. */
  readonly redirectUri: string;
  readonly verifier: string;
  readonly nonce: string;
  readonly until: number;
}

/**
 * Why a sign-in failed, for the page's words: the issuer unreachable, a bad state, a refusal, or the
 * console opened at an address it does not know (no redirect URI for it).
 */
export type OidcFailure = 'unreachable' | 'state' | 'denied' | 'refused' | 'origin';

export class ConsoleOidc {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly o: ConsoleOidcOptions,
    /** The origins this console is served at (`http://localhost:8070`, ...): the redirect URIs it may ask for. */
    private readonly origins: () => ReadonlySet<string>,
    private readonly now: () => number = Date.now,
  ) {}

  /** What the sign-in page shows: the button names the issuer. */
  get issuer(): string {
    return this.o.issuerURL;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
    const url = new URL(req.url ?? '/', `${scheme}://${req.headers.host ?? 'localhost'}`);
    if (url.pathname === `${OIDC_PREFIX}start` && req.method === 'GET') return this.start(url, res);
    if (url.pathname === CALLBACK_PATH && req.method === 'GET') return this.callback(url, req, res);
    // POST with the console's header: a cross-site form cannot refresh (or fail) a session.
    if (url.pathname === `${OIDC_PREFIX}refresh` && req.method === 'POST' && req.headers['x-wharf-console'] === '1')
      return this.refresh(req, res);
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'unknown request' }));
  }

  /** Ends the session here and, best effort, its refresh token at the issuer. */
  async signOut(req: IncomingMessage): Promise<void> {
    const refresh = cookieValue(req.headers, REFRESH_COOKIE);
    if (!refresh) return;
    const client = await import('openid-client');
    await this.discover()
      .then((config) => client.tokenRevocation(config, refresh, { token_type_hint: 'refresh_token' }))
      .catch(() => undefined);
  }

  /**
   * The issuer's endpoints, read again each time (one small GET): a sign-in starts only while the
   * issuer answers, so a provider that is down shows as such here, not as a browser error page.
   */
  private discover(): Promise<Configuration> {
    return discoverIssuer({
      issuer: this.o.issuerURL,
      clientId: this.o.clientID,
      ...(this.o.caFile ? { caFile: this.o.caFile } : {}),
    });
  }

  private async start(url: URL, res: ServerResponse): Promise<void> {
    const known = this.origins();
    if (!known.has(url.origin))
      return backToPage(
        res,
        'origin',
        `the console is not registered at ${url.origin}; open it at ${[...known].join(' or ')}`,
      );
    let config: Configuration;
    try {
      config = await this.discover();
    } catch (e) {
      return backToPage(res, 'unreachable', describe(e));
    }
    const client = await import('openid-client');
    const state = client.randomState();
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    this.forgetExpired();
    const redirectUri = `${url.origin}${CALLBACK_PATH}`;
    this.pending.set(state, { redirectUri, verifier, nonce, until: this.now() + PENDING_MS });
    const to = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      // Refresh tokens need consent with offline_access at most issuers.
      prompt: 'consent',
    });
    res
      .writeHead(302, {
        location: to.href,
        'cache-control': 'no-store',
        // Lax: the issuer sends the browser back with a cross-site navigation, which must carry it.
        'set-cookie': `${STATE_COOKIE}=${state}; Path=${OIDC_PREFIX}; HttpOnly; Secure; SameSite=Lax; Max-Age=${PENDING_MS / 1000}`,
      })
      .end();
  }

  private async callback(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const state = url.searchParams.get('state') ?? '';
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (!pending || pending.until < this.now() || cookieValue(req.headers, STATE_COOKIE) !== state)
      return backToPage(
        res,
        'state',
        'this sign-in was not started in this browser, was used already or took too long',
      );
    const error = url.searchParams.get('error');
    if (error) {
      const why = [error, url.searchParams.get('error_description')].filter(Boolean).join(': ');
      return backToPage(res, error === 'access_denied' ? 'denied' : 'refused', why);
    }
    const client = await import('openid-client');
    let tokens;
    try {
      // The URI the sign-in started with (the grant sends it as redirect_uri), whatever this request's Host.
      const current = new URL(`${pending.redirectUri}${url.search}`);
      tokens = await client.authorizationCodeGrant(await this.discover(), current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      return backToPage(res, 'refused', describe(e));
    }
    const expires = signedIn(res, tokens.id_token ?? '', tokens.claims()?.exp, tokens.refresh_token);
    res.writeHead(302, { location: `/#oidc-session=${encodeURIComponent(expires)}` }).end();
  }

  private async refresh(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refresh = cookieValue(req.headers, REFRESH_COOKIE);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (!refresh) return json(401, { message: 'no sign-in to refresh: sign in again' });
    const client = await import('openid-client');
    try {
      const tokens = await client.refreshTokenGrant(await this.discover(), refresh);
      if (!tokens.id_token) throw new Error('the issuer gave no new ID token');
      json(200, {
        expirationTimestamp: signedIn(res, tokens.id_token, tokens.claims()?.exp, tokens.refresh_token ?? refresh),
      });
    } catch (e) {
      res.setHeader('set-cookie', [CLEARED_COOKIE, clearedRefresh()]);
      json(401, { message: `the issuer did not renew the sign-in (${describe(e)}): sign in again` });
    }
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [state, p] of this.pending)
      if (p.until < now || this.pending.size >= MAX_PENDING) this.pending.delete(state);
  }
}

/** Sets the session and refresh cookies; returns when the ID token expires (ISO). */
function signedIn(res: ServerResponse, idToken: string, exp: number | undefined, refresh: string | undefined): string {
  const expires = new Date((exp ?? Date.now() / 1000 + 300) * 1000);
  res.setHeader('set-cookie', [
    sessionCookie(idToken, expires),
    `${STATE_COOKIE}=; Path=${OIDC_PREFIX}; HttpOnly; Secure; SameSite=Lax; Max-Age=0`,
    refresh ? `${REFRESH_COOKIE}=${refresh}; Path=/console-auth/; HttpOnly; Secure; SameSite=Strict` : clearedRefresh(),
  ]);
  return expires.toISOString();
}

export function clearedRefresh(): string {
  return `${REFRESH_COOKIE}=; Path=/console-auth/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;
}

/** To the sign-in page with why it failed (in the fragment: never sent to a server or logged). */
function backToPage(res: ServerResponse, failure: OidcFailure, message: string): void {
  const fragment = new URLSearchParams({ 'oidc-error': failure, message }).toString();
  res.writeHead(302, { location: `/#${fragment}`, 'cache-control': 'no-store' }).end();
}
