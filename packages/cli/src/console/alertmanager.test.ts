import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerGateway } from './alertmanager.js';

// The body is read before anything is asked of the API server or Alertmanager: neither runs here.
const api = { host: '127.0.0.1', port: 9, ca: '' };

describe('alertmanagerGateway, a silence body', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => void alertmanagerGateway(api, async () => 'http://127.0.0.1:9', req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alertmanager/api/v2/silences`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = async (body: string): Promise<{ code: number; reason: string; message: string }> => {
    const r = await fetch(url, { method: 'POST', body, headers: { authorization: 'Bearer t' } });
    return (await r.json()) as { code: number; reason: string; message: string };
  };

  it('over 64 KiB is refused with 413, and one that is not JSON with 400, as Kubernetes Statuses', async () => {
    expect(await post(`{"comment":"${'x'.repeat(70_000)}"}`)).toMatchObject({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'a silence is at most 64 KiB',
    });
    expect(await post('{"comment":')).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'the body must be a JSON silence',
    });
  });
});
