import { describe, expect, it } from 'vitest';
import { Masker, maskedForms } from './mask.js';

const run = (secrets: string[], chunks: string[]): string => {
  const m = new Masker(maskedForms(secrets));
  return chunks.map((c) => m.write(c)).join('') + m.flush();
};

describe('Masker', () => {
  it('masks a value inside one chunk', () => {
    expect(run(['hunter2'], ['password is hunter2!\n'])).toBe('password is ***!\n');
  });

  it('masks a value split across two chunks, and across many one-character chunks', () => {
    expect(run(['s3cr3t-value'], ['token=s3cr', '3t-value done\n'])).toBe('token=*** done\n');
    expect(run(['s3cr3t-value'], [...'a s3cr3t-value b'])).toBe('a *** b');
  });

  it('masks at the very end of the stream and leaves near-misses alone', () => {
    expect(run(['abcdef'], ['xx', 'abcde'])).toBe('xxabcde');
    expect(run(['abcdef'], ['xx', 'abc', 'def'])).toBe('xx***');
  });

  it('masks the longer of two overlapping values whole, and a value file ending in a newline', () => {
    expect(run(['pass', 'password1'], ['my password1 and pass'])).toBe('my *** and ***');
    expect(run(['line-secret\n'], ['value: line-secret end'])).toBe('value: *** end');
  });

  it('leaves values too short to mask, and text with no secrets, unchanged', () => {
    expect(run(['ab'], ['ab cd ab'])).toBe('ab cd ab');
    expect(run([], ['plain', ' text'])).toBe('plain text');
  });

  it('keeps multi-byte characters intact around a mask', () => {
    expect(run(['geheim'], ['ünïcødé gehe', 'im ✓'])).toBe('ünïcødé *** ✓');
  });
});
