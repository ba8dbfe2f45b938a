// Sending over real loopback sockets: failures name what went wrong, never the URL (its token).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './transport.js';

describe('transport', () => {
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.startsWith('/slow')) return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const req = (url: string) => ({
    kind: 'http' as const,
    url,
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });

  it('reads a vendor answer', async () => {
    expect(await send('dingtalk', req(`${base}/robot/send?access_token=secret-token`))).toEqual({
      success: true,
      httpStatus: 200,
      code: '0',
      message: 'ok',
    });
  });

  it('reports a refused connection, a timeout and a malformed URL without quoting the URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await send('wecom', req(`http://127.0.0.1:${port}/send?key=secret-token`));
    expect(refused).toMatchObject({ success: false, message: 'request failed: ECONNREFUSED' });
    const slow = await send('webhook', req(`${base}/slow?token=secret-token`), { timeoutMs: 300 });
    expect(slow).toEqual({ success: false, message: 'no answer in time' });
    const bad = await send('slack', req('hooks.slack.com/services/secret-token'));
    expect(bad).toEqual({ success: false, code: 'ConfigError', message: 'the channel URL is not a valid URL' });
    for (const o of [refused, slow, bad]) expect(JSON.stringify(o)).not.toContain('secret-token');
  });
});
