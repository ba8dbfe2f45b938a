// `wharf credential oidc`: kubectl's exec credential plugin. Prints an ExecCredential with the
// cached ID token and its expiry; an ID token that expires within a minute is first refreshed
// with the refresh token (and the cache rewritten), so kubectl never sends one the API server
// would refuse. Without a usable refresh token it fails with one line telling the user to sign in.
import { readLogin, tokenTimes, writeLogin, type CachedLogin } from './cache.js';
import { describe, discoverIssuer } from './issuer.js';

/** Refresh when less than this is left (kubectl caches the credential until its expiry). */
const REFRESH_MARGIN_S = 60;

export interface CredentialOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly cacheDir: string;
  /** Seconds since the epoch. @default now */
  readonly now?: () => number;
}

export interface ExecCredential {
  apiVersion: 'client.authentication.k8s.io/v1';
  kind: 'ExecCredential';
  status: { token: string; expirationTimestamp: string };
}

export async function oidcCredential(o: CredentialOptions): Promise<ExecCredential> {
  const now = o.now ?? (() => Math.floor(Date.now() / 1000));
  const again = `run "wharf login --issuer ${o.issuer} --client-id ${o.clientId}" again`;
  let login = readLogin(o.cacheDir, o.issuer, o.clientId);
  if (!login) throw new Error(`not signed in to ${o.issuer}: ${again}`);
  // A token that lives less than the margin: refresh when it is half gone instead.
  const { exp, iat } = tokenTimes(login.idToken);
  if (exp - now() < Math.min(REFRESH_MARGIN_S, (exp - iat) / 2)) login = await refresh(login, o.cacheDir, again);
  return {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: login.idToken, expirationTimestamp: new Date(tokenTimes(login.idToken).exp * 1000).toISOString() },
  };
}

async function refresh(login: CachedLogin, cacheDir: string, again: string): Promise<CachedLogin> {
  if (!login.refreshToken)
    throw new Error(`the ID token from ${login.issuer} expired and there is no refresh token: ${again}`);
  const config = await discoverIssuer(login);
  const client = await import('openid-client');
  let tokens;
  try {
    tokens = await client.refreshTokenGrant(config, login.refreshToken);
  } catch (e) {
    throw new Error(`the refresh token was refused (${describe(e)}): ${again}`);
  }
  if (!tokens.id_token) throw new Error(`${login.issuer} gave no ID token on refresh: ${again}`);
  const next: CachedLogin = {
    ...login,
    idToken: tokens.id_token,
    refreshToken: tokens.refresh_token ?? login.refreshToken,
  };
  writeLogin(cacheDir, next);
  return next;
}
