import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionTokens } from './session-tokens.js';
import { FailureLimiter } from './ldap/rate-limit.js';

const pair = (): { key: string; pub: string } => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

describe('session tokens', () => {
  it('authenticate as the user and groups they were issued for, until they expire', () => {
    const { key, pub } = pair();
    let now = new Date('2026-01-01T00:00:00Z');
    const s = new SessionTokens(key, pub, () => now);
    const { token, expiration } = s.issue({ name: 'carol', groups: ['ldap:devs', 'system:authenticated'] }, 60, 'ldap');
    expect(expiration.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    expect(s.authenticate(token)).toEqual({ name: 'carol', groups: ['ldap:devs', 'system:authenticated'] });
    now = new Date('2026-01-01T00:01:01Z');
    expect(s.authenticate(token)).toBeUndefined();
  });

  it('refuse tokens signed by another key and tampered ones', () => {
    const a = pair();
    const s = new SessionTokens(a.key, a.pub);
    const other = new SessionTokens(pair().key, a.pub);
    expect(s.authenticate(other.issue({ name: 'x', groups: [] }, 60, 'ldap').token)).toBeUndefined();
    const [head, , sig] = s.issue({ name: 'carol', groups: [] }, 60, 'ldap').token.split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'https://wharf.dev/sessions', sub: 'admin', groups: ['system:masters'], iat: 0, exp: 9e9 })).toString('base64url');
    expect(s.authenticate(`${head}.${forged}.${sig}`)).toBeUndefined();
  });
});

describe('failed sign-in limiter', () => {
  it('blocks a key after max failures in the window, until the oldest leaves it', () => {
    let t = 0;
    const l = new FailureLimiter(2, 1000, () => t);
    l.fail(['user:a', 'ip:1']);
    t = 100;
    expect(l.blockedFor(['user:a'])).toBe(0);
    l.fail(['user:a', 'ip:1']);
    // Blocked until the failure at 0 leaves the 1 s window; the address too, for any username.
    expect(l.blockedFor(['user:a'])).toBe(900);
    expect(l.blockedFor(['user:b', 'ip:1'])).toBe(900);
    t = 999;
    expect(l.blockedFor(['user:a'])).toBe(1);
    t = 1000;
    expect(l.blockedFor(['user:a'])).toBe(0);
    l.fail(['user:a']);
    l.succeed('user:a');
    expect(l.blockedFor(['user:a'])).toBe(0);
  });
});
