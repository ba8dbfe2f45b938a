// The image store's error classes. Each names what was wrong and where; callers (the registry,
// the CLI, the node agent) map them to their own status codes by class.

/** Base class of every image-store failure. */
export class ImageError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_IMAGE';
  override name = 'ImageError';
}

/** A digest string is malformed or uses an algorithm the store does not support. */
export class InvalidDigestError extends ImageError {
  override readonly code: string = 'WHARF_INVALID_DIGEST';
  override name = 'InvalidDigestError';
}

/** Content did not hash to the digest (or size) it was stored or referenced under. */
export class DigestMismatchError extends ImageError {
  override readonly code: string = 'WHARF_DIGEST_MISMATCH';
  override name = 'DigestMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
    what = 'content',
  ) {
    super(`${what} digest mismatch: expected ${expected}, got ${actual}`);
  }
}

/** Content length differs from the size a descriptor promised. */
export class SizeMismatchError extends ImageError {
  override readonly code: string = 'WHARF_SIZE_MISMATCH';
  override name = 'SizeMismatchError';
}

/** A blob the request needs is not in the store. */
export class BlobNotFoundError extends ImageError {
  override readonly code: string = 'WHARF_BLOB_NOT_FOUND';
  override name = 'BlobNotFoundError';
  constructor(readonly digest: string) {
    super(`blob ${digest} not found`);
  }
}

/** A reference (tag or digest) names no image in the store. */
export class ImageNotFoundError extends ImageError {
  override readonly code: string = 'WHARF_IMAGE_NOT_FOUND';
  override name = 'ImageNotFoundError';
  constructor(readonly reference: string) {
    super(`image ${reference} not found`);
  }
}

/** An image reference string does not parse. */
export class InvalidReferenceError extends ImageError {
  override readonly code: string = 'WHARF_INVALID_REFERENCE';
  override name = 'InvalidReferenceError';
}

/** A manifest, index, config or archive is not valid OCI (or Docker) JSON. */
export class InvalidManifestError extends ImageError {
  override readonly code: string = 'WHARF_INVALID_MANIFEST';
  override name = 'InvalidManifestError';
}

/** A layer tar holds an entry that cannot be unpacked safely. */
export class UnsafeLayerError extends ImageError {
  override readonly code: string = 'WHARF_UNSAFE_LAYER';
  override name = 'UnsafeLayerError';
}

/** Building a base image from Debian packages failed (apt or dpkg-deb). */
export class BuildBaseError extends ImageError {
  override readonly code: string = 'WHARF_BUILD_BASE';
  override name = 'BuildBaseError';
}
