// The structural-schema rules apiextensions applies before it accepts a CRD version's schema:
// every node typed (unless int-or-string or preserve-unknown-fields), properties and
// additionalProperties exclusive, no $ref, value validations kept type-free, defaults valid.
import { isRecord } from '@wharf/api';
import { FieldPath, forbidden, invalid, notSupported, required, type FieldIssue } from './issues.js';
import { validateSchemaValue } from './crd-values.js';
import { additionalSchema, asSchema, type JSONSchemaProps } from './crd-types.js';

export type { JSONSchemaProps } from './crd-types.js';

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const UNSUPPORTED = ['$schema', 'id', 'additionalItems', 'patternProperties', 'definitions', 'dependencies'];
type Level = 'root' | 'items' | 'field';

/** Checks a CRD version's openAPIV3Schema found at `path` (e.g. spec.versions[0].schema.openAPIV3Schema). */
export function validateStructuralSchema(schema: unknown, path: string): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const s = asSchema(schema);
  if (!s) return [required(path, 'schemas are required')];
  walk(s, FieldPath.root(path), 'root', errs);
  return errs;
}

function walk(s: JSONSchemaProps, at: FieldPath, level: Level, errs: FieldIssue[]): void {
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'];
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const type = typeof s.type === 'string' ? s.type : '';

  if (s.$ref !== undefined) errs.push(forbidden(at.child('$ref'), '$ref is not supported'));
  for (const k of UNSUPPORTED) if (s[k] !== undefined) errs.push(forbidden(at.child(k), `${k} is not supported`));
  if (s.uniqueItems === true)
    errs.push(
      forbidden(
        at.child('uniqueItems'),
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  if (type && !TYPES.includes(type)) errs.push(notSupported(at.child('type'), type, TYPES));
  if (preserve === false)
    errs.push(invalid(at.child('x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  if (intOrString && type)
    errs.push(invalid(at.child('type'), type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (!type && !intOrString && preserve !== true && !embedded) {
    const where = { root: 'at the root', items: 'for specified array items', field: 'for specified object fields' }[
      level
    ];
    errs.push(required(at.child('type'), `must not be empty ${where}`));
  }
  if (level === 'root' && type && type !== 'object')
    errs.push(invalid(at.child('type'), type, 'must be object at the root'));
  if (embedded) {
    if (type !== 'object')
      errs.push(invalid(at.child('type'), type, 'must be object if x-kubernetes-embedded-resource is true'));
    if (preserve !== true && Object.keys(s.properties ?? {}).length === 0) {
      errs.push(
        required(
          at.child('properties'),
          'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
        ),
      );
    }
  }

  const props = isRecord(s.properties) ? s.properties : {};
  if (s.additionalProperties === false)
    errs.push(forbidden(at.child('additionalProperties'), 'additionalProperties cannot be set to false'));
  else if (s.additionalProperties !== undefined && Object.keys(props).length > 0) {
    errs.push(forbidden(at.child('additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  if (level === 'root' || embedded) checkResourceFields(props, at, errs);

  for (const [k, v] of Object.entries(props)) {
    const child = asSchema(v);
    if (child) walk(child, at.child('properties').key(k), 'field', errs);
  }
  const additional = additionalSchema(s);
  if (additional) walk(additional, at.child('additionalProperties'), 'field', errs);

  if (Array.isArray(s.items)) errs.push(forbidden(at.child('items'), 'items must be a schema object and not an array'));
  else if (s.items !== undefined) {
    const items = asSchema(s.items);
    if (items) walk(items, at.child('items'), 'items', errs);
  } else if (type === 'array') errs.push(required(at.child('items'), 'must be specified'));
  if (s.items !== undefined && type && type !== 'array')
    errs.push(forbidden(at.child('items'), 'must be empty if type is not array'));

  checkListType(s, at, errs);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    (s[k] ?? []).forEach((sub, i) => nested(sub, at.child(k).index(i), intOrString, errs));
  }
  if (s.not !== undefined) nested(s.not, at.child('not'), false, errs);

  if (s.default !== undefined) {
    if (level === 'root') errs.push(forbidden(at.child('default'), 'must not be set at the root'));
    else {
      for (const e of validateSchemaValue(s.default, s, '')) {
        errs.push({
          ...e,
          field: e.field ? `${at.child('default').toString()}.${e.field}` : at.child('default').toString(),
        });
      }
    }
  }
}

/** apiVersion and kind must be strings; metadata may only constrain name and generateName. */
function checkResourceFields(props: Record<string, JSONSchemaProps>, at: FieldPath, errs: FieldIssue[]): void {
  for (const k of ['apiVersion', 'kind']) {
    const t = props[k]?.type;
    if (props[k] && t !== 'string')
      errs.push(invalid(at.child('properties').key(k).child('type'), t ?? '', 'must be string'));
  }
  const meta = props.metadata;
  if (!meta) return;
  if (meta.type !== 'object')
    errs.push(invalid(at.child('properties').key('metadata').child('type'), meta.type ?? '', 'must be object'));
  const extra = Object.keys(meta).filter((k) => !['type', 'properties', 'description'].includes(k));
  const propNames = Object.keys(meta.properties ?? {});
  if (extra.length > 0 || propNames.some((p) => p !== 'name' && p !== 'generateName')) {
    errs.push(
      forbidden(
        at.child('properties').key('metadata'),
        'must not specify anything other than name and generateName, but metadata is implicitly specified',
      ),
    );
  }
}

function checkListType(s: JSONSchemaProps, at: FieldPath, errs: FieldIssue[]): void {
  const listType = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'];
  if (listType !== undefined) {
    if (!['atomic', 'set', 'map'].includes(String(listType)))
      errs.push(notSupported(at.child('x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
    if (s.type !== 'array')
      errs.push(invalid(at.child('x-kubernetes-list-type'), listType, 'must only be used if type is array'));
  }
  const items = asSchema(s.items);
  if (listType === 'map') {
    if (!Array.isArray(keys) || keys.length === 0)
      errs.push(required(at.child('x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    if (items && items.type !== 'object')
      errs.push(
        invalid(
          at.child('items').child('type'),
          items.type ?? '',
          "must be object if parent array's x-kubernetes-list-type is map",
        ),
      );
    if (Array.isArray(keys) && items && keys.some((k) => !isRecord(items.properties) || !(k in items.properties))) {
      errs.push(invalid(at.child('x-kubernetes-list-map-keys'), keys, 'entries must all be names of item properties'));
    }
  } else if (keys !== undefined) {
    errs.push(forbidden(at.child('x-kubernetes-list-map-keys'), 'must be empty if x-kubernetes-list-type is not map'));
  }
  if (listType === 'set' && items && (items.type === 'object' || items.type === 'array')) {
    errs.push(
      invalid(
        at.child('items').child('type'),
        items.type,
        "must be a scalar type if parent array's x-kubernetes-list-type is set",
      ),
    );
  }
}

/** Inside allOf/anyOf/oneOf/not only value validations are allowed. */
function nested(sub: unknown, at: FieldPath, intOrString: boolean, errs: FieldIssue[]): void {
  const s = asSchema(sub);
  if (!s) return;
  // The int-or-string idiom: anyOf: [{type: integer}, {type: string}].
  const typeOk = intOrString && (s.type === 'integer' || s.type === 'string');
  if (s.type !== undefined && !typeOk) errs.push(forbidden(at.child('type'), 'must be empty to be structural'));
  for (const k of ['default', 'description', 'title', 'additionalProperties']) {
    if (s[k] !== undefined) errs.push(forbidden(at.child(k), 'must be undefined to be structural'));
  }
  if (s.nullable === true) errs.push(forbidden(at.child('nullable'), 'must be false to be structural'));
  for (const k of Object.keys(s)) {
    if (k.startsWith('x-kubernetes-') && k !== 'x-kubernetes-validations')
      errs.push(forbidden(at.child(k), 'must be false to be structural'));
  }
  for (const [k, v] of Object.entries(s.properties ?? {})) nested(v, at.child('properties').key(k), false, errs);
  if (!Array.isArray(s.items) && s.items !== undefined) nested(s.items, at.child('items'), false, errs);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const)
    (s[k] ?? []).forEach((x, i) => nested(x, at.child(k).index(i), false, errs));
  if (s.not !== undefined) nested(s.not, at.child('not'), false, errs);
}
