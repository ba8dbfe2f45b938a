// The agent's endpoint (logs, metrics, exec/attach/port-forward upgrades) answers only the API
// server's token when one is set: anyone else on loopback gets 401, for requests and upgrades.
import { request } from 'node:http';
import net from 'node:net';
import { silentLogger } from '@wharf/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogServer } from './logs.js';

const TOKEN = 'agent-test-token';

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends a WebSocket upgrade by hand and answers the status line the agent wrote. */
function upgrade(port: number, headers: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(
        [
          `GET /exec/ns/pod/c?command=true&stdout=1 HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Connection: Upgrade',
          'Upgrade: websocket',
          'Sec-WebSocket-Version: 13',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Protocol: v5.channel.k8s.io',
          ...headers,
          '',
          '',
        ].join('\r\n'),
      );
    });
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    s.on('error', reject);
  });
}

describe('LogServer with an API server token', () => {
  let server: LogServer;
  let port: number;
  const upgrades: string[] = [];

  beforeAll(async () => {
    const handler = {
      handleUpgrade: (_req: unknown, socket: net.Socket) => {
        upgrades.push('reached');
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      },
      closeAll: () => undefined,
    };
    server = new LogServer(
      async () => 'no such pod',
      silentLogger,
      handler as never,
      {
        page: async (p: string) =>
          p === '/metrics/resource' ? { contentType: 'text/plain', body: 'm 1\n' } : undefined,
      },
      TOKEN,
    );
    port = await server.start(0);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses requests without the token or with another one', async () => {
    expect((await get(port, '/metrics/resource')).status).toBe(401);
    expect((await get(port, '/containerLogs/ns/pod/c', { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(port, '/containerLogs/ns/pod/c', { Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
  });

  it('serves the API server', async () => {
    expect(await get(port, '/metrics/resource', { Authorization: `Bearer ${TOKEN}` })).toEqual({
      status: 200,
      body: 'm 1\n',
    });
    expect(await get(port, '/containerLogs/ns/pod/c', { Authorization: `Bearer ${TOKEN}` })).toMatchObject({
      status: 404,
      body: 'no such pod\n',
    });
  });

  it('refuses stream upgrades without the token before they reach the stream server', async () => {
    expect(await upgrade(port, [])).toBe('HTTP/1.1 401 Unauthorized');
    expect(upgrades).toEqual([]);
    expect(await upgrade(port, [`Authorization: Bearer ${TOKEN}`])).toBe('HTTP/1.1 404 Not Found');
    expect(upgrades).toEqual(['reached']);
  });
});
