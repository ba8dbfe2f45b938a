// Turns the readable schema table (schema/*.ts) into per-message lookup maps keyed by field number,
// checking once at load that every type a field names exists, so decoding never meets a dangling name.
import { SCHEMA, type SchemaTable } from './schema/index.js';

export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes' | 'double';
export type SpecialType = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'RawJSON';

export type ValueType =
  | { readonly kind: 'scalar'; readonly scalar: ScalarType }
  | { readonly kind: 'special'; readonly special: SpecialType }
  | { readonly kind: 'message'; readonly message: string };

export interface CompiledField {
  readonly json: string;
  readonly number: number;
  readonly value: ValueType;
  readonly repeated: boolean;
  readonly map: boolean;
  /** Present on the wire ⇒ present in JSON even when zero (Go pointer or no `omitempty`). */
  readonly keepZero: boolean;
  /** Embedded struct: its decoded fields merge into the parent object. */
  readonly inline: boolean;
}

export interface CompiledMessage {
  readonly name: string;
  readonly fields: ReadonlyMap<number, CompiledField>;
}

const SCALARS: ReadonlySet<string> = new Set<ScalarType>(['string', 'bool', 'int32', 'int64', 'bytes', 'double']);
const SPECIALS: ReadonlySet<string> = new Set<SpecialType>(['Time', 'MicroTime', 'Quantity', 'IntOrString', 'RawJSON']);

function parseType(
  type: string,
  table: SchemaTable,
  where: string,
): Pick<CompiledField, 'value' | 'repeated' | 'map' | 'keepZero'> {
  let rest = type;
  const repeated = rest.startsWith('[]');
  const map = rest.startsWith('{}');
  if (repeated || map) rest = rest.slice(2);
  const keepZero = rest.startsWith('*');
  if (keepZero) rest = rest.slice(1);
  let value: ValueType;
  if (SCALARS.has(rest)) value = { kind: 'scalar', scalar: rest as ScalarType };
  else if (SPECIALS.has(rest)) value = { kind: 'special', special: rest as SpecialType };
  else if (table[rest]) value = { kind: 'message', message: rest };
  else throw new Error(`protobuf schema: ${where} names unknown type "${rest}"`);
  if (keepZero && (repeated || map || value.kind !== 'scalar')) {
    throw new Error(`protobuf schema: ${where}: "*" applies only to single scalar fields`);
  }
  return { value, repeated, map, keepZero };
}

export function compileSchema(table: SchemaTable): ReadonlyMap<string, CompiledMessage> {
  const out = new Map<string, CompiledMessage>();
  for (const [name, spec] of Object.entries(table)) {
    const fields = new Map<number, CompiledField>();
    for (const [json, [number, type]] of Object.entries(spec)) {
      const where = `${name}.${json}`;
      if (!Number.isInteger(number) || number < 1)
        throw new Error(`protobuf schema: ${where} has bad field number ${number}`);
      if (fields.has(number)) throw new Error(`protobuf schema: ${where} reuses field number ${number}`);
      const inline = json.startsWith('...');
      const parsed = parseType(type, table, where);
      if (inline && (parsed.value.kind !== 'message' || parsed.repeated || parsed.map)) {
        throw new Error(`protobuf schema: ${where}: only a single message can be inlined`);
      }
      fields.set(number, { json: inline ? json.slice(3) : json, number, inline, ...parsed });
    }
    out.set(name, { name, fields });
  }
  return out;
}

/** The compiled form of the built-in table. */
export const COMPILED: ReadonlyMap<string, CompiledMessage> = compileSchema(SCHEMA);
