// Validates a custom resource against its CRD version's schema, wording each failure as the
// real server does: `spec.replicas: Invalid value: "string": spec.replicas in body must be of
// type integer: "string"`, `spec.size: Unsupported value: "huge": supported values: ...`.
import { isRecord } from '@wharf/api';
import {
  duplicate,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
  type FieldIssue,
} from './issues.js';
import { isDNS1123Subdomain } from './names.js';
import { additionalSchema, asSchema, type JSONSchemaProps } from './crd-types.js';
import { formatError } from './formats.js';
import { evaluateCelRules } from './crd-cel.js';

const ROOT_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** All schema violations of a custom resource; apiVersion/kind/metadata at the root are left to ObjectMeta checks. */
export function validateCustomResource(obj: unknown, schema: JSONSchemaProps, old?: unknown): FieldIssue[] {
  const errs: FieldIssue[] = [];
  validate(obj, schema, '', errs, true);
  // CEL rules run on values that passed the schema, as upstream (a type error is reported once).
  if (!errs.length) evaluateCelRules(obj, old, schema, '', errs);
  return errs;
}

/** Validates one value against one schema node; `path` is where the value sits. */
export function validateSchemaValue(value: unknown, schema: JSONSchemaProps, path: string): FieldIssue[] {
  const errs: FieldIssue[] = [];
  validate(value, schema, path, errs, false);
  return errs;
}

/** The JSON type name go-openapi reports: integer, number, string, boolean, array, object, null. */
function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case 'object':
      return isRecord(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    default:
      return true;
  }
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function validate(v: unknown, s: JSONSchemaProps, path: string, errs: FieldIssue[], root: boolean): void {
  const name = path;
  const fail = (detail: string, value: unknown = v): void => {
    errs.push(invalid(path, value, `${name} in body ${detail}`));
  };
  if (v === null && s.nullable === true) return;
  const t = typeof s.type === 'string' ? s.type : '';
  if (
    s['x-kubernetes-int-or-string'] === true &&
    !(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))
  ) {
    errs.push(
      typeInvalid(path, typeName(v), `${name} in body must be of type integer,string: ${JSON.stringify(typeName(v))}`),
    );
    return;
  }
  if (t && !hasType(v, t)) {
    errs.push(typeInvalid(path, typeName(v), `${name} in body must be of type ${t}: ${JSON.stringify(typeName(v))}`));
    return;
  }
  if (
    v === null &&
    !t &&
    s['x-kubernetes-preserve-unknown-fields'] !== true &&
    s['x-kubernetes-int-or-string'] !== true
  )
    return;

  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, v))) {
    errs.push(
      notSupported(
        path,
        v,
        s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
      ),
    );
  }
  if (typeof v === 'number') validateNumber(v, s, fail);
  if (typeof v === 'string') validateString(v, s, path, errs, fail);
  if (Array.isArray(v)) validateArray(v, s, path, errs, fail);
  if (isRecord(v)) validateObject(v, s, path, errs, fail, root);
  validateComposition(v, s, path, errs);
}

function validateNumber(v: number, s: JSONSchemaProps, fail: (d: string) => void): void {
  if (typeof s.minimum === 'number') {
    if (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum) {
      fail(`should be greater than ${s.exclusiveMinimum === true ? '' : 'or equal to '}${s.minimum}`);
    }
  }
  if (typeof s.maximum === 'number') {
    if (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum) {
      fail(`should be less than ${s.exclusiveMaximum === true ? '' : 'or equal to '}${s.maximum}`);
    }
  }
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) fail(`should be a multiple of ${s.multipleOf}`);
  }
  if (s.format === 'int32' && Number.isInteger(v) && (v < -(2 ** 31) || v >= 2 ** 31))
    fail(`must be of type int32: ${JSON.stringify(String(v))}`);
}

