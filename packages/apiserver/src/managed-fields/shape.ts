// The schema view server-side apply walks: for each node, whether it is a scalar, a map (a struct
// with declared fields, or a map of elements; granular or atomic) or a list (atomic, set or map
// with keys). Built-in kinds read it from the generated types (builtin-lists.ts adds the list
// markers), custom resources from their OpenAPI v3 schema, and anything else is deduced from the
// value (maps granular, lists atomic), as structured-merge-diff's deduced type does.
import { elementType, fieldsOf, isListType, isMapType, isObjectType, isRecord } from '@wharf/api';
import type { JSONSchemaProps } from '../validation/index.js';
import { ATOMIC_STRUCTS, builtinListSchema, type ListSchema } from './builtin-lists.js';

export type Shape = ScalarShape | MapShape | ListShape | UntypedShape;

export interface ScalarShape {
  readonly kind: 'scalar';
}

export interface MapShape {
  readonly kind: 'map';
  readonly atomic: boolean;
  /** The shape of the value under `key`. */
  child(key: string): Shape;
  /** Whether `key` is a declared struct field (its node is not a member unless empty or null). */
  declared(key: string): boolean;
  /** A struct whose schema admits no other fields (an apply sending one is refused). */
  readonly closed: boolean;
}

export interface ListShape extends ListSchema {
  readonly kind: 'list';
  readonly elem: Shape;
}

/** A node whose form is deduced from the value it holds. */
export interface UntypedShape {
  readonly kind: 'untyped';
}

export const SCALAR: ScalarShape = { kind: 'scalar' };
export const UNTYPED: UntypedShape = { kind: 'untyped' };
const DEDUCED_MAP: MapShape = {
  kind: 'map',
  atomic: false,
  child: () => UNTYPED,
  declared: () => false,
  closed: false,
};
const DEDUCED_LIST: ListShape = { kind: 'list', listType: 'atomic', keys: [], elem: UNTYPED };

/** The concrete shape of `shape` for `value` (resolves untyped nodes). */
export function resolve(shape: Shape, value: unknown): Exclude<Shape, UntypedShape> {
  if (shape.kind !== 'untyped') return shape;
  if (Array.isArray(value)) return DEDUCED_LIST;
  if (isRecord(value)) return DEDUCED_MAP;
  return SCALAR;
}

/** Scalars, atomic maps and atomic lists: owned, compared and replaced as one value. */
export function isLeaf(s: Exclude<Shape, UntypedShape>): boolean {
  return s.kind === 'scalar' || (s.kind === 'map' && s.atomic) || (s.kind === 'list' && s.listType === 'atomic');
}

const builtinCache = new Map<string, Shape>();

/** The shape of a built-in schema type such as 'V1Deployment'. */
export function builtinShape(typeName: string): Shape {
  const cached = builtinCache.get(typeName);
  if (cached) return cached;
  const fields = fieldsOf(typeName);
  if (!fields) return UNTYPED;
  const shape: MapShape = {
    kind: 'map',
    atomic: ATOMIC_STRUCTS.has(typeName),
    child: (key) => {
      const t = fields[key];
      return t === undefined ? UNTYPED : fieldShape(t, typeName, key);
    },
    declared: (key) => fields[key] !== undefined,
    closed: true,
  };
  builtinCache.set(typeName, shape);
  return shape;
}

function fieldShape(t: string, owner: string, field: string): Shape {
  if (isListType(t)) {
    const list = builtinListSchema(owner, field);
    return { kind: 'list', ...list, elem: typeShape(elementType(t)) };
  }
  return typeShape(t);
}

function typeShape(t: string): Shape {
  if (isListType(t)) return { kind: 'list', listType: 'atomic', keys: [], elem: typeShape(elementType(t)) };
  if (isMapType(t)) {
    const elem = typeShape(elementType(t));
    return { kind: 'map', atomic: false, child: () => elem, declared: () => false, closed: false };
  }
  if (isObjectType(t)) return builtinShape(t);
  return t === 'any' ? UNTYPED : SCALAR;
}

/** The shape of a custom resource from its version's OpenAPI v3 schema (metadata is ObjectMeta). */
export function customResourceShape(schema: JSONSchemaProps | undefined): Shape {
  const root = schema ? schemaShape(schema) : DEDUCED_MAP;
  if (root.kind !== 'map') return root;
  const meta = builtinShape('V1ObjectMeta');
  return {
    ...root,
    child: (key) => (key === 'metadata' ? meta : key === 'apiVersion' || key === 'kind' ? SCALAR : root.child(key)),
    declared: (key) => key === 'metadata' || key === 'apiVersion' || key === 'kind' || root.declared(key),
  };
}

function schemaShape(s: JSONSchemaProps): Shape {
  if (s['x-kubernetes-int-or-string']) return SCALAR;
  if (s.type === 'array') {
    const items = isRecord(s.items) && !Array.isArray(s.items) ? schemaShape(s.items) : UNTYPED;
    const t = s['x-kubernetes-list-type'];
    const listType = t === 'set' || t === 'map' ? t : 'atomic';
    return {
      kind: 'list',
      listType,
      keys: listType === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : [],
      elem: items,
    };
  }
  if (s.type === 'object' || s.properties || s.additionalProperties) {
    const props = s.properties ?? {};
    const extra = isRecord(s.additionalProperties) ? schemaShape(s.additionalProperties) : undefined;
    const cache = new Map<string, Shape>();
    const atomic = s['x-kubernetes-map-type'] === 'atomic';
    return {
      kind: 'map',
      atomic,
      child: (key) => {
        let c = cache.get(key);
        if (!c) {
          const p = props[key];
          c = p ? schemaShape(p) : (extra ?? UNTYPED);
          cache.set(key, c);
        }
        return c;
      },
      declared: (key) => props[key] !== undefined,
      closed:
        !extra &&
        s.additionalProperties !== true &&
        !s['x-kubernetes-preserve-unknown-fields'] &&
        !s['x-kubernetes-embedded-resource'],
    };
  }
  if (s['x-kubernetes-preserve-unknown-fields']) return UNTYPED;
  return s.type === undefined ? UNTYPED : SCALAR;
}
