import { describe, expect, it } from 'vitest';
import { base64Bytes, decodeValue, encodeValue, keysOf } from './secrets.js';

describe('secret values', () => {
  it('round-trips UTF-8 text through base64 as kubectl stores it', () => {
    expect(encodeValue('hunter2')).toBe('aHVudGVyMg==');
    expect(decodeValue(encodeValue('密码 ✓'))).toBe('密码 ✓');
  });

  it('gives bytes that are not UTF-8 back as bytes, not text with U+FFFD', () => {
    const der = Uint8Array.of(0x30, 0x82, 0xff, 0x00, 0xc3);
    expect(decodeValue(encodeValue(der))).toEqual(der);
    expect(encodeValue(der)).toBe('MIL/AMM=');
    expect(decodeValue(encodeValue(new TextEncoder().encode('plain')))).toBe('plain');
  });

  it("counts a value's bytes from its base64 without decoding it", () => {
    for (const v of ['', 'a', 'ab', 'abc', 'abcd', '密码'])
      expect(base64Bytes(encodeValue(v))).toBe(new TextEncoder().encode(v).length);
  });

  it('keeps the keys, sorted, and their sizes, never the values', () => {
    const shown = keysOf({
      metadata: { name: 'db' },
      data: { user: encodeValue('app'), password: encodeValue('s3cret') },
    });
    expect(shown).toEqual({
      type: 'Opaque',
      keys: [
        { key: 'password', bytes: 6 },
        { key: 'user', bytes: 3 },
      ],
    });
    expect(JSON.stringify(shown)).not.toContain(encodeValue('s3cret'));
  });
});
