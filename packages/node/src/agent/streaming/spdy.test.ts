// The SPDY/3.1 server session with a client built from the same frame codec: replies, data both
// ways, FIN and RST, PING, WINDOW_UPDATE, malformed input ending the session with GOAWAY; then
// kubectl's port-forward protocol over a real WebSocket to a TCP server on loopback, with the
// client's byte stream cut into messages at arbitrary places.
import { createHash, randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  FLAG_FIN,
  FrameParser,
  FrameType,
  GoAwayStatus,
  HeaderCompressor,
  HeaderDecompressor,
  RstStatus,
  controlFrame,
  dataFrame,
  goAwayFrame,
  pingFrame,
  rstStreamFrame,
  synStreamFrame,
  type Frame,
  type Headers,
} from './spdy-frames.js';
import { spdyPortForwardSession } from './spdy-portforward.js';
import { SpdySession, type SpdyStream } from './spdy.js';

async function until<T>(check: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The client half: writes frames through `out`, reads the server's frames from `in`. */
class Client {
  readonly frames: Frame[] = [];
  private readonly parser = new FrameParser();
  private readonly deflate = new HeaderCompressor();
  private readonly inflate = new HeaderDecompressor();

  constructor(private readonly out: (bytes: Buffer) => void) {}

  in(bytes: Buffer): void {
    this.frames.push(...this.parser.push(bytes));
  }

  async open(id: number, headers: Headers, flags = 0): Promise<void> {
    this.out(synStreamFrame(id, flags, await this.deflate.compress(headers)));
  }

  data(id: number, data: string | Buffer, fin = false): void {
    this.out(dataFrame(id, fin ? FLAG_FIN : 0, Buffer.from(data)));
  }

  /** Data received on a stream, and whether it ended with FIN. */
  received(id: number): { data: Buffer; fin: boolean } {
    const fs = this.frames.filter((f): f is Extract<Frame, { kind: 'data' }> => f.kind === 'data' && f.streamId === id);
    return { data: Buffer.concat(fs.map((f) => f.data)), fin: fs.some((f) => f.flags & FLAG_FIN) };
  }

  control(type: number): Buffer[] {
    return this.frames
      .filter((f): f is Extract<Frame, { kind: 'control' }> => f.kind === 'control' && f.type === type)
      .map((f) => f.payload);
  }

  async replyHeaders(): Promise<Headers[]> {
    const out: Headers[] = [];
    for (const p of this.control(FrameType.SYN_REPLY)) out.push(await this.inflate.decompress(p.subarray(4)));
    return out;
  }

  close(): void {
    this.deflate.close();
    this.inflate.close();
  }
}

describe('SpdySession', () => {
  function setup(): { client: Client; streams: SpdyStream[]; session: SpdySession; closed: () => boolean } {
    const streams: SpdyStream[] = [];
    let closed = false;
    const client = new Client((b) => session.receive(b));
    const session = new SpdySession({
      transport: { send: (f, done) => (client.in(f), done()), close: () => (closed = true) },
      onStream: (s) => streams.push(s),
    });
    return { client, streams, session, closed: () => closed };
  }

  it('answers a stream, moves data both ways, and closes it after FIN from both sides', async () => {
    const { client, streams } = setup();
    await client.open(1, { streamtype: ['data'], port: ['80'] });
    const s = await until(() => streams[0], 'the stream');
    expect(s.header('port')).toBe('80');
    let got = '';
    let ended = false;
    let closed = false;
    s.on('data', (d) => (got += d.toString()));
    s.on('end', () => (ended = true));
    s.on('close', () => (closed = true));
    s.reply();
    client.data(1, 'ping');
    client.data(1, '', true);
    await until(() => ended, 'FIN from the client');
    expect(got).toBe('ping');
    s.write(Buffer.from('pong'));
    s.end();
    expect(closed).toBe(true);
    await until(() => client.received(1).fin, 'FIN to the client');
    expect(client.received(1).data.toString()).toBe('pong');
    expect(await client.replyHeaders()).toEqual([{}]);
    client.close();
  });

  it("echoes the client's PINGs and acknowledges received data with WINDOW_UPDATE", async () => {
    const { client, streams } = setup();
    client.in(Buffer.alloc(0));
    await client.open(1, { streamtype: ['data'] });
    const s = await until(() => streams[0], 'the stream');
    s.reply();
    client.data(1, Buffer.alloc(40_000));
    client.data(1, Buffer.alloc(40_000));
    (s as unknown as { session: SpdySession }).session.receive(pingFrame(5));
    (s as unknown as { session: SpdySession }).session.receive(pingFrame(6));
    await until(() => client.control(FrameType.PING).length === 1, 'the PING answer');
    expect(client.control(FrameType.PING)[0]!.readUInt32BE(0)).toBe(5);
    const updates = client.control(FrameType.WINDOW_UPDATE).map((p) => [p.readUInt32BE(0), p.readUInt32BE(4)]);
    expect(updates).toEqual([
      [1, 40_000],
      [0, 40_000],
      [1, 40_000],
      [0, 40_000],
    ]);
    client.close();
  });

  it('a client RST_STREAM closes the stream; data for unknown streams gets RST_STREAM', async () => {
    const { client, streams, session } = setup();
    await client.open(1, { streamtype: ['data'] });
    const s = await until(() => streams[0], 'the stream');
    let closed = false;
    s.on('close', () => (closed = true));
    session.receive(rstStreamFrame(1, RstStatus.CANCEL));
    await until(() => closed, 'close after RST');
    client.data(1, 'late');
    client.data(9, 'never opened');
    await until(() => client.control(FrameType.RST_STREAM).length === 2, 'two resets');
    expect(client.control(FrameType.RST_STREAM).map((p) => [p.readUInt32BE(0), p.readUInt32BE(4)])).toEqual([
      [1, RstStatus.STREAM_ALREADY_CLOSED],
      [9, RstStatus.INVALID_STREAM],
    ]);
    client.close();
  });

  it('GOAWAY from the client with no open streams ends the session', async () => {
    const { client, session, closed } = setup();
    session.receive(goAwayFrame(0, GoAwayStatus.OK));
    await until(() => closed(), 'the transport closed');
    client.close();
  });

  const malformed: [string, (c: Client, s: SpdySession) => Promise<void> | void][] = [
    [
      'a control frame of another SPDY version',
      (_c, s) => s.receive(Buffer.from([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1])),
    ],
    ['a header block that is not zlib', (_c, s) => s.receive(synStreamFrame(1, 0, Buffer.from('garbage garbage')))],
    ['an even stream id from the client', (c) => c.open(2, {})],
    ['a stream id that does not increase', async (c) => (await c.open(3, {}), await c.open(1, {}))],
    ['a PING of the wrong length', (_c, s) => s.receive(controlFrame(FrameType.PING, 0, Buffer.alloc(3)))],
    [
      'a SYN_STREAM too short for its fields',
      (_c, s) => s.receive(controlFrame(FrameType.SYN_STREAM, 0, Buffer.alloc(5))),
    ],
    ['a control frame over 1 MiB', (_c, s) => s.receive(Buffer.from([0x80, 0x03, 0x00, 0x01, 0, 0xff, 0xff, 0xff]))],
  ];
  for (const [what, send] of malformed) {
    it(`ends the session with GOAWAY on ${what}`, async () => {
      const { client, session, streams, closed } = setup();
      await client.open(101, {});
      const open = await until(() => streams[0], 'the first stream');
      let streamClosed = false;
      open.on('close', () => (streamClosed = true));
      await send(client, session);
      await until(() => closed(), 'the transport closed');
      const goaway = client.control(FrameType.GOAWAY);
      expect(goaway).toHaveLength(1);
      expect(goaway[0]!.readUInt32BE(4)).toBe(GoAwayStatus.PROTOCOL_ERROR);
      expect(streamClosed).toBe(true);
      // Nothing more is read once the session has ended.
      session.receive(Buffer.from('trailing junk'));
      client.close();
    });
  }
});

describe('kubectl port-forward protocol over a WebSocket', () => {
  let wss: WebSocketServer;
  let tcp: net.Server;
  let url: string;
  let tcpPort: number;
  let closedPort: number;
  const big = randomBytes(1 << 20);

  beforeAll(async () => {
    // "big" sends 1 MiB; anything else is echoed back (over 1 KiB: its SHA-256) once the client has finished sending.
    tcp = net.createServer((c) => {
      const got: Buffer[] = [];
      c.on('data', (d: Buffer) => {
        got.push(d);
        if (Buffer.concat(got).toString() === 'big') c.end(big);
      });
      c.on('end', () => {
        const all = Buffer.concat(got);
        c.end(
          all.length > 1024 ? `sha256:${createHash('sha256').update(all).digest('hex')}` : `echo:${all.toString()}`,
        );
      });
      c.on('error', () => undefined);
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    tcpPort = (tcp.address() as AddressInfo).port;
    const spare = net.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', () => r()));
    closedPort = (spare.address() as AddressInfo).port;
    await new Promise<void>((r) => spare.close(() => r()));
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (ws) =>
      spdyPortForwardSession(ws, { ip: '127.0.0.1', pod: 'ns/p, uid u1', pairTimeoutMs: 300 }),
    );
    await new Promise<void>((r) => wss.once('listening', () => r()));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => tcp.close(() => r()));
  });

  /** A client whose frames are cut into WebSocket messages at pseudo-random places. */
  async function connect(): Promise<{ client: Client; ws: WebSocket; flush: () => void }> {
    const ws = new WebSocket(url);
    await new Promise<void>((r, j) => ws.once('open', () => r()).once('error', j));
    let pending = Buffer.alloc(0);
    let seed = 7;
    const flush = (): void => {
      while (pending.length) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const n = 1 + (seed % 23);
        ws.send(pending.subarray(0, n));
        pending = pending.subarray(n);
      }
    };
    const client = new Client((b) => (pending = Buffer.concat([pending, b])));
    ws.on('message', (d: Buffer) => client.in(d));
    return { client, ws, flush };
  }

  const pair = async (c: Client, first: number, port: number, request: string): Promise<void> => {
    await c.open(first, { streamtype: ['error'], port: [String(port)], requestid: [request] });
    c.data(first, '', true); // kubectl never writes on the error stream
    await c.open(first + 2, { streamtype: ['data'], port: [String(port)], requestid: [request] });
  };

  it('forwards two concurrent connections, each ending with FIN on both streams', async () => {
    const { client, ws, flush } = await connect();
    await pair(client, 1, tcpPort, '0');
    await pair(client, 5, tcpPort, '1');
    client.data(3, 'first', true);
    client.data(7, 'second', true);
    flush();
    await until(() => [1, 3, 5, 7].every((id) => client.received(id).fin), 'FIN on all four streams');
    expect(client.received(3).data.toString()).toBe('echo:first');
    expect(client.received(7).data.toString()).toBe('echo:second');
    expect(client.received(1).data.toString()).toBe('');
    expect(client.control(FrameType.SYN_REPLY)).toHaveLength(4);
    ws.close();
    client.close();
  });

  it('carries a 1 MiB answer byte for byte', async () => {
    const { client, ws, flush } = await connect();
    await pair(client, 1, tcpPort, '0');
    client.data(3, 'big');
    flush();
    await until(() => client.received(3).fin, 'the end of the download', 15_000);
    expect(client.received(3).data.equals(big)).toBe(true);
    ws.close();
    client.close();
  });

  it('carries a 1 MiB upload in 32 KiB data frames, as kubectl writes them', async () => {
    const { client, ws, flush } = await connect();
    await pair(client, 1, tcpPort, '0');
    for (let at = 0; at < big.length; at += 32 * 1024) client.data(3, big.subarray(at, at + 32 * 1024));
    client.data(3, '', true);
    flush();
    await until(() => client.received(3).fin, 'the answer to the upload', 15_000);
    expect(client.received(3).data.toString()).toBe(`sha256:${createHash('sha256').update(big).digest('hex')}`);
    expect(client.control(FrameType.WINDOW_UPDATE).length).toBeGreaterThan(0);
    ws.close();
    client.close();
  });

  it('writes a refused connection on the error stream', async () => {
    const { client, ws, flush } = await connect();
    await pair(client, 1, closedPort, '0');
    flush();
    await until(() => client.received(1).fin && client.received(3).fin, 'FIN on both streams');
    expect(client.received(1).data.toString()).toMatch(
      new RegExp(`^error forwarding port ${closedPort} to pod ns/p, uid u1: connect ECONNREFUSED`),
    );
    ws.close();
    client.close();
  });

  it('resets a stream without a valid port or type, and reports a data stream whose pair never comes', async () => {
    const { client, ws, flush } = await connect();
    await client.open(1, { streamtype: ['data'], port: ['http'], requestid: ['0'] });
    await client.open(3, { streamtype: ['bogus'], port: ['80'], requestid: ['1'] });
    await client.open(5, { streamtype: ['error'], port: ['80'], requestid: ['2'] });
    flush();
    await until(() => client.control(FrameType.RST_STREAM).length === 2, 'two resets');
    expect(client.control(FrameType.RST_STREAM).map((p) => p.readUInt32BE(0))).toEqual([1, 3]);
    await until(() => client.received(5).fin, 'the lone error stream ended');
    expect(client.received(5).data.toString()).toContain('timed out waiting for the data stream of request 2');
    ws.close();
    client.close();
  });

  it('answers a text message (not SPDY) with GOAWAY and closes', async () => {
    const { client, ws } = await connect();
    const closed = new Promise<void>((r) => ws.once('close', () => r()));
    ws.send('hello', { binary: false });
    await closed;
    expect(client.control(FrameType.GOAWAY).map((p) => p.readUInt32BE(4))).toEqual([GoAwayStatus.PROTOCOL_ERROR]);
    client.close();
  });
});
