// A bounded reader for the protobuf wire format: varints, length-delimited slices and skipping of
// unknown fields. Every read is checked against the end of the current message, so truncated or
// hostile input fails with a ProtobufDecodeError naming the byte offset instead of reading past it.
import { ProtobufDecodeError } from './errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** Nesting deeper than this (messages or groups) is rejected rather than recursed into. */
export const MAX_DEPTH = 100;

const TWO_32 = 2 ** 32;

export interface Tag {
  readonly field: number;
  readonly wire: number;
  /** Offset of the tag's first byte in the whole buffer. */
  readonly at: number;
}

export class WireReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint as a bigint (up to 64 bits; extra high bits are dropped, as Go does). */
  varintBig(): bigint {
    const at = this.pos;
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError(`truncated varint at byte ${at}`);
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new ProtobufDecodeError(`varint longer than 10 bytes at byte ${at}`);
  }

  /** An unsigned varint that must fit in 32 bits (tags, lengths). */
  uint32(what: string): number {
    const at = this.pos;
    let result = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw new ProtobufDecodeError(`truncated varint at byte ${at}`);
      const b = this.buf[this.pos++] as number;
      result += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        if (result >= TWO_32) break;
        return result;
      }
    }
    throw new ProtobufDecodeError(`${what} does not fit in 32 bits at byte ${at}`);
  }

  /** A varint read as int64 (two's complement), returned as a JS number (exact up to 2^53). */
  int64(): number {
    const b = this.buf[this.pos];
    if (b !== undefined && b < 0x80 && this.pos < this.end) {
      this.pos++;
      return b;
    }
    return Number(BigInt.asIntN(64, this.varintBig()));
  }

  /** A varint read as int32: Go keeps the low 32 bits of the 64-bit value. */
  int32(): number {
    const b = this.buf[this.pos];
    if (b !== undefined && b < 0x80 && this.pos < this.end) {
      this.pos++;
      return b;
    }
    return Number(BigInt.asIntN(32, this.varintBig()));
  }

  bool(): boolean {
    return this.varintBig() !== 0n;
  }

  tag(): Tag {
    const at = this.pos;
    const key = this.uint32('field tag');
    const field = Math.floor(key / 8);
    if (field === 0) throw new ProtobufDecodeError(`field number 0 at byte ${at}`);
    return { field, wire: key % 8, at };
  }

  /** Reads a length prefix and returns the [start, end) of the payload, advancing past it. */
  lengthDelimited(): { start: number; end: number } {
    const at = this.pos;
    const len = this.uint32('length');
    const remaining = this.end - this.pos;
    if (len > remaining) {
      throw new ProtobufDecodeError(`length ${len} at byte ${at} exceeds the ${remaining} bytes left in the message`);
    }
    const start = this.pos;
    this.pos += len;
    return { start, end: this.pos };
  }

  fixed(n: 4 | 8): number {
    if (this.end - this.pos < n) throw new ProtobufDecodeError(`truncated fixed${n * 8} value at byte ${this.pos}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  double(): number {
    const at = this.fixed(8);
    return new DataView(this.buf.buffer, this.buf.byteOffset + at, 8).getFloat64(0, true);
  }

  /** Skips the value of a field we have no schema for, by its wire type. */
  skip(tag: Tag, depth = 0): void {
    switch (tag.wire) {
      case WIRE_VARINT:
        this.varintBig();
        return;
      case WIRE_FIXED64:
        this.fixed(8);
        return;
      case WIRE_BYTES:
        this.lengthDelimited();
        return;
      case WIRE_FIXED32:
        this.fixed(4);
        return;
      case WIRE_START_GROUP:
        this.skipGroup(tag, depth + 1);
        return;
      default:
        throw new ProtobufDecodeError(`bad wire type ${tag.wire} for field ${tag.field} at byte ${tag.at}`);
    }
  }

  private skipGroup(start: Tag, depth: number): void {
    if (depth > MAX_DEPTH) throw new ProtobufDecodeError(`groups nested deeper than ${MAX_DEPTH} at byte ${start.at}`);
    for (;;) {
      if (this.done()) throw new ProtobufDecodeError(`unterminated group for field ${start.field} at byte ${start.at}`);
      const t = this.tag();
      if (t.wire === WIRE_END_GROUP) {
        if (t.field !== start.field) {
          throw new ProtobufDecodeError(`end of group ${t.field} at byte ${t.at} does not match group ${start.field}`);
        }
        return;
      }
      this.skip(t, depth);
    }
  }
}
