// The FieldIssue every validator returns, and builders that word each kind of issue exactly as
// Kubernetes' field.Error does ("Required value", `Invalid value: "x": detail`, ...). The REST
// layer turns a list of issues into a 422 Status whose causes carry reason, field and message.

/** One problem with one field of a request body. */
export interface FieldIssue {
  /**
   * 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueTooLong'
   * | 'FieldValueTypeInvalid' | 'FieldValueUnknown' (unknown field), plus 'FieldValueForbidden', 'FieldValueNotFound',
   * 'FieldValueTooMany'
   */
  reason: string;
  /** Path as Kubernetes prints it: spec.template.spec.containers[0].image, metadata.labels */
  field: string;
  /**
   * Kubernetes-style message, e.g. `Required value`, `Invalid value: "Foo_": a lowercase RFC 1123 subdomain must
   * consist of ...`
   */
  message: string;
}

/** Renders a value the way Go's field errors print a bad value (%q for strings, %v for numbers). */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
    return `[]interface {}{${v.map(goValue).join(', ')}}`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const allStrings = entries.every(([, x]) => typeof x === 'string');
    const body = entries.map(([k, x]) => `${JSON.stringify(k)}:${goValue(x)}`).join(', ');
    return allStrings ? `map[string]string{${body}}` : `map[string]interface {}{${body}}`;
  }
  return String(v);
}

/** A path builder: child("spec").index(0).key("app") prints spec[0][app], as field.Path does. */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(name = ''): FieldPath {
    return new FieldPath(name);
  }

  child(...names: string[]): FieldPath {
    let t = this.text;
    for (const n of names) t = t ? `${t}.${n}` : n;
    return new FieldPath(t);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

type At = FieldPath | string;

function issue(reason: string, at: At, message: string): FieldIssue {
  return { reason, field: String(at), message };
}

function withDetail(head: string, detail: string): string {
  return detail ? `${head}: ${detail}` : head;
}

export const required = (at: At, detail = ''): FieldIssue =>
  issue('FieldValueRequired', at, withDetail('Required value', detail));

export const invalid = (at: At, value: unknown, detail: string): FieldIssue =>
  issue('FieldValueInvalid', at, withDetail(`Invalid value: ${goValue(value)}`, detail));

/** Like invalid, for a value already rendered (e.g. a Go struct the client would see). */
export const invalidRendered = (at: At, rendered: string, detail: string): FieldIssue =>
  issue('FieldValueInvalid', at, withDetail(`Invalid value: ${rendered}`, detail));

export const typeInvalid = (at: At, value: unknown, detail: string): FieldIssue =>
  issue('FieldValueTypeInvalid', at, withDetail(`Invalid value: ${goValue(value)}`, detail));

export const notSupported = (at: At, value: unknown, supported: readonly string[]): FieldIssue =>
  issue(
    'FieldValueNotSupported',
    at,
    withDetail(
      `Unsupported value: ${goValue(value)}`,
      supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : '',
    ),
  );

export const duplicate = (at: At, value: unknown): FieldIssue =>
  issue('FieldValueDuplicate', at, `Duplicate value: ${goValue(value)}`);

export const notFound = (at: At, value: unknown): FieldIssue =>
  issue('FieldValueNotFound', at, `Not found: ${goValue(value)}`);

export const forbidden = (at: At, detail: string): FieldIssue =>
  issue('FieldValueForbidden', at, withDetail('Forbidden', detail));

/** Too long; the value itself is never echoed (as in Kubernetes 1.32). */
export const tooLong = (at: At, max: number): FieldIssue =>
  issue('FieldValueTooLong', at, `Too long: may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}`);

export const tooMany = (at: At, actual: number, max: number): FieldIssue =>
  issue('FieldValueTooMany', at, `Too many: ${actual}: must have at most ${max} ${max === 1 ? 'item' : 'items'}`);

export const unknownField = (path: string): FieldIssue => issue('FieldValueUnknown', path, `unknown field "${path}"`);

/** field is immutable, as ValidateImmutableField words it. */
export const immutable = (at: At, value: unknown): FieldIssue => invalid(at, value, 'field is immutable');

/** A value the JSON decoder cannot hold; the message is the decoder's own text (no "Invalid value" prefix). */
export const decodeError = (at: At, message: string): FieldIssue => issue('FieldValueTypeInvalid', at, message);
