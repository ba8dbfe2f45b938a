import { describe, expect, it } from 'vitest';
import { tokenFrom } from './auth.js';

const basic = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;

describe('token from the Authorization header', () => {
  it('Basic takes the password, any user name; Bearer the token', () => {
    expect(tokenFrom(basic('alice:tok.en'))).toBe('tok.en');
    expect(tokenFrom(basic('x:a:b'))).toBe('a:b');
    expect(tokenFrom('Bearer abc')).toBe('abc');
  });
  it('no header, an empty password or another scheme gives none', () => {
    expect(tokenFrom(undefined)).toBeUndefined();
    expect(tokenFrom(basic('alice:'))).toBeUndefined();
    expect(tokenFrom(basic('alice'))).toBeUndefined();
    expect(tokenFrom('Digest x')).toBeUndefined();
  });
});
