// POST /login/ldap: the sign-in the console uses. Takes {"username","password"} (JSON), binds to
// the directory as that user, and answers a Wharf-issued token for the user and their groups
// (prefixed), which the API server then authenticates like any bearer token. Wrong passwords are
// 401, and after too many failures per username or client 429 with Retry-After (a client is its
// address, or the browser the console vouches for: console-client.ts); every attempt goes to the
// audit log with the username tried (never the password).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ApiError, badRequest, methodNotAllowed, tooManyRequests } from '../../errors.js';
import type { UserInfo } from '../../objects/context.js';
import { readBody } from '../../rest/body.js';
import { send } from '../../rest/respond.js';
import type { SessionTokens } from '../session-tokens.js';
import { vouchedBrowser } from './console-client.js';
import { bindAndReadGroups, InvalidCredentialsError, validUsername } from './directory.js';
import type { LdapOptions } from './options.js';
import { FailureLimiter } from './rate-limit.js';

export const LDAP_SIGNIN_PATH = '/login/ldap';
/** The console's address may fail this many times the per-client limit: its browsers share it. */
const CONSOLE_BROWSERS = 10;

export interface LdapSignInOptions {
  readonly ldap: LdapOptions;
  readonly sessions: SessionTokens;
  /** Records the attempt in the audit log as `user` (the username tried), with the answer's code. */
  readonly audit: (req: IncomingMessage, res: ServerResponse, user: UserInfo, code: number) => void;
  readonly logger: Logger;
  readonly now?: () => number;
}

export class LdapSignIn {
  private readonly limiter: FailureLimiter;
  /** The console's own address, shared by all its browsers: a larger budget, still a bound. */
  private readonly consoleLimiter: FailureLimiter;

  constructor(private readonly o: LdapSignInOptions) {
    const max = o.ldap.maxFailures ?? 5;
    const windowMs = (o.ldap.failureWindowSeconds ?? 300) * 1000;
    this.limiter = new FailureLimiter(max, windowMs, o.now);
    this.consoleLimiter = new FailureLimiter(max * CONSOLE_BROWSERS, windowMs, o.now);
  }

  /** Answers the request; returns the HTTP code. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    let tried: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    let code = 500;
    try {
      if (req.method !== 'POST') throw methodNotAllowed(req.method ?? '', LDAP_SIGNIN_PATH);
      const { username, password } = parseCredentials(await readBody(req, 64 * 1024), req.headers['content-type']);
      tried = { name: username, groups: [] };
      const address = `ip:${req.socket.remoteAddress ?? ''}`;
      const browser = vouchedBrowser(req, this.o.ldap.consoleProof);
      const keys = [`user:${username}`, browser ? `browser:${browser}` : address];
      // A script that drops the console's browser cookie gets a new browser, not unbounded tries.
      const shared = browser ? [address] : [];
      const waitMs = Math.max(this.limiter.blockedFor(keys), this.consoleLimiter.blockedFor(shared));
      if (waitMs > 0) {
        const s = Math.ceil(waitMs / 1000);
        res.setHeader('Retry-After', String(s));
        throw tooManyRequests(`too many failed sign-ins: try again in ${s} s`, s);
      }
      let found;
      try {
        found = await bindAndReadGroups(this.o.ldap, username, password);
      } catch (e) {
        if (e instanceof InvalidCredentialsError) {
          this.limiter.fail(keys);
          this.consoleLimiter.fail(shared);
          throw new ApiError(401, 'Unauthorized', 'invalid username or password');
        }
        this.o.logger.warn(
          { err: { message: (e as Error).message }, url: this.o.ldap.url },
          'the LDAP directory could not be asked',
        );
        throw new ApiError(503, 'ServiceUnavailable', 'the directory cannot be reached; try again later');
      }
      this.limiter.succeed(`user:${username}`);
      const prefix = this.o.ldap.groupsPrefix ?? 'ldap:';
      const user: UserInfo = {
        name: username,
        groups: [...found.groups.map((g) => `${prefix}${g}`), 'system:authenticated'],
      };
      tried = user;
      const { token, expiration } = this.o.sessions.issue(user, this.o.ldap.tokenTtlSeconds ?? 28_800, 'ldap');
      code = 200;
      send(res, 200, {
        kind: 'SignIn',
        apiVersion: 'wharf.dev/v1',
        status: {
          token,
          expirationTimestamp: expiration.toISOString(),
          user: { username: user.name, groups: user.groups },
        },
      });
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', 'sign-in failed');
      code = err.code;
      send(res, err.code, err.toStatus());
    }
    this.o.audit(req, res, tried, code);
    return code;
  }
}

function parseCredentials(body: Buffer, contentType: string | undefined): { username: string; password: string } {
  if (!/^application\/json\b/i.test(contentType ?? ''))
    throw badRequest('send {"username": "...", "password": "..."} as application/json');
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('the body is not JSON');
  }
  const { username, password } = (v ?? {}) as { username?: unknown; password?: unknown };
  if (!validUsername(username)) throw badRequest('username: required, letters, digits and . _ @ - (at most 64)');
  if (typeof password !== 'string' || password === '') throw badRequest('password: required');
  return { username, password };
}
