// POST /console-auth/ldap {username, password}: the console's directory sign-in. The request goes
// to the API server's POST /login/ldap (which binds as the user, rate-limits and audits); the
// token it answers is kept in the httpOnly session cookie, and the page gets only who signed in
// and until when. Refusals (401, 429 with Retry-After, 503, 404 when LDAP is not configured)
// pass through as the API server's Status.
import type { ServerResponse } from 'node:http';
import { callApi } from './api-call.js';
import type { ApiTarget } from './proxy.js';
import { sessionCookie } from './session.js';

interface SignInAnswer { status?: { token?: string; expirationTimestamp?: string; user?: { username?: string; groups?: string[] } } }

export async function ldapSignIn(api: ApiTarget, body: string, res: ServerResponse): Promise<void> {
  let up;
  try {
    up = await callApi(api, 'POST', '/login/ldap', body);
  } catch (e) {
    res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ code: 503, reason: 'ServiceUnavailable', message: `the console cannot reach the API server: ${(e as Error).message}` }));
    return;
  }
  if (up.status !== 200) {
    const notConfigured = up.status === 404;
    res.writeHead(up.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...(up.headers['retry-after'] ? { 'retry-after': up.headers['retry-after'] } : {}) })
      .end(notConfigured ? JSON.stringify({ code: 404, reason: 'NotFound', message: 'directory (LDAP) sign-in is not enabled on this cluster: start wharf up with --ldap-url' }) : up.text);
    return;
  }
  const answer = JSON.parse(up.text) as SignInAnswer;
  const token = answer.status?.token ?? '';
  const expires = answer.status?.expirationTimestamp ? new Date(answer.status.expirationTimestamp) : undefined;
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'set-cookie': sessionCookie(token, expires) })
    .end(JSON.stringify({ user: answer.status?.user, expirationTimestamp: answer.status?.expirationTimestamp }));
}
