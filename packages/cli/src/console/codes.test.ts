import { describe, expect, it } from 'vitest';
import { SignInCodes } from './codes.js';

describe('SignInCodes', () => {
  it('trades a code for its token exactly once', () => {
    const codes = new SignInCodes();
    const { code } = codes.issue('tok-1');
    expect(codes.redeem(code)).toBe('tok-1');
    expect(codes.redeem(code)).toBeUndefined();
  });

  it('refuses a code after its time is up and an unknown code', () => {
    let t = 0;
    const codes = new SignInCodes({ ttlMs: 1000, now: () => t });
    const { code, expiresInSeconds } = codes.issue('tok-2');
    expect(expiresInSeconds).toBe(1);
    t = 1000;
    expect(codes.redeem(code)).toBeUndefined();
    expect(codes.redeem('made-up')).toBeUndefined();
  });
});
