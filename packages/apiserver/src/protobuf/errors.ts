// The one error the protobuf decoder throws. Its message says what was wrong and where (byte offset
// in the request body, field path); callers map it to 400 Bad Request, or 415 for unknown kinds.

/** Why decoding failed: `malformed` bytes (→ 400) or a kind with no `unsupported` schema (→ 415). */
export type ProtobufDecodeErrorReason = 'malformed' | 'unsupported';

/** A Kubernetes protobuf body could not be decoded. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';

  constructor(
    message: string,
    readonly reason: ProtobufDecodeErrorReason = 'malformed',
  ) {
    super(message);
  }
}
