import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RevokedSessions, SessionTokens } from './session-tokens.js';
import { FailureLimiter } from './ldap/rate-limit.js';

const pair = (): { key: string; pub: string } => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
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
    const forged = Buffer.from(
      JSON.stringify({ iss: 'https://wharf.dev/sessions', sub: 'admin', groups: ['system:masters'], iat: 0, exp: 9e9 }),
    ).toString('base64url');
    expect(s.authenticate(`${head}.${forged}.${sig}`)).toBeUndefined();
  });
});

describe('signing a session out', () => {
  it('refuses its token at once, and after a restart (the list is a file); other sessions of the user go on', () => {
    const { key, pub } = pair();
    const dir = mkdtempSync(join(tmpdir(), 'wharf-sessions-'));
    try {
      const file = join(dir, 'revoked-sessions.json');
      let now = new Date('2026-01-01T00:00:00Z');
      const s = new SessionTokens(key, pub, () => now, new RevokedSessions(file));
      const carol = { name: 'carol', groups: ['ldap:devs', 'system:authenticated'] };
      // Two sign-ins in the same second: two sessions.
      const ended = s.issue(carol, 60, 'ldap').token;
      const other = s.issue(carol, 60, 'ldap').token;
      expect(s.revoke(ended)).toEqual(carol);
      expect(s.authenticate(ended)).toBeUndefined();
      expect(s.authenticate(other)).toEqual(carol);
      // Signed out already: nothing left to end.
      expect(s.revoke(ended)).toBeUndefined();
      const restarted = new SessionTokens(key, pub, () => now, new RevokedSessions(file));
      expect(restarted.authenticate(ended)).toBeUndefined();
      expect(restarted.authenticate(other)).toEqual(carol);
      // The list forgets a token once it would have expired anyway.
      now = new Date('2026-01-01T00:00:30Z');
      const later = restarted.issue(carol, 60, 'ldap').token;
      now = new Date('2026-01-01T00:01:00Z');
      expect(restarted.revoke(later)).toEqual(carol);
      expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not take a token it did not issue, nor a respelled one of a revoked session', () => {
    const a = pair();
    const s = new SessionTokens(a.key, a.pub);
    expect(
      s.revoke(new SessionTokens(pair().key, a.pub).issue({ name: 'x', groups: [] }, 60, 'ldap').token),
    ).toBeUndefined();
    expect(s.revoke('not-a-token')).toBeUndefined();
    const token = s.issue({ name: 'carol', groups: [] }, 60, 'ldap').token;
    expect(s.revoke(token)).toBeDefined();
    // base64url's last character carries spare bits: another spelling of the same signature.
    const last = token.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1] ?? 'A'}`;
    expect(s.authenticate(respelled)).toBeUndefined();
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
