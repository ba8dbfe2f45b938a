// POST /console-auth/ldap {username, password}: the console's directory sign-in. The request goes
// to the API server's POST /login/ldap (which binds as the user, rate-limits and audits); the
// token it answers is kept in the httpOnly session cookie, and the page gets only who signed in
// and until when. Refusals (401, 429 with Retry-After, 503, 404 when LDAP is not configured)
// pass through as the API server's Status. POST /console-auth/sign-out ends the session at the
// API server (POST /logout revokes the token) and clears the cookie. Failed sign-ins count against
// the browser (its address and a random id in a cookie), which this server names to the API server
// with the secret they share, instead of against this server's own loopback address.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { CONSOLE_CLIENT_HEADER, CONSOLE_PROOF_HEADER } from '@wharf/apiserver';
import { callApi } from './api-call.js';
import type { ApiTarget } from './proxy.js';
import { CLEARED_COOKIE, cookieValue, sessionCookie, sessionToken } from './session.js';

const BROWSER_COOKIE = 'wharf-browser';

interface SignInAnswer {
  status?: { token?: string; expirationTimestamp?: string; user?: { username?: string; groups?: string[] } };
}

/** The browser's id, and a cookie that sets it when it had none. */
function browserOf(req: IncomingMessage): { id: string; cookie: string[] } {
  const known = cookieValue(req.headers, BROWSER_COOKIE);
  const id = known ?? randomBytes(16).toString('base64url');
  return {
    id,
    cookie: known
      ? []
      : [`${BROWSER_COOKIE}=${id}; Path=/console-auth/; HttpOnly; Secure; SameSite=Strict; Max-Age=31536000`],
  };
}

/**
 * Trades a username and password at the API server for a session cookie. `proof` is the secret
 * the API server takes as the console's word for which browser tried (undefined: it keys by our address).
 */
export async function ldapSignIn(
  api: ApiTarget,
  body: string,
  req: IncomingMessage,
  res: ServerResponse,
  proof: string | undefined,
): Promise<void> {
  const browser = browserOf(req);
  if (browser.cookie.length) res.setHeader('set-cookie', browser.cookie);
  const vouch: Record<string, string> = proof
    ? { [CONSOLE_CLIENT_HEADER]: `${req.socket.remoteAddress ?? ''} ${browser.id}`, [CONSOLE_PROOF_HEADER]: proof }
    : {};
  let up;
  try {
    up = await callApi(api, 'POST', '/login/ldap', body, vouch);
  } catch (e) {
    res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(
      JSON.stringify({
        code: 503,
        reason: 'ServiceUnavailable',
        message: `the console cannot reach the API server: ${(e as Error).message}`,
      }),
    );
    return;
  }
  if (up.status !== 200) {
    const notConfigured = up.status === 404;
    res
      .writeHead(up.status, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        ...(up.headers['retry-after'] ? { 'retry-after': up.headers['retry-after'] } : {}),
      })
      .end(
        notConfigured
          ? JSON.stringify({
              code: 404,
              reason: 'NotFound',
              message: 'directory (LDAP) sign-in is not enabled on this cluster: start wharf up with --ldap-url',
            })
          : up.text,
      );
    return;
  }
  const answer = JSON.parse(up.text) as SignInAnswer;
  const token = answer.status?.token ?? '';
  const expires = answer.status?.expirationTimestamp ? new Date(answer.status.expirationTimestamp) : undefined;
  res
    .writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'set-cookie': [...browser.cookie, sessionCookie(token, expires)],
    })
    .end(JSON.stringify({ user: answer.status?.user, expirationTimestamp: answer.status?.expirationTimestamp }));
}

/**
 * Signs the session out: the API server revokes its token (a copy of the cookie is refused from
 * now on), then the cookie is cleared. 401 from the API (expired, or signed out already) is done
 * too; when the API cannot be asked the cookie still goes, and the 503 says the token lives on.
 */
export async function ldapSignOut(api: ApiTarget, headers: IncomingHttpHeaders, res: ServerResponse): Promise<void> {
  const token = sessionToken(headers);
  const up = token
    ? await callApi(api, 'POST', '/logout', '{}', { authorization: `Bearer ${token}` }).catch(
        (e: unknown) => e as Error,
      )
    : undefined;
  const failed =
    up instanceof Error
      ? up.message
      : up && up.status !== 200 && up.status !== 401
        ? `${up.status} ${up.text}`
        : undefined;
  if (failed === undefined) {
    res.writeHead(204, { 'set-cookie': CLEARED_COOKIE, 'cache-control': 'no-store' }).end();
    return;
  }
  res
    .writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store', 'set-cookie': CLEARED_COOKIE })
    .end(
      JSON.stringify({
        code: 503,
        reason: 'ServiceUnavailable',
        message: `signed out here, but the API server could not revoke the session (${failed}): it stays valid until it expires`,
      }),
    );
}
