// The one error every patch function throws. `status` says how the REST layer should answer:
// 400 when the patch body itself is malformed, 422 when a well-formed patch cannot be applied.

/** A patch that is malformed or cannot be applied to the stored object; the message names the path. */
export class PatchError extends Error {
  override readonly name = 'PatchError';

  constructor(
    message: string,
    /** Where in the object the problem is, e.g. `spec.template.spec.containers` or `/spec/replicas`. */
    readonly path: string = '',
    /** 400 for a malformed patch body, 422 for a patch that does not apply. */
    readonly status: 400 | 422 = 422,
  ) {
    super(message);
  }

  /** An error at a dotted path, with the path leading the message. */
  static at(path: string, message: string, status: 400 | 422 = 422): PatchError {
    return new PatchError(path ? `${path}: ${message}` : message, path, status);
  }
}

/** Joins a field onto a dotted path: joinPath('spec', 'replicas') === 'spec.replicas'. */
export function joinPath(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}
