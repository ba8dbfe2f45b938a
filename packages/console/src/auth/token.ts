// The signed-in user's token, kept in this tab's sessionStorage only: closing the tab or signing
// out forgets it. The console has no other credential and no server-side session.
const KEY = 'wharf.token';
const listeners = new Set<() => void>();

export function getToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function setToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
  for (const l of listeners) l();
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
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { 'kubernetes.io'?: { namespace?: string } };
    return claims['kubernetes.io']?.namespace;
  } catch {
    return undefined;
  }
}

/** Trades the one-time code of a `wharf console` link (in the URL fragment) for the token. */
export async function redeemCode(code: string): Promise<string> {
  const res = await fetch('/console-auth/redeem', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  const body = (await res.json().catch(() => ({}))) as { token?: string; message?: string };
  if (!res.ok || !body.token) throw new Error(body.message ?? `HTTP ${res.status}`);
  return body.token;
}
