// Walks a request body against the generated schema of its kind: fields the kind does not have
// (reported for fieldValidation=Strict/Warn) and values of the wrong JSON type (what the real
// server's JSON decoder rejects with 400 BadRequest). Semantic checks live in kinds.ts.
import { elementType, fieldsOf, isListType, isMapType, isObjectType, isRecord } from '@wharf/api';
import { decodeError, unknownField, type FieldIssue } from './issues.js';
import { base64ErrorOffset } from './base64.js';
import { QUANTITY_FIELDS, QUANTITY_MAP_FIELDS, QUANTITY_REGEX_MESSAGE, isQuantity } from './quantity.js';

export interface TypeCheckResult {
  /** Fields the schema does not know, message `unknown field "spec.foo"`. */
  unknown: FieldIssue[];
  /** Values of the wrong JSON type, worded as the Go JSON decoder's error. */
  invalid: FieldIssue[];
}

/** The fields every object has, whatever its generated type says. */
const ALWAYS_KNOWN = new Set(['apiVersion', 'kind', 'metadata']);

/** Maps whose values are Go []byte, sent as base64 strings. */
const BYTES_MAP_FIELDS = new Set(['V1Secret.data', 'V1ConfigMap.binaryData']);

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface Where {
  /** Kubernetes path with indices: spec.containers[0].image */
  path: string;
  /** Go's error path, struct fields only: spec.containers.image */
  goPath: string;
  /** Go name of the struct holding the field: PodSpec */
  struct: string;
}

/** Checks `obj` against the generated type `typeName` (e.g. "V1Deployment"). */
export function checkTypes(obj: unknown, typeName: string): TypeCheckResult {
  const out: TypeCheckResult = { unknown: [], invalid: [] };
  if (fieldsOf(typeName) === undefined) return out;
  if (!isRecord(obj)) {
    out.invalid.push(
      decodeError('', `json: cannot unmarshal ${jsonKind(obj)} into Go value of type ${goTypeName(typeName)}`),
    );
    return out;
  }
  walkObject(obj, typeName, { path: '', goPath: '', struct: goStructName(typeName) }, out, true);
  return out;
}

function walkObject(
  obj: Record<string, unknown>,
  typeName: string,
  at: Where,
  out: TypeCheckResult,
  root: boolean,
): void {
  const fields = fieldsOf(typeName) ?? {};
  const struct = goStructName(typeName);
  for (const [key, value] of Object.entries(obj)) {
    const path = at.path ? `${at.path}.${key}` : key;
    const goPath = at.goPath ? `${at.goPath}.${key}` : key;
    let fieldType = fields[key];
    if (fieldType === undefined && root && ALWAYS_KNOWN.has(key))
      fieldType = key === 'metadata' ? 'V1ObjectMeta' : 'string';
    if (fieldType === undefined) {
      out.unknown.push(unknownField(path));
      continue;
    }
    const owner = `${typeName}.${key}`;
    if (BYTES_MAP_FIELDS.has(owner)) checkBytesMap(value, { path, goPath, struct }, out);
    else if (QUANTITY_MAP_FIELDS.has(owner)) checkQuantityMap(value, { path, goPath, struct }, out);
    else if (QUANTITY_FIELDS.has(owner)) checkQuantity(value, path, out);
    else checkValue(value, fieldType, { path, goPath, struct }, out);
  }
}

