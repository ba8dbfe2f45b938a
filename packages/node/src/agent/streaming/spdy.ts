// A SPDY/3.1 server session over a byte stream, as much as kubectl needs: kubectl 1.31+ runs SPDY
// (moby/spdystream) inside a WebSocket for port-forward. The client opens streams (SYN_STREAM);
// the server answers (SYN_REPLY), moves data both ways, half-closes with FIN, resets with
// RST_STREAM, echoes PINGs and ends with GOAWAY. Malformed input ends the session with GOAWAY.
//
// Flow control: received data is acknowledged with WINDOW_UPDATE (stream and session) so a strict
// SPDY/3.1 peer keeps sending; windows the peer grants are not waited for, because spdystream
// never sends WINDOW_UPDATE (nor does the kubelet's spdystream server wait for them). Sending is
// throttled by what the transport has not written yet (`write` returns false, then 'drain').
import { silentLogger, type Logger } from '@wharf/client';
import { EventEmitter } from 'node:events';
import {
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  FrameParser,
  FrameType,
  GoAwayStatus,
  HeaderCompressor,
  HeaderDecompressor,
  MAX_FRAME_LENGTH,
  RstStatus,
  SPDY_VERSION,
  SpdyProtocolError,
  dataFrame,
  goAwayFrame,
  pingFrame,
  rstStreamFrame,
  synReplyFrame,
  windowUpdateFrame,
  type Frame,
  type Headers,
} from './spdy-frames.js';

/** Unwritten bytes above which `write` asks the caller to wait for 'drain'. */
const HIGH_WATER = 1 << 20;
/** Received bytes acknowledged with one WINDOW_UPDATE (half the 64 KiB initial window). */
const WINDOW_ACK = 32 * 1024;

export interface SpdyTransport {
  /** Sends one whole frame (spdystream reads a header block in one read); `done` once written. */
  send(frame: Buffer, done: () => void): void;
  /** Ends the connection. */
  close(): void;
}

export interface SpdySessionOptions {
  readonly transport: SpdyTransport;
  /** A client opened a stream: answer with `reply()` or `reset()`. */
  readonly onStream: (stream: SpdyStream) => void;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** @default 1000 */
  readonly maxStreams?: number;
}

type StreamEvents = { data: [Buffer]; end: []; drain: []; close: [] };

/** One client-opened stream. 'end': the client sent FIN; 'close': both sides are done or it was reset. */
export class SpdyStream extends EventEmitter<StreamEvents> {
  private replied = false;
  private localEnded: boolean;
  private remoteEnded: boolean;
  private closed = false;
  /** Received bytes not yet acknowledged with WINDOW_UPDATE. */
  unacked = 0;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: Headers,
    flags: number,
  ) {
    super();
    this.remoteEnded = (flags & FLAG_FIN) !== 0;
    this.localEnded = (flags & FLAG_UNIDIRECTIONAL) !== 0;
  }

  /** The first value of a header, if present. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  get isClosed(): boolean {
    return this.closed;
  }

  reply(): void {
    if (this.replied || this.closed) return;
    this.replied = true;
    this.session.sendReply(this.id);
  }

  /** Sends data; false when the caller should wait for 'drain'. */
  write(data: Buffer): boolean {
    if (this.closed || this.localEnded) return false;
    this.reply();
    for (let at = 0; at < data.length; at += MAX_FRAME_LENGTH)
      this.session.sendData(this.id, 0, data.subarray(at, at + MAX_FRAME_LENGTH));
    return this.session.writable();
  }

  /** Half-closes: sends FIN. */
  end(): void {
    if (this.closed || this.localEnded) return;
    this.reply();
    this.localEnded = true;
    this.session.sendData(this.id, FLAG_FIN, Buffer.alloc(0));
    if (this.remoteEnded) this.finish();
  }

  /** Aborts the stream with RST_STREAM. */
  reset(status: number = RstStatus.CANCEL): void {
    if (this.closed) return;
    this.session.sendRst(this.id, status);
    this.finish();
  }

  /** @internal data from the client */
  receive(data: Buffer, fin: boolean): void {
    if (data.length) this.emit('data', data);
    if (fin) this.remoteEnd();
  }

  /** @internal the client sent FIN */
  remoteEnd(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    this.emit('end');
    if (this.localEnded) this.finish();
  }

  get remoteDone(): boolean {
    return this.remoteEnded;
  }

  /** @internal closed by a reset from either side or the session's end */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.forget(this.id);
    this.emit('close');
  }
}

