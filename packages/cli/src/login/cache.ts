// The user's token cache: one JSON file per issuer and client ID in ~/.wharf/oidc (or
// --cache-dir), the directory 0700 and the files 0600, since they hold a refresh token. Written
// to a temporary file and renamed, so a kubectl running the plugin never reads half a file.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** What `wharf login` keeps for the credential plugin. */
export interface CachedLogin {
  readonly issuer: string;
  readonly clientId: string;
  /** For confidential clients; never written to the kubeconfig. */
  readonly clientSecret?: string;
  /** The CA bundle the issuer's certificate is checked against. */
  readonly caFile?: string;
  readonly idToken: string;
  readonly refreshToken?: string;
}

export function defaultCacheDir(): string {
  return join(homedir(), '.wharf', 'oidc');
}

/** The absolute cache dir (the kubeconfig names it, so kubectl's HOME does not matter). */
export function cacheDirOf(flag: string | undefined): string {
  return resolve(flag ?? defaultCacheDir());
}

export function cacheFile(dir: string, issuer: string, clientId: string): string {
  const key = createHash('sha256').update(`${issuer}\n${clientId}`).digest('hex').slice(0, 32);
  return join(dir, `${key}.json`);
}

export function readLogin(dir: string, issuer: string, clientId: string): CachedLogin | undefined {
  const file = cacheFile(dir, issuer, clientId);
  if (!existsSync(file)) return undefined;
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as CachedLogin;
    return typeof v.idToken === 'string' && v.issuer === issuer && v.clientId === clientId ? v : undefined;
  } catch {
    return undefined;
  }
}

export function writeLogin(dir: string, login: CachedLogin): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = cacheFile(dir, login.issuer, login.clientId);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

/**
 * An ID token's `exp` and `iat` in seconds since the epoch (0 if absent): unverified, only to decide when to refresh.
 */
export function tokenTimes(idToken: string): { exp: number; iat: number } {
  try {
    const c = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
      iat?: unknown;
    };
    return { exp: typeof c.exp === 'number' ? c.exp : 0, iat: typeof c.iat === 'number' ? c.iat : 0 };
  } catch {
    return { exp: 0, iat: 0 };
  }
}