function checkValue(value: unknown, t: string, at: Where, out: TypeCheckResult): void {
  if (value === null) return; // null decodes to the zero value of any Go type
  const wrong = (valueDesc: string): void => {
    out.invalid.push(
      decodeError(
        at.path,
        `json: cannot unmarshal ${valueDesc} into Go struct field ${at.struct}.${at.goPath} of type ${goTypeName(t)}`,
      ),
    );
  };
  if (isListType(t)) {
    if (!Array.isArray(value)) return wrong(jsonKind(value));
    value.forEach((item, i) => checkValue(item, elementType(t), { ...at, path: `${at.path}[${i}]` }, out));
    return;
  }
  if (isMapType(t)) {
    if (!isRecord(value)) return wrong(jsonKind(value));
    for (const [k, v] of Object.entries(value)) checkValue(v, elementType(t), { ...at, path: `${at.path}[${k}]` }, out);
    return;
  }
  if (isObjectType(t)) {
    if (!isRecord(value)) return wrong(jsonKind(value));
    walkObject(value, t, { path: at.path, goPath: at.goPath, struct: goStructName(t) }, out, false);
    return;
  }
  switch (t) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') wrong(jsonKind(value));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') wrong(jsonKind(value));
      return;
    case 'double':
      if (typeof value !== 'number') wrong(jsonKind(value));
      return;
    case 'int32':
    case 'int64': {
      if (typeof value !== 'number') return wrong(jsonKind(value));
      const limit = t === 'int32' ? 2 ** 31 : 2 ** 63;
      if (!Number.isInteger(value) || value < -limit || value >= limit) wrong(`number ${String(value)}`);
      return;
    }
    case 'int-or-string':
      if (typeof value === 'string') return;
      if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 2 ** 31) return;
      out.invalid.push(
        decodeError(
          at.path,
          `json: cannot unmarshal ${typeof value === 'number' ? `number ${String(value)}` : jsonKind(value)} into Go value of type int32`,
        ),
      );
      return;
    case 'date-time':
    case 'V1MicroTime':
      checkTime(value, at.path, out);
      return;
    default:
      return; // an unknown leaf type: nothing to hold it against
  }
}

function checkTime(value: unknown, path: string, out: TypeCheckResult): void {
  if (typeof value !== 'string') {
    out.invalid.push(decodeError(path, `json: cannot unmarshal ${jsonKind(value)} into Go value of type string`));
    return;
  }
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    out.invalid.push(
      decodeError(
        path,
        `parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as RFC3339`,
      ),
    );
  }
}

function checkQuantity(value: unknown, path: string, out: TypeCheckResult): void {
  if (value === null || isQuantity(value)) return;
  out.invalid.push(decodeError(path, QUANTITY_REGEX_MESSAGE));
}

function checkQuantityMap(value: unknown, at: Where, out: TypeCheckResult): void {
  if (value === null) return;
  if (!isRecord(value)) {
    out.invalid.push(
      decodeError(
        at.path,
        `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${at.struct}.${at.goPath} of type v1.ResourceList`,
      ),
    );
    return;
  }
  for (const [k, v] of Object.entries(value)) checkQuantity(v, `${at.path}[${k}]`, out);
}

function checkBytesMap(value: unknown, at: Where, out: TypeCheckResult): void {
  if (value === null) return;
  if (!isRecord(value)) {
    out.invalid.push(
      decodeError(
        at.path,
        `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${at.struct}.${at.goPath} of type map[string][]uint8`,
      ),
    );
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    if (typeof v !== 'string') {
      out.invalid.push(
        decodeError(
          `${at.path}[${k}]`,
          `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${at.struct}.${at.goPath} of type []uint8`,
        ),
      );
      continue;
    }
    const offset = base64ErrorOffset(v);
    if (offset !== undefined)
      out.invalid.push(decodeError(`${at.path}[${k}]`, `illegal base64 data at input byte ${offset}`));
  }
}

/** The JSON type word Go's decoder uses: string, number, bool, array, object, null. */
function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return 'object';
}

/** "V1DeploymentSpec" → "DeploymentSpec", "CoreV1Event" → "Event". */
function goStructName(typeName: string): string {
  const m = /^(?:[A-Z][a-z]+)?V\d+(?:alpha\d+|beta\d+)?([A-Z].*)$/.exec(typeName);
  return m?.[1] ?? typeName;
}

function goTypeName(t: string): string {
  if (isListType(t)) return `[]${goTypeName(elementType(t))}`;
  if (isMapType(t)) return `map[string]${goTypeName(elementType(t))}`;
  switch (t) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'int32':
    case 'int64':
      return t;
    case 'double':
      return 'float64';
    case 'date-time':
      return 'v1.Time';
    case 'V1MicroTime':
      return 'v1.MicroTime';
    case 'int-or-string':
      return 'intstr.IntOrString';
    case 'any':
      return 'interface {}';
  }
  const version = /^(?:[A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)[A-Z]/.exec(t)?.[1]?.toLowerCase() ?? 'v1';
  return `${version}.${goStructName(t)}`;
}