export class SpdySession {
  private readonly parser = new FrameParser();
  private readonly inflate = new HeaderDecompressor();
  private readonly deflate = new HeaderCompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly queue: Frame[] = [];
  private readonly logger: Logger;
  private draining = false;
  private ended = false;
  private goneAway = false;
  private lastRemoteId = 0;
  private unsent = 0;
  private sessionUnacked = 0;
  /** Set while a frame that needs compression is being built; later frames wait for it. */
  private tail: Promise<void> | undefined;

  constructor(private readonly o: SpdySessionOptions) {
    this.logger = o.logger ?? silentLogger;
  }

  /** Bytes from the transport, split anywhere. */
  receive(chunk: Buffer): void {
    if (this.ended) return;
    try {
      for (const f of this.parser.push(chunk)) this.queue.push(f);
    } catch (e) {
      this.fail(e);
      return;
    }
    void this.drain();
  }

  /** The transport closed: every stream closes. */
  transportClosed(): void {
    this.shutdown();
  }

  /** Ends the session with GOAWAY and closes the transport. */
  close(status: number = GoAwayStatus.OK): void {
    if (this.ended) return;
    this.o.transport.send(goAwayFrame(this.lastRemoteId, status), () => undefined);
    this.o.transport.close();
    this.shutdown();
  }

  /** @internal whether streams may keep writing */
  writable(): boolean {
    return this.unsent < HIGH_WATER;
  }

  /** @internal */
  sendReply(id: number): void {
    this.send(async () => synReplyFrame(id, 0, await this.deflate.compress({})));
  }

  /** @internal */
  sendData(id: number, flags: number, data: Buffer): void {
    this.send(() => dataFrame(id, flags, data));
  }