function validateString(
  v: string,
  s: JSONSchemaProps,
  path: string,
  errs: FieldIssue[],
  fail: (d: string) => void,
): void {
  const length = [...v].length;
  if (typeof s.maxLength === 'number' && length > s.maxLength) errs.push(tooLong(path, s.maxLength));
  if (typeof s.minLength === 'number' && length < s.minLength) fail(`should be at least ${s.minLength} chars long`);
  if (typeof s.pattern === 'string') {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(v)) fail(`should match '${s.pattern}'`);
  }
  if (typeof s.format === 'string' && formatError(s.format, v)) {
    errs.push(typeInvalid(path, v, `${path} in body must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
}

function validateArray(
  v: unknown[],
  s: JSONSchemaProps,
  path: string,
  errs: FieldIssue[],
  fail: (d: string) => void,
): void {
  if (typeof s.minItems === 'number' && v.length < s.minItems) fail(`should have at least ${s.minItems} items`);
  if (typeof s.maxItems === 'number' && v.length > s.maxItems) errs.push(tooMany(path, v.length, s.maxItems));
  if (s.uniqueItems === true && v.some((x, i) => v.findIndex((y) => deepEqual(x, y)) !== i))
    fail("shouldn't contain duplicates");
  const items = asSchema(s.items);
  if (items) v.forEach((x, i) => validate(x, items, `${path}[${i}]`, errs, false));
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    v.forEach((x, i) => {
      if (v.findIndex((y) => deepEqual(x, y)) !== i) errs.push(duplicate(`${path}[${i}]`, x));
    });
  } else if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    v.forEach((x, i) => {
      if (!isRecord(x)) return;
      const keyMap = Object.fromEntries(keys.map((k) => [k, x[k]]));
      const id = JSON.stringify(keys.map((k) => x[k] ?? null));
      if (seen.has(id)) {
        const body = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(keyMap[k] ?? null)}`).join(', ');
        errs.push({
          reason: 'FieldValueDuplicate',
          field: `${path}[${i}]`,
          message: `Duplicate value: map[string]interface {}{${body}}`,
        });
      }
      seen.add(id);
    });
  }
}

function validateObject(
  v: Record<string, unknown>,
  s: JSONSchemaProps,
  path: string,
  errs: FieldIssue[],
  fail: (d: string) => void,
  root: boolean,
): void {
  const props = isRecord(s.properties) ? s.properties : {};
  for (const k of Array.isArray(s.required) ? s.required : []) {
    if (!(k in v)) errs.push(required(join(path, k)));
  }
  const count = Object.keys(v).length;
  if (typeof s.minProperties === 'number' && count < s.minProperties)
    fail(`should have at least ${s.minProperties} properties`);
  if (typeof s.maxProperties === 'number' && count > s.maxProperties) errs.push(tooMany(path, count, s.maxProperties));
  const additional = additionalSchema(s);
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  for (const [k, x] of Object.entries(v)) {
    const p = join(path, k);
    const child = asSchema(props[k]);
    if (child) {
      if ((root || embedded) && k === 'metadata') continue;
      validate(x, child, p, errs, false);
    } else if (additional) validate(x, additional, p, errs, false);
    else if (s.additionalProperties === false && !((root || embedded) && ROOT_FIELDS.has(k))) {
      errs.push(invalid(p, '', `${p} in body is a forbidden property`));
    }
  }
  if (embedded) validateEmbedded(v, path, errs);
}

/** An embedded object is a whole Kubernetes object: apiVersion and kind set, a valid name if any. */
function validateEmbedded(v: Record<string, unknown>, path: string, errs: FieldIssue[]): void {
  if (typeof v.kind !== 'string' || !v.kind) errs.push(required(join(path, 'kind'), 'must not be empty'));
  if (typeof v.apiVersion !== 'string' || !v.apiVersion)
    errs.push(required(join(path, 'apiVersion'), 'must not be empty'));
  if (v.metadata !== undefined && !isRecord(v.metadata)) {
    errs.push(typeInvalid(join(path, 'metadata'), typeName(v.metadata), 'must be an object'));
    return;
  }
  const name = isRecord(v.metadata) ? v.metadata.name : undefined;
  if (typeof name === 'string' && name) {
    for (const msg of isDNS1123Subdomain(name)) errs.push(invalid(join(path, 'metadata.name'), name, msg));
  }
}

function validateComposition(v: unknown, s: JSONSchemaProps, path: string, errs: FieldIssue[]): void {
  const passes = (sub: unknown): boolean => {
    const schema = asSchema(sub);
    return !schema || validateSchemaValue(v, schema, path).length === 0;
  };
  const summary = (detail: string): FieldIssue =>
    invalid(path, typeName(v), path ? `${path} in body ${detail}` : detail);
  if (Array.isArray(s.allOf)) {
    const subErrs = s.allOf.flatMap((sub) => {
      const schema = asSchema(sub);
      return schema ? validateSchemaValue(v, schema, path) : [];
    });
    if (subErrs.length > 0) errs.push(...subErrs, summary('must validate all the schemas (allOf)'));
  }
  if (Array.isArray(s.anyOf) && s['x-kubernetes-int-or-string'] !== true && !s.anyOf.some(passes)) {
    errs.push(summary('must validate at least one schema (anyOf)'));
  }
  if (Array.isArray(s.oneOf) && s.oneOf.filter(passes).length !== 1)
    errs.push(summary('must validate one and only one schema (oneOf)'));
  if (s.not !== undefined && passes(s.not)) errs.push(summary('must not validate the schema (not)'));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
