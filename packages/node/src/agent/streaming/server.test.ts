// The streaming endpoints over a real HTTP server and `ws` client, with a fake runtime: exec
// channels and exit Status, v5 stdin close, resize, refusals before the upgrade, and
// port-forward to a loopback TCP server.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ExecExit, ExecStream } from '../../runtime/exec-stream.js';
import type { ContainerStatus, PodSandbox } from '../../runtime/types.js';
import { exitStatus, parseResize } from './protocol.js';
import { StreamingServer, type StreamingRuntime } from './server.js';

const sandbox = {
  id: 'sb1',
  config: { uid: 'u1', name: 'p', namespace: 'ns' },
  state: 'ready',
  ip: '127.0.0.1',
  createdAt: '2026-01-01T00:00:00Z',
} as unknown as PodSandbox;
const container = {
  id: 'c1',
  name: 'c',
  attempt: 0,
  state: 'running',
  logPath: '/nonexistent',
} as unknown as ContainerStatus;

/** A fake command: echoes stdin to stdout upper-cased, records resizes, exits 4 once stdin ends. */
function fakeExec(resizes: string[]): ExecStream {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdin.on('data', (d: Buffer) => stdout.write(d.toString().toUpperCase()));
  const done = new Promise<ExecExit>((resolve) =>
    stdin.on('end', () => {
      stderr.end('bye\n');
      stdout.end();
      resolve({ exitCode: 4 });
    }),
  );
  return { stdin, stdout, stderr, done, resize: (w, h) => resizes.push(`${w}x${h}`), kill: () => stdin.end() };
}

describe('StreamingServer', () => {
  let server: http.Server;
  let streams: StreamingServer;
  let base: string;
  const resizes: string[] = [];

  beforeAll(async () => {
    const runtime: StreamingRuntime = {
      listPodSandboxes: async () => [sandbox],
      listContainers: async () => [container],
      containerStatus: async () => container,
      execStream: async () => fakeExec(resizes),
      openStdin: async () => Promise.reject(new Error('the fake runtime has no container stdin')),
    };
    streams = new StreamingServer({ runtime });
    server = http.createServer((_q, r) => r.end());
    server.on('upgrade', (req, socket, head) => streams.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    streams.closeAll();
    await new Promise<void>((r) => server.close(() => r()));
  });

  /** Opens a socket and collects its messages by channel until it closes. */
  function open(
    path: string,
    protocols: string[],
  ): { ws: WebSocket; closed: Promise<Map<number, string>>; opened: Promise<void> } {
    const ws = new WebSocket(`${base}${path}`, protocols);
    const got = new Map<number, string>();
    ws.on('message', (d: Buffer) => got.set(d[0]!, (got.get(d[0]!) ?? '') + d.subarray(1).toString('latin1')));
    return {
      ws,
      opened: new Promise((r, j) => (ws.on('open', () => r()), ws.on('error', j))),
      closed: new Promise((r) => ws.on('close', () => r(got))),
    };
  }

  it('exec: stdin, stdout, stderr, resize, v5 close and the exit Status', async () => {
    const s = open('/exec/ns/p/c?command=cat&stdin=true&stdout=true&stderr=true', [
      'v5.channel.k8s.io',
      'v4.channel.k8s.io',
    ]);
    await s.opened;
    expect(s.ws.protocol).toBe('v5.channel.k8s.io');
    s.ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}')]));
    s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello')]));
    s.ws.send(Buffer.from([255, 0]));
    const got = await s.closed;
    expect(got.get(1)).toBe('HELLO');
    expect(got.get(2)).toBe('bye\n');
    expect(JSON.parse(got.get(3) ?? '')).toEqual(exitStatus(4, ['cat']));
    expect(resizes).toEqual(['80x24']);
  });

  it('refuses an unknown pod with a JSON Status before the upgrade', async () => {
    const s = open('/exec/ns/other/c?command=ls&stdout=true', ['v5.channel.k8s.io']);
    const err = await s.opened.catch((e: Error) => e);
    expect(String(err)).toContain('Unexpected server response: 404');
  });

  /** A WebSocket handshake written by hand: ws refuses to send sub-protocol names with '/'. */
  function handshake(path: string, protocol: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${base.replace('ws:', 'http:')}${path}`, {
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Protocol': protocol,
        },
      });
      req
        .on('response', resolve)
        .on('upgrade', (res: http.IncomingMessage, socket: net.Socket) => (socket.destroy(), resolve(res)))
        .on('error', reject)
        .end();
    });
  }

  it('refuses sub-protocols it does not speak (kubectl exec over SPDY-in-WebSocket)', async () => {
    const res = await handshake('/exec/ns/p/c?command=ls&stdout=true', 'SPDY/3.1+remotecommand.k8s.io');
    let body = '';
    for await (const d of res) body += String(d);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(body)).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: expect.stringContaining('SPDY/3.1+remotecommand.k8s.io'),
    });
  });

  it('accepts kubectl port-forward (SPDY/3.1 in WebSocket) without ports in the query', async () => {
    const res = await handshake('/portforward/ns/p', 'SPDY/3.1+portforward.k8s.io');
    expect(res.statusCode).toBe(101);
    expect(res.headers['sec-websocket-protocol']).toBe('SPDY/3.1+portforward.k8s.io');
  });

  it('port-forward: port prefix on both channels, data both ways, closes with the connection', async () => {
    const tcp = net.createServer((c) => c.once('data', (d) => c.end(`echo:${d.toString()}`)));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    const port = (tcp.address() as AddressInfo).port;
    try {
      const s = open(`/portforward/ns/p?ports=${port}`, ['v4.channel.k8s.io']);
      await s.opened;
      s.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping')]));
      const got = await s.closed;
      const le = Buffer.alloc(2);
      le.writeUInt16LE(port);
      expect(got.get(0)).toBe(`${le.toString('latin1')}echo:ping`);
      expect(got.get(1)).toBe(le.toString('latin1'));
    } finally {
      tcp.close();
    }
  });
});

describe('parseResize', () => {
  it('matches keys case-insensitively (kubectl sends Width, client-node width)', () => {
    expect(parseResize(Buffer.from('{"Width":80,"Height":24}'))).toEqual({ width: 80, height: 24 });
    expect(parseResize(Buffer.from('{"height":33,"width":101}'))).toEqual({ width: 101, height: 33 });
    expect(parseResize(Buffer.from('nope'))).toBeUndefined();
  });
});
