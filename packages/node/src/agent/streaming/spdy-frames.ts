// SPDY/3.1 frames: a parser that reassembles frames from a byte stream split anywhere, encoders for
// the frames a server sends, and the name/value header block with its zlib compression (one
// deflate and one inflate context per session, each block ended with a sync flush, the SPDY/3
// dictionary). Malformed input throws SpdyProtocolError.
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  STREAM_ALREADY_CLOSED: 9,
} as const;
export const GoAwayStatus = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

/** FIN on data frames, SYN_STREAM, SYN_REPLY and HEADERS. */
export const FLAG_FIN = 0x01;
/** SYN_STREAM: the opener will not receive data on the stream. */
export const FLAG_UNIDIRECTIONAL = 0x02;

/** The 24-bit length field's limit. */
export const MAX_FRAME_LENGTH = 0xffffff;
/** Control frames carry at most a header block; larger ones are refused. */
const MAX_CONTROL_LENGTH = 1 << 20;
/** A decompressed header block larger than this ends the session. */
export const MAX_HEADER_BLOCK = 256 * 1024;

export type Frame =
  | { readonly kind: 'data'; readonly streamId: number; readonly flags: number; readonly data: Buffer }
  | {
      readonly kind: 'control';
      readonly version: number;
      readonly type: number;
      readonly flags: number;
      readonly payload: Buffer;
    };

/** Header names (lower case) to their values (SPDY joins several with NUL). */
export type Headers = Record<string, string[]>;

/** The peer broke the protocol; the session ends with GOAWAY and this status. */
export class SpdyProtocolError extends Error {
  constructor(
    message: string,
    readonly status: number = GoAwayStatus.PROTOCOL_ERROR,
  ) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

/** Reassembles frames from chunks split at any byte. */
export class FrameParser {
  private chunks: Buffer[] = [];
  private length = 0;
  private head: { control: boolean; word: number; flags: number; length: number } | undefined;

  push(chunk: Buffer): Frame[] {
    if (chunk.length) {
      this.chunks.push(chunk);
      this.length += chunk.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (!this.head) {
        if (this.length < 8) break;
        const h = this.take(8);
        const word = h.readUInt32BE(0);
        const control = (word & 0x80000000) !== 0;
        const length = h.readUInt32BE(4) & 0xffffff;
        if (control && length > MAX_CONTROL_LENGTH)
          throw new SpdyProtocolError(`control frame of ${length} bytes is too large`);
        this.head = { control, word, flags: h[4]!, length };
      }
      if (this.length < this.head.length) break;
      const body = this.take(this.head.length);
      const { control, word, flags } = this.head;
      this.head = undefined;
      frames.push(
        control
          ? { kind: 'control', version: (word >>> 16) & 0x7fff, type: word & 0xffff, flags, payload: body }
          : { kind: 'data', streamId: word & 0x7fffffff, flags, data: body },
      );
    }
    return frames;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks, this.length);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.length -= n;
    return out;
  }
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_LENGTH) throw new RangeError(`control frame payload of ${payload.length} bytes`);
  const h = Buffer.alloc(8);
  h.writeUInt32BE((0x80000000 | (SPDY_VERSION << 16) | type) >>> 0, 0);
  h.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  if (data.length > MAX_FRAME_LENGTH) throw new RangeError(`data frame of ${data.length} bytes`);
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h.writeUInt32BE(((flags << 24) | data.length) >>> 0, 4);
  return Buffer.concat([h, data]);
}

