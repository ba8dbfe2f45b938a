// pods/exec upgrades on an in-process API server, relayed to a stand-in agent on loopback: the
// refusals (401, 400 without a node, 503 without an agent, SPDY) and the relay itself, which must
// pass the handshake through and drop the caller's credentials.
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiServer } from '../server.js';

describe('pods/exec upgrades', () => {
  let server: ApiServer;
  let port: number;
  let agent: Server;
  let seen: IncomingMessage | undefined;
  let agentClosed: Promise<void> = Promise.resolve();

  /** Sends an upgrade request; resolves with the status and body (after a 101: what the upgraded socket carried). */
  const upgrade = (
    path: string,
    opts: { token?: string; protocol?: string } = {},
  ): Promise<{ code: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path,
        ca: server.pki.caCert,
        headers: {
          Connection: 'Upgrade',
          Upgrade: opts.protocol ?? 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
          ...(opts.token === '' ? {} : { Authorization: `Bearer ${opts.token ?? server.adminToken}` }),
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', (res, socket, head: Buffer) => {
        // What followed the 101 may come with it (head) or just after.
        let body = head.toString();
        socket.on('data', (d: Buffer) => (body += d.toString()));
        socket.on('close', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  const put = async (path: string, body: unknown, method = 'POST'): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          ca: server.pki.caCert,
          headers: {
            'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
            authorization: `Bearer ${server.adminToken}`,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            (res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`${method} ${path}: ${res.statusCode}`)),
          );
        },
      );
      req.end(JSON.stringify(body));
    });
  };

  beforeAll(async () => {
    server = await ApiServer.create({ dataDir: mkdtempSync(join(tmpdir(), 'wharf-streams-')), port: 0 });
    port = await server.start();
    // A stand-in agent: accepts the upgrade and writes one message.
    agent = createServer();
    agent.on('upgrade', (req: IncomingMessage, socket) => {
      seen = req;
      agentClosed = new Promise((r) => socket.once('close', () => r()));
      if (req.url?.includes('command=late')) {
        // The handshake first; the output and the hang-up once the client has started writing.
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
        socket.once('data', () => socket.end('from-agent'));
        return;
      }
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nfrom-agent');
    });
    await new Promise<void>((r) => agent.listen(0, '127.0.0.1', () => r()));
    await put('/api/v1/namespaces/default/pods', {
      metadata: { name: 'floating' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    await put('/api/v1/namespaces/default/pods', {
      metadata: { name: 'placed' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
    });
    await put('/api/v1/nodes', { metadata: { name: 'n1' } });
  });

  afterAll(async () => {
    await server.stop();
    await new Promise<void>((r) => agent.close(() => r()));
  });

  it('401 without a token', async () => {
    expect(
      (await upgrade('/api/v1/namespaces/default/pods/placed/exec?command=ls&stdout=true', { token: '' })).code,
    ).toBe(401);
  });

  it('400 when the pod has no node, also for SPDY', async () => {
    for (const protocol of ['websocket', 'SPDY/3.1']) {
      const r = await upgrade('/api/v1/namespaces/default/pods/floating/exec?command=ls&stdout=true', { protocol });
      expect(r.code).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({
        reason: 'BadRequest',
        message: 'pod floating does not have a host assigned',
      });
    }
  });

  it('503 while no agent serves the node; relayed once it does, without the caller token', async () => {
    const path = '/api/v1/namespaces/default/pods/placed/exec?command=echo&command=hi&stdout=true';
    expect((await upgrade(path)).code).toBe(503);
    await put(
      '/api/v1/nodes/n1/status',
      { status: { daemonEndpoints: { kubeletEndpoint: { Port: (agent.address() as AddressInfo).port } } } },
      'PATCH',
    );
    const r = await upgrade(path);
    expect(r).toEqual({ code: 101, body: 'from-agent' });
    expect(seen?.url).toBe('/exec/default/placed/c?command=echo&command=hi&stdout=true');
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers['sec-websocket-protocol']).toBe('v5.channel.k8s.io');
  });

  it("the agent's last bytes reach a slow client that is still writing when the agent hangs up", async () => {
    // kubectl under load: it has not read the output and exit status yet, and its own close frame is on the way.
    // A reset from the relay would discard what it has not read, and kubectl would report success with no output.
    const r = await new Promise<{ body: string; error?: string }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path: '/api/v1/namespaces/default/pods/placed/exec?command=late&stdout=true',
        ca: server.pki.caCert,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          Authorization: `Bearer ${server.adminToken}`,
        },
      });
      req.on('upgrade', (_res, socket, head: Buffer) => {
        let body = head.toString();
        socket.pause();
        socket.write(Buffer.alloc(8 << 20));
        void agentClosed.then(() => {
          socket.on('data', (d: Buffer) => (body += d.toString()));
          socket.on('error', (e) => resolve({ body, error: e.message }));
          socket.on('close', () => resolve({ body }));
          socket.resume();
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(r).toEqual({ body: 'from-agent' });
  });

  it('SPDY on a placed pod is refused with the kubectl version that works', async () => {
    const r = await upgrade('/api/v1/namespaces/default/pods/placed/exec?command=ls&stdout=true', {
      protocol: 'SPDY/3.1',
    });
    expect(r.code).toBe(400);
    expect(JSON.parse(r.body).message).toContain('WebSocket only (kubectl 1.30 or later');
  });

  it('a plain request (no upgrade) is a 400 Upgrade request required', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/v1/namespaces/default/pods/placed/exec?command=ls',
          ca: server.pki.caCert,
          headers: { authorization: `Bearer ${server.adminToken}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject).end();
    });
    expect(r).toBe(400);
  });
});
