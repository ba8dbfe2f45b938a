import { describe, expect, it } from 'vitest';
import { fieldManagerOf, validateFieldManager } from './field-manager.js';

describe('fieldManagerOf', () => {
  it('prefers the parameter, else the User-Agent up to its first slash', () => {
    expect(fieldManagerOf('mine', 'kubectl/v1.32.0 (linux/amd64)')).toBe('mine');
    expect(fieldManagerOf(null, 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc')).toBe('kubectl');
    expect(fieldManagerOf('', undefined)).toBe('');
  });
});

describe('validateFieldManager', () => {
  it('allows 128 printable bytes and refuses more, or control characters', () => {
    expect(validateFieldManager('m'.repeat(128))).toEqual([]);
    expect(validateFieldManager('m'.repeat(129))).toEqual(['Too long: may not be more than 128 bytes']);
    expect(validateFieldManager('a\u0007')[0]).toContain('invalid character U+0007 (at position 1)');
  });
});
