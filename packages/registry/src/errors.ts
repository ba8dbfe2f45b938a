// The distribution spec's error codes and the one place they become HTTP statuses. Every failure a
// client sees is a RegistryError rendered as {"errors":[{code,message,detail}]}.
import {
  BlobNotFoundError,
  DigestMismatchError,
  InvalidDigestError,
  InvalidManifestError,
  InvalidReferenceError,
  SizeMismatchError,
} from '@wharf/images';

export type ErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS';

const STATUS: Record<ErrorCode, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
};

/** A failure answered with the spec's JSON error body. */
export class RegistryError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
    /** Overrides the code's usual status (416 for ranges, 413 for oversized manifests). */
    status?: number,
    /** Extra response headers (Range on a 416, WWW-Authenticate on a 401). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.status = status ?? STATUS[code];
  }

  body(): string {
    return JSON.stringify({
      errors: [{ code: this.code, message: this.message, ...(this.detail !== undefined && { detail: this.detail }) }],
    });
  }
}

/** Maps an image-store error (or anything else) to a RegistryError; unknown errors stay unknown. */
export function toRegistryError(e: unknown, context: { blobCode?: ErrorCode } = {}): RegistryError | undefined {
  if (e instanceof RegistryError) return e;
  if (e instanceof DigestMismatchError || e instanceof InvalidDigestError)
    return new RegistryError('DIGEST_INVALID', e.message);
  if (e instanceof SizeMismatchError) return new RegistryError('SIZE_INVALID', e.message);
  if (e instanceof InvalidManifestError) return new RegistryError('MANIFEST_INVALID', e.message);
  if (e instanceof InvalidReferenceError) return new RegistryError('NAME_INVALID', e.message);
  if (e instanceof BlobNotFoundError)
    return new RegistryError(context.blobCode ?? 'BLOB_UNKNOWN', e.message, { digest: e.digest });
  return undefined;
}
