// The signed-in user's token, kept in this tab's sessionStorage only: closing the tab or signing
// out forgets it. A directory (LDAP) user's token, or an OpenID user's ID token, is not here at
// all: `wharf up` keeps it in an httpOnly cookie, and this tab remembers only until when that
// session lasts (and, for OpenID, that it can be renewed: see oidc.ts).
const KEY = 'wharf.token';
const SESSION_KEY = 'wharf.session';
/** 'oidc' when the cookie session came from the OpenID provider and can be renewed. */
const SESSION_KIND_KEY = 'wharf.session.kind';
const listeners = new Set<() => void>();

/** The cookie session's end, when this browser signed in with a directory password or OpenID. */
export function sessionUntil(): number {
  return Date.parse(localStorage.getItem(SESSION_KEY) ?? '') || 0;
}

export function isSignedIn(): boolean {
  return getToken() !== undefined || sessionUntil() > Date.now();
}

function changed(): void {
  for (const l of listeners) l();
}

/** Remembers (not the token: `wharf up` keeps that in an httpOnly cookie) until when the session lasts. */
export function startSession(expirationTimestamp: string | undefined, kind: 'ldap' | 'oidc' = 'ldap'): void {
  localStorage.setItem(SESSION_KEY, expirationTimestamp ?? new Date(Date.now() + 3600_000).toISOString());
  localStorage.setItem(SESSION_KIND_KEY, kind);
  changed();
}

export function isOidcSession(): boolean {
  return localStorage.getItem(SESSION_KIND_KEY) === 'oidc' && sessionUntil() > Date.now();
}

/** Forgets the token, and ends the cookie session, if any (its token revoked at the API server). */
export async function signOut(): Promise<void> {
  sessionStorage.removeItem(KEY);
  const hadSession = localStorage.getItem(SESSION_KEY) !== null;
  localStorage.removeItem(SESSION_KEY);
  localStorage.removeItem(SESSION_KIND_KEY);
  // The console's header: `wharf up` reads the cookie only on requests that carry it.
  if (hadSession)
    await fetch('/console-auth/sign-out', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wharf-console': '1' },
      body: '{}',
    }).catch(() => undefined);
  changed();
}

export function getToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function setToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
  changed();
}

export function onTokenChange(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The namespace of a service-account token (its JWT claim), a good default for a restricted user. */
export function tokenNamespace(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
      'kubernetes.io'?: { namespace?: string };
    };
    return claims['kubernetes.io']?.namespace;
  } catch {
    return undefined;
  }
}

/** Trades the one-time code of a `wharf console` link (in the URL fragment) for the token. */
export async function redeemCode(code: string): Promise<string> {
  const res = await fetch('/console-auth/redeem', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; message?: string };
  if (!res.ok || !body.token) throw new Error(body.message ?? `HTTP ${res.status}`);
  return body.token;
}
