// The one error class of the selectors module. Its message is the text the real API server puts
// in a 400 BadRequest Status, so the REST layer can pass it through unchanged.

/** A label or field selector that cannot be parsed, or names a field the kind cannot select on. */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}
