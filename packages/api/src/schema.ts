// Field names and types of the built-in kinds, generated from @kubernetes/client-node's models
// (scripts/gen-types.mjs). A field type is one of: string, boolean, int32, int64, double,
// date-time, int-or-string, any, a type name, "[]T" (list of T) or "{}T" (map of string to T).
import types from './generated/types.json' with { type: 'json' };

export type FieldType = string;
export type TypeFields = Readonly<Record<string, FieldType>>;

const data = types as { kinds: Record<string, string>; types: Record<string, Record<string, string>> };

/** The schema type name of a kind, e.g. typeNameOf("apps","v1","Deployment") === "V1Deployment". */
export function typeNameOf(group: string, version: string, kind: string): string | undefined {
  return data.kinds[`${group}/${version}/${kind}`];
}

/** The fields of a schema type, or undefined for an unknown name. */
export function fieldsOf(typeName: string): TypeFields | undefined {
  return data.types[typeName];
}

/** Strips one "[]" or "{}" level: elementType("[]V1Container") === "V1Container". */
export function elementType(t: FieldType): FieldType {
  return t.startsWith('[]') || t.startsWith('{}') ? t.slice(2) : t;
}

export function isListType(t: FieldType): boolean {
  return t.startsWith('[]');
}

export function isMapType(t: FieldType): boolean {
  return t.startsWith('{}');
}

/** True when the type names an object type with its own fields. */
export function isObjectType(t: FieldType): boolean {
  return data.types[t] !== undefined;
}
