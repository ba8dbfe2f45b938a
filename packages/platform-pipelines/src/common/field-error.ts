// A validation error with the field path it is about, as Kubernetes and Tekton name fields
// (`spec.tasks[1].runAfter`), so users find what to fix.
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export const fieldError = (path: string, message: string): FieldError => ({ path, message });

/** One line for a condition message: `spec.steps[0].image: Required value; spec.sidecars: ...`. */
export function describeErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}

/** The fields of the Tekton API that Wharf's subset leaves out, by the object they sit in. */
export const unsupported = (path: string, what: string): FieldError =>
  fieldError(path, `${what} is not supported by Wharf's Tekton subset`);
