import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcAuthenticator } from './oidc.js';

// A minimal issuer on loopback: discovery and a JWKS whose keys the test rotates.
let server: Server;
let issuer = '';
let jwks: Record<string, unknown>[] = [];
let jwksReads = 0;
const pair = (kid: string): { kid: string; privateKey: KeyObject; jwk: Record<string, unknown> } => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
};
const first = pair('k1');
const second = pair('k2');

function token(key: { kid: string; privateKey: KeyObject }, claims: Record<string, unknown>, alg = 'RS256'): string {
  const now = Math.floor(Date.now() / 1000);
  const head = Buffer.from(JSON.stringify({ alg, kid: key.kid, typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(
    JSON.stringify({ iss: issuer, aud: 'wharf', sub: 'u-1', iat: now, exp: now + 300, ...claims }),
  ).toString('base64url');
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), key.privateKey).toString('base64url');
  return `${head}.${body}.${sig}`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      jwksReads++;
      res.end(JSON.stringify({ keys: jwks }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  jwks = [first.jwk];
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('OIDC ID tokens', () => {
  const make = (o: Partial<ConstructorParameters<typeof OidcAuthenticator>[0]> = {}): OidcAuthenticator =>
    new OidcAuthenticator({ issuerURL: issuer, clientID: 'wharf', groupsClaim: 'groups', ...o });

  it('names the user from the sub claim with the issuer prefix, and the groups with theirs', async () => {
    const a = make({ groupsPrefix: 'oidc:' });
    await a.start();
    expect(a.authenticate(token(first, { groups: ['dev', 'ops'] }))).toEqual({
      name: `${issuer}#u-1`,
      groups: ['oidc:dev', 'oidc:ops', 'system:authenticated'],
    });
  });

  it('takes the email claim without a prefix, and refuses an unverified email', async () => {
    const a = make({ usernameClaim: 'email' });
    await a.start();
    expect(a.authenticate(token(first, { email: 'ana@example.com', email_verified: true }))?.name).toBe(
      'ana@example.com',
    );
    expect(a.authenticate(token(first, { email: 'ana@example.com', email_verified: false }))).toBeUndefined();
  });

  it('refuses expired tokens, other audiences, other algorithms and forged signatures', async () => {
    const a = make();
    await a.start();
    expect(a.authenticate(token(first, { exp: Math.floor(Date.now() / 1000) - 60 }))).toBeUndefined();
    expect(a.authenticate(token(first, { aud: 'someone-else' }))).toBeUndefined();
    expect(a.authenticate(token(first, {}, 'HS256'))).toBeUndefined();
    const forged = token(pair('k1'), {});
    expect(a.authenticate(forged)).toBeUndefined();
    expect(a.authenticate('not.a.jwt')).toBeUndefined();
  });

  it('leaves tokens of other issuers to the other authenticators', async () => {
    const a = make();
    await a.start();
    expect(a.authenticate(token(first, { iss: 'https://elsewhere.example' }))).toBeUndefined();
  });

  it('follows a key rotation: a token with a new key re-reads the JWKS once', async () => {
    const a = make();
    await a.start();
    jwks = [first.jwk, second.jwk];
    const fresh = token(second, {});
    expect(a.authenticate(fresh)).toBeUndefined();
    const before = jwksReads;
    await a.prepare(fresh);
    expect(jwksReads).toBe(before + 1);
    expect(a.authenticate(fresh)?.name).toBe(`${issuer}#u-1`);
    // A key the issuer does not have: looked for once, then not again for a while.
    const unknown = pair('k9');
    for (let i = 0; i < 5; i++) await a.prepare(token(unknown, {}));
    expect(jwksReads).toBe(before + 2);
    jwks = [first.jwk];
  });

  it('remembers a verified token for cacheSeconds, never past its expiry', async () => {
    let now = Date.now();
    const a = new OidcAuthenticator({ issuerURL: issuer, clientID: 'wharf', cacheSeconds: 10 }, () => new Date(now));
    await a.start();
    const t = token(first, { exp: Math.floor(now / 1000) + 5 });
    expect(a.authenticate(t)?.name).toBe(`${issuer}#u-1`);
    // The issuer's keys go away: the remembered answer stands for the cache's 10 s...
    jwks = [];
    await a.prepare(token(pair('k7'), {}));
    now += 9_000;
    expect(a.authenticate(t)?.name).toBe(`${issuer}#u-1`);
    // ...but a token is never accepted past exp + the 10 s skew, cached or not.
    now += 7_000;
    expect(a.authenticate(t)).toBeUndefined();
    jwks = [first.jwk];
  });

  it('refuses an http issuer that is not on loopback, and a missing client ID', () => {
    expect(() => new OidcAuthenticator({ issuerURL: 'http://idp.example.com', clientID: 'x' })).toThrow(/https/);
    expect(() => new OidcAuthenticator({ issuerURL: issuer, clientID: '' })).toThrow(/client-id/);
  });
});
