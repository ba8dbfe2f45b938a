// Decodes a protobuf message into the JSON object Go's encoding/json would write for the same Go
// struct: field names from the schema table, zero scalars dropped unless the field keeps them,
// maps as objects, bytes as base64, embedded structs merged into their parent.
import { COMPILED, type CompiledField, type CompiledMessage, type ScalarType } from './compile.js';
import { ProtobufDecodeError } from './errors.js';
import { MAX_DEPTH, WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT, WireReader, type Tag } from './reader.js';
import { decodeBase64, decodeSpecial, decodeString, isZero, zeroValue } from './values.js';

type JsonObject = Record<string, unknown>;

/** Decoding state: the buffer and the JSON path of the field being read, for error messages. */
interface Ctx {
  readonly buf: Uint8Array;
  readonly path: string[];
}

function wireOf(scalar: ScalarType): number {
  if (scalar === 'string' || scalar === 'bytes') return WIRE_BYTES;
  return scalar === 'double' ? WIRE_FIXED64 : WIRE_VARINT;
}

function wrongWire(tag: Tag, expected: number): ProtobufDecodeError {
  return new ProtobufDecodeError(`wire type ${tag.wire} where ${expected} was expected, at byte ${tag.at}`);
}

/** Sets a key that came off the wire without letting `__proto__` and friends touch the prototype. */
function setKey(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function readScalar(ctx: Ctx, r: WireReader, scalar: ScalarType): unknown {
  switch (scalar) {
    case 'string': {
      const s = r.lengthDelimited();
      return decodeString(ctx.buf, s.start, s.end);
    }
    case 'bytes': {
      const s = r.lengthDelimited();
      return decodeBase64(ctx.buf, s.start, s.end);
    }
    case 'bool':
      return r.bool();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'double':
      return r.double();
  }
}

/** Reads one value of a field whose wire type was already checked to be length-delimited if needed. */
function readValue(ctx: Ctx, r: WireReader, f: CompiledField, depth: number): unknown {
  const v = f.value;
  if (v.kind === 'scalar') return readScalar(ctx, r, v.scalar);
  const s = r.lengthDelimited();
  if (v.kind === 'special') return decodeSpecial(v.special, ctx.buf, s.start, s.end);
  return decodeMessage(ctx, messageOf(v.message), s.start, s.end, depth + 1);
}

function messageOf(name: string): CompiledMessage {
  const m = COMPILED.get(name);
  if (!m) throw new ProtobufDecodeError(`no protobuf schema for message ${name}`, 'unsupported');
  return m;
}

function expectedWire(f: CompiledField): number {
  return f.value.kind === 'scalar' ? wireOf(f.value.scalar) : WIRE_BYTES;
}

function decodeRepeated(ctx: Ctx, r: WireReader, tag: Tag, f: CompiledField, out: JsonObject, depth: number): void {
  let list = out[f.json];
  if (!Array.isArray(list)) {
    list = [];
    out[f.json] = list;
  }
  const items = list as unknown[];
  const want = expectedWire(f);
  if (tag.wire === want) {
    ctx.path.push(`${f.json}[${items.length}]`);
    items.push(readValue(ctx, r, f, depth) ?? null); // a zero Time in a list is Go's `null`
    ctx.path.pop();
    return;
  }
  // Packed numbers or bools: one length-delimited run of values.
  if (tag.wire === WIRE_BYTES && f.value.kind === 'scalar' && want !== WIRE_BYTES) {
    const s = r.lengthDelimited();
    const packed = new WireReader(ctx.buf, s.start, s.end);
    while (!packed.done()) {
      ctx.path.push(`${f.json}[${items.length}]`);
      items.push(readScalar(ctx, packed, f.value.scalar));
      ctx.path.pop();
    }
    return;
  }
  ctx.path.push(f.json);
  throw wrongWire(tag, want);
}

function decodeMapEntry(ctx: Ctx, f: CompiledField, start: number, end: number, out: JsonObject, depth: number): void {
  const r = new WireReader(ctx.buf, start, end);
  let key = '';
  let value: unknown;
  let seen = false;
  while (!r.done()) {
    const t = r.tag();
    if (t.field === 1) {
      if (t.wire !== WIRE_BYTES) throw wrongWire(t, WIRE_BYTES);
      const s = r.lengthDelimited();
      key = decodeString(ctx.buf, s.start, s.end);
    } else if (t.field === 2) {
      const want = expectedWire(f);
      if (t.wire !== want) throw wrongWire(t, want);
      value = readValue(ctx, r, f, depth);
      seen = true;
    } else r.skip(t);
  }
  const v = f.value;
  if (!seen || value === undefined)
    value = zeroValue(v.kind === 'scalar' ? v.scalar : v.kind === 'special' ? v.special : 'message');
  let map = out[f.json] as JsonObject | undefined;
  if (map === undefined) {
    map = {};
    out[f.json] = map;
  }
  setKey(map, key, value);
}

function decodeField(ctx: Ctx, r: WireReader, tag: Tag, f: CompiledField, out: JsonObject, depth: number): void {
  if (f.repeated) {
    decodeRepeated(ctx, r, tag, f, out, depth);
    return;
  }
  ctx.path.push(f.json);
  const want = expectedWire(f);
  if (tag.wire !== want) throw wrongWire(tag, want);
  if (f.map) {
    const s = r.lengthDelimited();
    decodeMapEntry(ctx, f, s.start, s.end, out, depth);
  } else {
    const value = readValue(ctx, r, f, depth);
    if (f.inline) Object.assign(out, value);
    else if (value === undefined || (!f.keepZero && f.value.kind === 'scalar' && isZero(value))) delete out[f.json];
    else out[f.json] = value;
  }
  ctx.path.pop();
}

export function decodeMessage(ctx: Ctx, msg: CompiledMessage, start: number, end: number, depth: number): JsonObject {
  if (depth > MAX_DEPTH) throw new ProtobufDecodeError(`messages nested deeper than ${MAX_DEPTH} at byte ${start}`);
  const r = new WireReader(ctx.buf, start, end);
  const out: JsonObject = {};
  while (!r.done()) {
    const tag = r.tag();
    const f = msg.fields.get(tag.field);
    if (f) decodeField(ctx, r, tag, f, out, depth);
    else r.skip(tag);
  }
  return out;
}

/**
 * Decodes the message named `messageName` (a key of the schema table, e.g. "apps.Deployment") from
 * buf[start, end). Errors carry the JSON path of the field being read.
 */
export function decodeMessageAt(buf: Uint8Array, messageName: string, start: number, end: number): JsonObject {
  const ctx: Ctx = { buf, path: [] };
  try {
    return decodeMessage(ctx, messageOf(messageName), start, end, 0);
  } catch (e) {
    if (e instanceof ProtobufDecodeError && ctx.path.length > 0) {
      throw new ProtobufDecodeError(`${ctx.path.join('.').replace(/\.\[/g, '[')}: ${e.message}`, e.reason);
    }
    throw e;
  }
}
