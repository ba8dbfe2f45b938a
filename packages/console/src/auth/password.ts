// Directory (LDAP) sign-in: username and password go to `wharf up`, which asks the API server's
// /login/ldap and keeps the answered token in an httpOnly cookie; this page learns only who
// signed in and until when.
import { ApiError } from '../api/client.js';
import { startSession } from './token.js';

export interface DirectoryUser {
  username: string;
  groups: string[];
}

export async function signInWithPassword(username: string, password: string): Promise<DirectoryUser> {
  const res = await fetch('/console-auth/ldap', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json().catch(() => ({}))) as {
    user?: DirectoryUser;
    expirationTimestamp?: string;
    message?: string;
    reason?: string;
  };
  if (!res.ok || !body.user) throw new ApiError(res.status, body.reason ?? '', body.message ?? `HTTP ${res.status}`);
  startSession(body.expirationTimestamp);
  return body.user;
}
