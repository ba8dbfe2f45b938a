// The cluster PKI on a fresh data dir (P-256 keys), reused on the next start, and a data dir of an
// older Wharf (RSA CA and service-account key) that keeps working: certificates issued again are
// its CA's, tokens are still RS256.
import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MASTER_SERVICE_IP } from '../objects/master-service.js';
import { ensurePki } from './pki.js';
import { TokenAuthenticator } from './tokens.js';

const root = mkdtempSync(join(tmpdir(), 'wharf-pki-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The `alg` of a JWT's header. */
const algOf = (token: string): unknown =>
  (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown }).alg;

/** A service-account token signed with `saKey`, and whether `saPub` authenticates it. */
function roundTrip(dir: string, saKey: string, saPub: string): { token: string; user: string | undefined } {
  const tokens = new TokenAuthenticator(join(dir, 'tokens.csv'), saKey, saPub, () => true);
  const { token } = tokens.issue({ namespace: 'default', name: 'builder', uid: 'u1' }, ['api'], 600);
  return { token, user: tokens.authenticate(token)?.name };
}

/** What an HTTPS client trusting only `ca` reads from a server with `cert` and `key`. */
async function served(ca: string, cert: string, key: string): Promise<string> {
  const server = createServer({ cert, key }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, ca, path: '/' }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('ensurePki', () => {
  it('makes P-256 CAs and certificates a TLS client trusts, an ES256 token key, and keeps them on the next start', async () => {
    const dir = join(root, 'fresh');
    const pki = await ensurePki(dir);
    const ca = new X509Certificate(pki.caCert);
    expect(ca.ca).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const server = new X509Certificate(pki.serverCert);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkPrivateKey(createPrivateKey(pki.serverKey))).toBe(true);
    for (const ip of ['127.0.0.1', MASTER_SERVICE_IP]) expect(server.checkIP(ip)).toBe(ip);
    expect(server.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
    expect(server.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    expect(await served(pki.caCert, pki.serverCert, pki.serverKey)).toBe('ok');
    const proxy = new X509Certificate(pki.frontProxyClientCert);
    expect(proxy.subject).toBe('CN=front-proxy-client');
    expect(proxy.verify(new X509Certificate(pki.frontProxyCaCert).publicKey)).toBe(true);
    expect(proxy.keyUsage).toContain('1.3.6.1.5.5.7.3.2'); // clientAuth
    const sa = roundTrip(dir, pki.saKey, pki.saPub);
    expect(algOf(sa.token)).toBe('ES256');
    expect(sa.user).toBe('system:serviceaccount:default:builder');
    expect(await ensurePki(dir)).toEqual(pki);
  });

  it("keeps an older data dir's RSA CA and token key: a certificate issued again is that CA's, tokens stay RS256", async () => {
    const dir = join(root, 'older');
    const p = join(dir, 'pki');
    mkdirSync(p, { recursive: true });
    for (const base of ['ca', 'front-proxy-ca']) {
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${base}`],
          ...['-keyout', join(p, `${base}.key`), '-out', join(p, `${base}.crt`)],
        ],
        { stdio: 'ignore' },
      );
    }
    const sa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(join(p, 'sa.key'), sa.privateKey);
    writeFileSync(join(p, 'sa.pub'), sa.publicKey);
    const first = await ensurePki(dir);
    expect(new X509Certificate(first.serverCert).verify(new X509Certificate(first.caCert).publicKey)).toBe(true);
    expect(await served(first.caCert, first.serverCert, first.serverKey)).toBe('ok');
    expect(first.saKey).toBe(sa.privateKey);
    const token = roundTrip(dir, first.saKey, first.saPub);
    expect(algOf(token.token)).toBe('RS256');
    expect(token.user).toBe('system:serviceaccount:default:builder');
    // A serving certificate that lacks a wanted name is issued again by the same CA.
    unlinkSync(join(p, 'apiserver.crt'));
    const again = await ensurePki(dir, ['wharf.example.org']);
    expect(new X509Certificate(again.serverCert).checkHost('wharf.example.org')).toBe('wharf.example.org');
    expect(again.caCert).toBe(first.caCert);
  });
});