function words(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** SYN_REPLY (or SYN_STREAM's answer) with an already compressed header block. */
export function synReplyFrame(streamId: number, flags: number, block: Buffer): Buffer {
  return controlFrame(FrameType.SYN_REPLY, flags, Buffer.concat([words(streamId & 0x7fffffff), block]));
}

/** SYN_STREAM with a compressed header block (what a client sends; used by tests). */
export function synStreamFrame(streamId: number, flags: number, block: Buffer): Buffer {
  return controlFrame(
    FrameType.SYN_STREAM,
    flags,
    Buffer.concat([words(streamId & 0x7fffffff, 0), Buffer.from([0, 0]), block]),
  );
}

export const rstStreamFrame = (streamId: number, status: number): Buffer =>
  controlFrame(FrameType.RST_STREAM, 0, words(streamId & 0x7fffffff, status));
export const pingFrame = (id: number): Buffer => controlFrame(FrameType.PING, 0, words(id));
export const goAwayFrame = (lastGoodStreamId: number, status: number): Buffer =>
  controlFrame(FrameType.GOAWAY, 0, words(lastGoodStreamId & 0x7fffffff, status));
export const windowUpdateFrame = (streamId: number, delta: number): Buffer =>
  controlFrame(FrameType.WINDOW_UPDATE, 0, words(streamId & 0x7fffffff, delta & 0x7fffffff));

/** The uncompressed name/value block: count, then length-prefixed names and NUL-joined values. */
export function encodeHeaderBlock(headers: Headers): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [words(entries.length)];
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(words(n.length), n, words(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): Headers {
  let at = 0;
  const u32 = (what: string): number => {
    if (at + 4 > block.length) throw new SpdyProtocolError(`header block truncated in ${what}`);
    const v = block.readUInt32BE(at);
    at += 4;
    return v;
  };
  const bytes = (n: number, what: string): string => {
    if (n > block.length - at) throw new SpdyProtocolError(`header block truncated in ${what}`);
    const s = block.toString('utf8', at, at + n);
    at += n;
    return s;
  };
  const count = u32('the count');
  if (count > (block.length - at) / 8)
    throw new SpdyProtocolError(`header block claims ${count} headers in ${block.length} bytes`);
  const headers: Headers = Object.create(null) as Headers;
  for (let i = 0; i < count; i++) {
    const name = bytes(u32('a name length'), 'a name').toLowerCase();
    if (!name) throw new SpdyProtocolError('empty header name');
    if (name in headers) throw new SpdyProtocolError(`duplicate header "${name}"`);
    headers[name] = bytes(u32('a value length'), `the value of "${name}"`).split('\0');
  }
  if (at !== block.length) throw new SpdyProtocolError(`${block.length - at} bytes after the header block`);
  return headers;
}

/** One zlib context fed block by block, each ended with Z_SYNC_FLUSH; calls run in order. */
class ZlibBlocks {
  private chain: Promise<unknown> = Promise.resolve();
  private out: Buffer[] = [];
  private outLength = 0;
  private failure: Error | undefined;

  constructor(
    private readonly z: zlib.Deflate | zlib.Inflate,
    private readonly limit: number,
  ) {
    // Output is pushed before the flush callback runs; past the limit it is dropped and the block refused.
    z.on('data', (d: Buffer) => {
      this.outLength += d.length;
      if (this.outLength <= limit) this.out.push(d);
    });
    z.on('error', (e: Error) => (this.failure ??= new SpdyProtocolError(`header block: ${e.message}`)));
  }

  run(input: Buffer): Promise<Buffer> {
    const result = this.chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (this.failure) return reject(this.failure);
          const onError = (): void => reject(this.failure);
          this.z.once('error', onError);
          this.z.write(input);
          this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            this.z.off('error', onError);
            const length = this.outLength;
            const out = Buffer.concat(this.out);
            this.out = [];
            this.outLength = 0;
            if (this.failure) reject(this.failure);
            else if (length > this.limit) reject(new SpdyProtocolError(`header block larger than ${this.limit} bytes`));
            else resolve(out);
          });
        }),
    );
    this.chain = result.catch(() => undefined);
    return result;
  }

  close(): void {
    this.z.close();
  }
}

/** Compresses header blocks for one direction of a session. */
export class HeaderCompressor {
  private readonly blocks = new ZlibBlocks(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }), MAX_FRAME_LENGTH);

  compress(headers: Headers): Promise<Buffer> {
    return this.blocks.run(encodeHeaderBlock(headers));
  }

  close(): void {
    this.blocks.close();
  }
}

/** Decompresses and parses the peer's header blocks. */
export class HeaderDecompressor {
  private readonly blocks = new ZlibBlocks(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }), MAX_HEADER_BLOCK);

  async decompress(block: Buffer): Promise<Headers> {
    return decodeHeaderBlock(await this.blocks.run(block));
  }

  close(): void {
    this.blocks.close();
  }
}
