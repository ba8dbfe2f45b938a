// The serving certificate of an aggregated API server: P-256, its CA's, valid for the Service name
// under openssl's strict checks, served over TLS to a client trusting only that CA, kept across starts.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureServingCert } from './serving-cert.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-serving-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureServingCert', () => {
  it('issues a P-256 certificate of its own CA for the Service name that a TLS client trusting the CA accepts', async () => {
    const name = 'logs.wharf-pipelines.svc';
    const tls = ensureServingCert(dir, name);
    const cert = new X509Certificate(tls.cert);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subjectAltName).toBe(`DNS:${name}`);
    expect(new X509Certificate(tls.ca).ca).toBe(true);
    // openssl checks the encoding, the chain and the server purpose strictly.
    const out = execFileSync(
      'openssl',
      ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.crt'), join(dir, 'tls.crt')],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe(`${join(dir, 'tls.crt')}: OK`);
    const server = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end('served'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        get({ host: '127.0.0.1', port, ca: tls.ca, servername: name, path: '/' }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      expect(body).toBe('served');
    } finally {
      server.close();
    }
    expect(ensureServingCert(dir, name)).toEqual(tls);
    expect(ensureServingCert(dir, 'other.ns.svc').ca).not.toBe(tls.ca);
  });
});
