// The OpenID sign-in's redirect URI follows the address the browser used, among those the console is
// served at only: a Host header naming another (a *.localhost name passes the loopback check) is
// sent back to the sign-in page, never to the issuer with a redirect URI of its choosing.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveConsole, type ConsoleServer } from './serve.js';

describe('the OpenID sign-in start', () => {
  let server: ConsoleServer;
  beforeAll(async () => {
    server = await serveConsole({
      port: 0,
      api: { host: '127.0.0.1', port: 9, ca: '' },
      files: undefined,
      // Nothing listens there: a start that passes the origin check fails at discovery.
      oidc: { issuerURL: 'https://127.0.0.1:9', clientID: 'wharf' },
      servedAt: ['http://Console.localhost:26080'],
    });
  });
  afterAll(() => server.close());

  /** Where /console-auth/oidc/start sends a browser that asked for it at `host`. */
  const startAt = (host: string): Promise<URLSearchParams> =>
    new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path: '/console-auth/oidc/start', headers: { host } }, (res) => {
        res.resume();
        resolve(new URLSearchParams(new URL(res.headers.location ?? '', 'http://x').hash.slice(1)));
      })
        .on('error', reject)
        .end();
    });

  it('goes on for the console’s own origins and the gateway’s, and refuses another name', async () => {
    expect((await startAt(`localhost:${server.port}`)).get('oidc-error')).toBe('unreachable');
    expect((await startAt(`127.0.0.1:${server.port}`)).get('oidc-error')).toBe('unreachable');
    expect((await startAt('console.localhost:26080')).get('oidc-error')).toBe('unreachable');
    const other = await startAt(`evil.localhost:${server.port}`);
    expect(other.get('oidc-error')).toBe('origin');
    expect(other.get('message')).toContain(`open it at http://localhost:${server.port}`);
    expect((await startAt('console.localhost:26081')).get('oidc-error')).toBe('origin');
  });
});
