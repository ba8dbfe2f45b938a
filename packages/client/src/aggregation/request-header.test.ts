import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { clientCertificate, servingCertificate } from '@wharf/testing';
import { RequestHeaderAuth, requestHeaderConfig, type RemoteUser } from './request-header.js';

// Real TLS servers on loopback check real client certificates, as an aggregated API server does.
const serving = servingCertificate(['backend.test.svc']);
const proxy = clientCertificate('front-proxy-client');
const stranger = clientCertificate('front-proxy-client'); // the same name, signed by another CA
const config = requestHeaderConfig({
  'requestheader-client-ca-file': proxy.ca,
  'requestheader-allowed-names': '["front-proxy-client"]',
  'requestheader-username-headers': '["X-Remote-User"]',
  'requestheader-group-headers': '["X-Remote-Group"]',
});
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

/** A backend checking callers with `auth`; `ask` sends one request and resolves with whom it saw. */
async function backend(
  auth: RequestHeaderAuth,
): Promise<
  (
    client: { cert: string; key: string } | undefined,
    headers: Record<string, string | string[]>,
  ) => Promise<RemoteUser | undefined>
> {
  let last: RemoteUser | undefined;
  const server = createServer({ cert: serving.cert, key: serving.key, ...auth.tlsOptions }, (req, res) => {
    last = auth.authenticate(req);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  return (client, headers) =>
    new Promise((resolve, reject) => {
      last = undefined;
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          ca: serving.ca,
          servername: 'backend.test.svc',
          headers,
          agent: false,
          ...(client ? { cert: client.cert, key: client.key } : {}),
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(last));
        },
      );
      req.on('error', reject);
      req.end();
    });
}

describe('RequestHeaderAuth', () => {
  it('takes the user and every group header from the front proxy', async () => {
    const ask = await backend(new RequestHeaderAuth(config));
    expect(
      await ask(proxy, { 'x-remote-user': 'alice', 'x-remote-group': ['team-a', 'system:authenticated'] }),
    ).toEqual({ name: 'alice', groups: ['team-a', 'system:authenticated'] });
    expect(await ask(proxy, {})).toBeUndefined();
  });

  it('ignores the headers without a client certificate, or with one from another CA', async () => {
    const ask = await backend(new RequestHeaderAuth(config));
    expect(
      await ask(undefined, { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' }),
    ).toBeUndefined();
    expect(
      await ask(stranger, { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' }),
    ).toBeUndefined();
  });

  it('refuses a certificate of the right CA whose common name is not allowed', async () => {
    const ask = await backend(new RequestHeaderAuth({ ...config, allowedNames: ['some-other-proxy'] }));
    expect(await ask(proxy, { 'x-remote-user': 'alice' })).toBeUndefined();
  });

  it('refuses a ConfigMap without the requestheader CA with the reason', () => {
    expect(() => requestHeaderConfig({ 'client-ca-file': proxy.ca })).toThrow(/no requestheader-client-ca-file/);
  });
});
