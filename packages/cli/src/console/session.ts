// The console's sign-in session for directory (LDAP) and OpenID users: the Wharf token the API
// server issued, or the issuer's ID token, kept in an httpOnly cookie, so page scripts never hold
// it. The proxy turns the cookie back into the user's Authorization header, only on requests that
// prove they come from the console's own pages: a custom header (a cross-origin page cannot send
// one without a CORS preflight, which this server never grants), or for WebSockets, which cannot
// carry one, an Origin equal to the Host.
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'wharf-session';
/** Sent by every API call of the console's pages (packages/console/src/api/client.ts). */
export const CONSOLE_HEADER = 'x-wharf-console';

/** The Set-Cookie value holding the token until it expires (a session cookie when unknown). */
export function sessionCookie(token: string, expires: Date | undefined): string {
  const maxAge = expires ? Math.max(0, Math.floor((expires.getTime() - Date.now()) / 1000)) : undefined;
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; Secure; SameSite=Strict${maxAge !== undefined ? `; Max-Age=${maxAge}` : ''}`;
}

export const CLEARED_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;

/** The OIDC sign-in's refresh token (see oidc.ts): sent only to /console-auth/. */
export const REFRESH_COOKIE = 'wharf-oidc-refresh';

/** A cookie of the request, when it is one header-safe word (a token): anything else is not ours. */
export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of String(headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      const value = v.join('=');
      return /^[\w.~+/=-]+$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

function cookieToken(headers: IncomingHttpHeaders): string | undefined {
  return cookieValue(headers, SESSION_COOKIE);
}

/** The session's token for an API request of the console's pages; undefined for any other caller. */
export function sessionToken(headers: IncomingHttpHeaders): string | undefined {
  return headers[CONSOLE_HEADER] === '1' ? cookieToken(headers) : undefined;
}

/** The session's token for a WebSocket upgrade from the console's own origin. */
export function upgradeSessionToken(headers: IncomingHttpHeaders): string | undefined {
  let origin: string | undefined;
  try {
    origin = headers.origin ? new URL(headers.origin).host : undefined;
  } catch {
    origin = undefined;
  }
  return origin !== undefined && origin === headers.host ? cookieToken(headers) : undefined;
}
