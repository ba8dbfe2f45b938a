import { describe, expect, it } from 'vitest';
import { CLEARED_COOKIE, sessionCookie, sessionToken, upgradeSessionToken } from './session.js';

describe("the console's cookie session", () => {
  it('keeps the token in an httpOnly, same-site cookie that ends when the token does', () => {
    const c = sessionCookie('tok.en', new Date(Date.now() + 3600_000));
    expect(c).toMatch(/^wharf-session=tok\.en; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=(3599|3600)$/);
    expect(CLEARED_COOKIE).toContain('Max-Age=0');
  });
  it("answers the token only to the console's own pages: its header on requests, its origin on WebSockets", () => {
    const cookie = 'a=b; wharf-session=abc.def; c=d';
    expect(sessionToken({ cookie, 'x-wharf-console': '1' })).toBe('abc.def');
    expect(sessionToken({ cookie })).toBeUndefined();
    expect(sessionToken({ cookie: 'wharf-session=bad\r\nx', 'x-wharf-console': '1' })).toBeUndefined();
    expect(upgradeSessionToken({ cookie, host: 'localhost:8070', origin: 'http://localhost:8070' })).toBe('abc.def');
    expect(upgradeSessionToken({ cookie, host: 'localhost:8070', origin: 'http://localhost:3000' })).toBeUndefined();
    expect(upgradeSessionToken({ cookie, host: 'localhost:8070' })).toBeUndefined();
  });
});
