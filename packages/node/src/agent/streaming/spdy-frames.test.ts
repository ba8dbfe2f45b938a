// SPDY/3.1 frame and header block codec: round trips, frames split at every byte, header blocks
// through one zlib context per direction, and malformed input.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';
import {
  type Frame,
  FLAG_FIN,
  FrameParser,
  FrameType,
  HeaderCompressor,
  HeaderDecompressor,
  SpdyProtocolError,
  controlFrame,
  dataFrame,
  decodeHeaderBlock,
  encodeHeaderBlock,
  goAwayFrame,
  pingFrame,
  rstStreamFrame,
  synReplyFrame,
  windowUpdateFrame,
  type Headers,
} from './spdy-frames.js';

describe('SPDY/3 dictionary', () => {
  it('is the draft-3 dictionary (length and Adler-32 that zlib puts in the stream header)', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    // A deflate stream with a preset dictionary names it by Adler-32 after the 2-byte header.
    const z = zlib.deflateSync(Buffer.from('x'), { dictionary: SPDY3_DICTIONARY });
    expect(z.readUInt32BE(2).toString(16)).toBe('e3c6a7c2');
  });
});

describe('header blocks', () => {
  it('round-trips names and NUL-joined values', () => {
    const h = { streamtype: ['data'], port: ['8080'], requestid: ['0'], multi: ['a', 'b'] };
    expect(decodeHeaderBlock(encodeHeaderBlock(h))).toEqual(h);
    expect(decodeHeaderBlock(encodeHeaderBlock({}))).toEqual({});
  });

  it('refuses truncated, oversized, duplicate and trailing input', () => {
    const good = encodeHeaderBlock({ a: ['1'] });
    expect(() => decodeHeaderBlock(good.subarray(0, good.length - 1))).toThrow(SpdyProtocolError);
    expect(() => decodeHeaderBlock(Buffer.concat([good, Buffer.from([0])]))).toThrow(/after the header block/);
    const huge = Buffer.from(good);
    huge.writeUInt32BE(0xffffffff, 0);
    expect(() => decodeHeaderBlock(huge)).toThrow(/claims/);
    const dup = Buffer.concat([
      Buffer.from([0, 0, 0, 2]),
      encodeHeaderBlock({ a: ['1'] }).subarray(4),
      encodeHeaderBlock({ a: ['2'] }).subarray(4),
    ]);
    expect(() => decodeHeaderBlock(dup)).toThrow(/duplicate header "a"/);
    expect(() => decodeHeaderBlock(Buffer.alloc(2))).toThrow(/truncated/);
  });

  it('compresses block after block in one context, each readable as it comes', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    const blocks: Headers[] = [
      { streamtype: ['error'], port: ['80'], requestid: ['0'] },
      { streamtype: ['data'], port: ['80'], requestid: ['0'] },
      {},
    ];
    const compressed = await Promise.all(blocks.map((b) => c.compress(b)));
    // The first block starts a zlib stream with a preset dictionary; each ends with a sync flush.
    expect(compressed[0]![1]! & 0x20).toBe(0x20);
    for (const b of compressed) expect(b.subarray(-4)).toEqual(Buffer.from([0, 0, 0xff, 0xff]));
    for (let i = 0; i < blocks.length; i++) expect(await d.decompress(compressed[i]!)).toEqual(blocks[i]);
    c.close();
    d.close();
  });

  it('rejects a block that is not zlib data', async () => {
    const d = new HeaderDecompressor();
    await expect(d.decompress(Buffer.from('definitely not zlib'))).rejects.toThrow(SpdyProtocolError);
    d.close();
  });
});

describe('FrameParser', () => {
  const frames = [
    dataFrame(1, 0, Buffer.from('hello')),
    synReplyFrame(3, 0, Buffer.from([1, 2, 3])),
    dataFrame(3, FLAG_FIN, Buffer.alloc(0)),
    rstStreamFrame(5, 5),
    pingFrame(7),
    goAwayFrame(9, 0),
    windowUpdateFrame(0, 65536),
    dataFrame(11, 0, Buffer.alloc(70_000, 7)),
  ];
  const stream = Buffer.concat(frames);

  /** Frames compared cheaply: the body as a digest. */
  const sig = (fs: Frame[]): string[] =>
    fs.map(
      (f) =>
        `${f.kind} ${f.kind === 'data' ? f.streamId : f.type} ${f.flags} ${createHash('sha1')
          .update(f.kind === 'data' ? f.data : f.payload)
          .digest('hex')}`,
    );

  it('reads frames split at every byte position, and byte by byte', () => {
    const whole = new FrameParser().push(stream);
    expect(whole).toHaveLength(frames.length);
    expect(whole[0]).toEqual({ kind: 'data', streamId: 1, flags: 0, data: Buffer.from('hello') });
    expect(whole[1]).toMatchObject({ kind: 'control', version: 3, type: FrameType.SYN_REPLY, flags: 0 });
    expect(whole[2]).toMatchObject({ kind: 'data', streamId: 3, flags: FLAG_FIN });
    expect(whole[7]).toMatchObject({ kind: 'data', streamId: 11, data: Buffer.alloc(70_000, 7) });
    const expected = sig(whole);
    for (let cut = 1; cut < 140; cut++) {
      const p = new FrameParser();
      expect(sig([...p.push(stream.subarray(0, cut)), ...p.push(stream.subarray(cut))])).toEqual(expected);
    }
    const p = new FrameParser();
    const got: Frame[] = [];
    for (let i = 0; i < stream.length; i += 997) got.push(...p.push(stream.subarray(i, i + 997)));
    expect(sig(got)).toEqual(expected);
    const q = new FrameParser();
    const one: Frame[] = [];
    for (const b of Buffer.concat(frames.slice(0, 7))) one.push(...q.push(Buffer.from([b])));
    expect(sig(one)).toEqual(expected.slice(0, 7));
  });

  it('refuses a control frame over 1 MiB before buffering it', () => {
    const head = controlFrame(FrameType.SETTINGS, 0, Buffer.alloc(0));
    head.writeUInt32BE(0x00ffffff, 4);
    expect(() => new FrameParser().push(head)).toThrow(/too large/);
  });
});
