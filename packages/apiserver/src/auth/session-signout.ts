// POST /logout with "Authorization: Bearer <token>": ends a sign-in session now (the console's
// Sign out), instead of when its token expires. Only tokens Wharf issued at a sign-in are ended
// here; a service account's token ends with its account or its own expiry.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, methodNotAllowed, unauthorized } from '../errors.js';
import type { UserInfo } from '../objects/context.js';
import { send } from '../rest/respond.js';
import { unverifiedIssuer } from './oidc.js';
import { SESSION_ISSUER, type SessionTokens } from './session-tokens.js';

export const SIGN_OUT_PATH = '/logout';

const NOBODY: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Answers the request; returns the HTTP code and whose session ended (nobody when none did). */
export function signOut(
  req: IncomingMessage,
  res: ServerResponse,
  sessions: SessionTokens,
): { code: number; user: UserInfo } {
  try {
    if (req.method !== 'POST') throw methodNotAllowed(req.method ?? '', SIGN_OUT_PATH);
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw unauthorized();
    if (unverifiedIssuer(token) !== SESSION_ISSUER)
      throw badRequest(
        'only a token Wharf issued at a sign-in (POST /login/ldap) can be signed out; other tokens end when they expire or their account goes',
      );
    // Expired, forged or already signed out: the caller holds no session to end.
    const user = sessions.revoke(token);
    if (!user) throw unauthorized();
    send(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 200,
      message: `signed out ${user.name}`,
    });
    return { code: 200, user };
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', 'sign-out failed');
    send(res, err.code, err.toStatus());
    return { code: err.code, user: NOBODY };
  }
}
