// Decoders for apimachinery's specially encoded values (Time, MicroTime, Quantity, IntOrString,
// raw JSON) and the zero values Go's JSON encoder omits.
import type { ScalarType, SpecialType } from './compile.js';
import { ProtobufDecodeError } from './errors.js';
import { WIRE_BYTES, WIRE_VARINT, WireReader, type Tag } from './reader.js';

/** Seconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: Go refuses to write years outside. */
const MIN_SECONDS = -62167219200;
const MAX_SECONDS = 253402300799;

const utf8 = new TextDecoder('utf-8');

export function decodeString(buf: Uint8Array, start: number, end: number): string {
  return utf8.decode(buf.subarray(start, end));
}

export function decodeBase64(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('base64');
}

function expectWire(tag: Tag, wire: number, what: string): void {
  if (tag.wire !== wire) {
    throw new ProtobufDecodeError(`${what} has wire type ${tag.wire}, expected ${wire}, at byte ${tag.at}`);
  }
}

function formatTime(seconds: number, nanos: number, micro: boolean, at: number): string {
  const total = seconds + Math.floor(nanos / 1e9);
  if (!Number.isFinite(total) || total < MIN_SECONDS || total > MAX_SECONDS) {
    throw new ProtobufDecodeError(`timestamp ${seconds}s at byte ${at} is outside years 0000-9999`);
  }
  const iso = new Date(total * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const base = iso.slice(0, 19);
  if (!micro) return `${base}Z`;
  const us = Math.floor((((nanos % 1e9) + 1e9) % 1e9) / 1000);
  return `${base}.${String(us).padStart(6, '0')}Z`;
}

/**
 * Decodes one specially encoded message in [start, end). Returns undefined for a zero Time
 * (Go writes `null` for it; callers omit the field).
 */
export function decodeSpecial(type: SpecialType, buf: Uint8Array, start: number, end: number): unknown {
  const r = new WireReader(buf, start, end);
  switch (type) {
    case 'Time':
    case 'MicroTime': {
      let seconds = 0;
      let nanos = 0;
      while (!r.done()) {
        const t = r.tag();
        if (t.field === 1) {
          expectWire(t, WIRE_VARINT, `${type}.seconds`);
          seconds = r.int64();
        } else if (t.field === 2) {
          expectWire(t, WIRE_VARINT, `${type}.nanos`);
          nanos = r.int32();
        } else r.skip(t);
      }
      if (seconds === 0 && nanos === 0) return undefined;
      return formatTime(seconds, nanos, type === 'MicroTime', start);
    }
    case 'Quantity': {
      let value = '';
      while (!r.done()) {
        const t = r.tag();
        if (t.field === 1) {
          expectWire(t, WIRE_BYTES, 'Quantity.string');
          const s = r.lengthDelimited();
          value = decodeString(buf, s.start, s.end);
        } else r.skip(t);
      }
      return value === '' ? '0' : value;
    }
    case 'IntOrString': {
      let kind = 0;
      let intVal = 0;
      let strVal = '';
      while (!r.done()) {
        const t = r.tag();
        if (t.field === 1) {
          expectWire(t, WIRE_VARINT, 'IntOrString.type');
          kind = r.int64();
        } else if (t.field === 2) {
          expectWire(t, WIRE_VARINT, 'IntOrString.intVal');
          intVal = r.int32();
        } else if (t.field === 3) {
          expectWire(t, WIRE_BYTES, 'IntOrString.strVal');
          const s = r.lengthDelimited();
          strVal = decodeString(buf, s.start, s.end);
        } else r.skip(t);
      }
      return kind === 1 ? strVal : intVal;
    }
    case 'RawJSON': {
      let raw: { start: number; end: number } | undefined;
      while (!r.done()) {
        const t = r.tag();
        if (t.field === 1) {
          expectWire(t, WIRE_BYTES, 'raw JSON');
          raw = r.lengthDelimited();
        } else r.skip(t);
      }
      if (!raw || raw.end === raw.start) return {};
      try {
        return JSON.parse(decodeString(buf, raw.start, raw.end)) as unknown;
      } catch {
        throw new ProtobufDecodeError(`embedded JSON at byte ${raw.start} does not parse`);
      }
    }
  }
}

/** The value a map entry takes when its value field is absent from the wire. */
export function zeroValue(type: ScalarType | SpecialType | 'message'): unknown {
  switch (type) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
    case 'double':
    case 'IntOrString':
      return 0;
    case 'Quantity':
      return '0';
    case 'Time':
    case 'MicroTime':
      return null;
    case 'RawJSON':
    case 'message':
      return {};
  }
}

/** True for the values `omitempty` drops: "", 0, false. */
export function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}
