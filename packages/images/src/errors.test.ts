import { describe, expect, it } from 'vitest';
import {
  BlobNotFoundError,
  DigestMismatchError,
  ImageError,
  ImageNotFoundError,
  InvalidReferenceError,
} from './errors.js';
import { parseReference } from './reference.js';

describe('image errors', () => {
  it('carry a stable code per class (the base class has its own), and pino logs it under err.code', () => {
    expect(new ImageNotFoundError('busybox:1')).toMatchObject({
      code: 'WHARF_IMAGE_NOT_FOUND',
      reference: 'busybox:1',
      message: 'image busybox:1 not found',
    });
    expect(new BlobNotFoundError('sha256:0')).toMatchObject({ code: 'WHARF_BLOB_NOT_FOUND' });
    expect(new DigestMismatchError('a', 'b')).toMatchObject({ code: 'WHARF_DIGEST_MISMATCH' });
    expect(new ImageError('x').code).toBe('WHARF_IMAGE');
    expect(Object.keys(new ImageNotFoundError('x'))).toContain('code');
  });

  it('reach callers of the public functions with their code', () => {
    let caught: unknown;
    try {
      parseReference('UPPER/Case::bad');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidReferenceError);
    expect((caught as InvalidReferenceError).code).toBe('WHARF_INVALID_REFERENCE');
  });
});
