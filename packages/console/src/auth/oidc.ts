// OpenID sign-in by redirect: the page sends the browser to `wharf up`'s /console-auth/oidc/start,
// which goes to the issuer and back, and lands on the sign-in page with the session's end (or why
// it failed) in the fragment. The ID token lives in an httpOnly cookie; before it expires this
// tab asks `wharf up` to renew it with the refresh token (another httpOnly cookie).
import { isOidcSession, onTokenChange, sessionUntil, signOut, startSession } from './token.js';

export const OIDC_START = '/console-auth/oidc/start';

/** The issuer the cluster trusts, if `wharf up` runs with --oidc-*; the sign-in page offers it. */
export async function oidcIssuer(): Promise<string | undefined> {
  const res = await fetch('/console-auth/methods').catch(() => undefined);
  const body = (await res?.json().catch(() => ({}))) as { oidcIssuer?: string } | undefined;
  return body?.oidcIssuer;
}

let timer: ReturnType<typeof setTimeout> | undefined;

async function renew(): Promise<void> {
  const res = await fetch('/console-auth/oidc/refresh', { method: 'POST', headers: { 'x-wharf-console': '1' } }).catch(
    () => undefined,
  );
  const body = (await res?.json().catch(() => ({}))) as { expirationTimestamp?: string } | undefined;
  if (res?.ok && body?.expirationTimestamp) startSession(body.expirationTimestamp, 'oidc');
  // The issuer said no (or `wharf up` is gone): the sign-in page, rather than a page of 401s.
  else if (res && res.status === 401) await signOut();
  else schedule(15_000);
}

function schedule(inMs?: number): void {
  clearTimeout(timer);
  if (!isOidcSession()) return;
  const left = sessionUntil() - Date.now();
  // Renew with a margin for the clock and the round trip: at half the life, at most a minute early.
  timer = setTimeout(() => void renew(), inMs ?? Math.max(0, left - Math.min(60_000, left / 2)));
}

/** Keeps an OpenID session renewed while this tab is open. */
export function keepOidcSessionFresh(): void {
  schedule();
  onTokenChange(() => schedule());
}