  /** @internal */
  sendRst(id: number, status: number): void {
    this.send(() => rstStreamFrame(id, status));
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
    if (this.goneAway && this.streams.size === 0) this.close();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.ended && this.queue.length) await this.handle(this.queue.shift()!);
    } catch (e) {
      this.fail(e);
    } finally {
      this.draining = false;
    }
  }

  private async handle(f: Frame): Promise<void> {
    if (f.kind === 'data') return this.onData(f.streamId, f.flags, f.data);
    if (f.version !== SPDY_VERSION)
      throw new SpdyProtocolError(`SPDY version ${f.version} is not supported (only ${SPDY_VERSION})`);
    const p = f.payload;
    const need = (n: number, exact = true): void => {
      if (exact ? p.length !== n : p.length < n)
        throw new SpdyProtocolError(
          `control frame ${f.type} has ${p.length} bytes, expected ${exact ? '' : 'at least '}${n}`,
        );
    };
    const id = (): number => p.readUInt32BE(0) & 0x7fffffff;
    switch (f.type) {
      case FrameType.SYN_STREAM: {
        need(10, false);
        // Decompressed even when refused: the zlib context must see every block.
        const headers = await this.inflate.decompress(p.subarray(10));
        return this.onSynStream(id(), f.flags, headers);
      }
      case FrameType.SYN_REPLY:
      case FrameType.HEADERS: {
        need(4, false);
        await this.inflate.decompress(p.subarray(4));
        const s = this.streams.get(id());
        // This server opens no streams, so a SYN_REPLY never answers one of ours.
        if (!s || f.type === FrameType.SYN_REPLY) return this.sendRst(id(), RstStatus.INVALID_STREAM);
        if (f.flags & FLAG_FIN) s.remoteEnd();
        return;
      }
      case FrameType.RST_STREAM:
        need(8);
        this.streams.get(id())?.finish();
        return;
      case FrameType.SETTINGS:
        need(4, false);
        if (p.length !== 4 + 8 * p.readUInt32BE(0))
          throw new SpdyProtocolError('SETTINGS length does not match its entry count');
        return; // no setting changes what this server does
      case FrameType.PING:
        need(4);
        // Odd ids are the client's own pings; even ones would answer ours (none are sent).
        if (p.readUInt32BE(0) % 2 === 1) this.send(() => pingFrame(p.readUInt32BE(0)));
        return;
      case FrameType.GOAWAY:
        need(8);
        this.goneAway = true;
        if (this.streams.size === 0) this.close();
        return;
      case FrameType.WINDOW_UPDATE:
        need(8);
        return; // see the module comment
      default:
        return; // unknown control frames are ignored (SPDY/3 2.2.1)
    }
  }

  private onSynStream(id: number, flags: number, headers: Headers): void {
    if (id === 0 || id % 2 === 0 || id <= this.lastRemoteId)
      throw new SpdyProtocolError(`client stream id ${id} is not odd and increasing (last ${this.lastRemoteId})`);
    this.lastRemoteId = id;
    if (this.goneAway || this.streams.size >= (this.o.maxStreams ?? 1000))
      return this.sendRst(id, RstStatus.REFUSED_STREAM);
    const s = new SpdyStream(this, id, headers, flags);
    this.streams.set(id, s);
    this.o.onStream(s);
  }

  private onData(id: number, flags: number, data: Buffer): void {
    const s = this.streams.get(id);
    if (!s)
      return this.sendRst(id, id <= this.lastRemoteId ? RstStatus.STREAM_ALREADY_CLOSED : RstStatus.INVALID_STREAM);
    if (s.remoteDone) return s.reset(RstStatus.STREAM_ALREADY_CLOSED);
    this.ack(s, data.length);
    s.receive(data, (flags & FLAG_FIN) !== 0);
  }

  private ack(s: SpdyStream, n: number): void {
    s.unacked += n;
    this.sessionUnacked += n;
    if (s.unacked >= WINDOW_ACK && !s.remoteDone) {
      const delta = s.unacked;
      this.send(() => windowUpdateFrame(s.id, delta));
      s.unacked = 0;
    }
    if (this.sessionUnacked >= WINDOW_ACK) {
      const delta = this.sessionUnacked;
      this.send(() => windowUpdateFrame(0, delta));
      this.sessionUnacked = 0;
    }
  }

  /** Queues a frame behind any that is still being compressed, so frames leave in order. */
  private send(build: () => Buffer | Promise<Buffer>): void {
    if (this.ended) return;
    if (!this.tail) {
      const frame = build();
      if (Buffer.isBuffer(frame)) return this.transmit(frame);
      this.tail = frame.then((b) => this.transmit(b));
    } else {
      this.tail = this.tail.then(async () => this.transmit(await build()));
    }
    const mine = this.tail;
    mine.then(
      () => {
        if (this.tail === mine) this.tail = undefined;
      },
      (e: unknown) => this.fail(e),
    );
  }

  private transmit(frame: Buffer): void {
    if (this.ended) return;
    this.unsent += frame.length;
    this.o.transport.send(frame, () => {
      const wasFull = !this.writable();
      this.unsent -= frame.length;
      if (wasFull && this.writable()) for (const s of this.streams.values()) s.emit('drain');
    });
  }

  private fail(e: unknown): void {
    if (this.ended) return;
    const status = e instanceof SpdyProtocolError ? e.status : GoAwayStatus.INTERNAL_ERROR;
    // A client speaking bad SPDY is its problem (debug); anything else is ours (warn).
    if (e instanceof SpdyProtocolError) this.logger.debug({ reason: e.message }, 'SPDY session ended');
    else this.logger.warn({ err: e }, 'SPDY session ended');
    this.close(status);
  }

  private shutdown(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    for (const s of [...this.streams.values()]) s.finish();
    this.inflate.close();
    this.deflate.close();
  }
}
