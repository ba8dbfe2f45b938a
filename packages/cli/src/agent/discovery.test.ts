import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { servingCertificate } from '@wharf/testing';
import { caCertHash, discoverCa } from './discovery.js';

/** A server at 127.0.0.1 with certificate `tls` that answers cluster-info naming `advertisedCa`. */
async function clusterInfoServer(
  tls: { cert: string; key: string },
  advertisedCa: string,
): Promise<{ server: Server; url: string }> {
  const kubeconfig = stringify({
    clusters: [
      {
        name: '',
        cluster: {
          server: 'https://127.0.0.1',
          'certificate-authority-data': Buffer.from(advertisedCa).toString('base64'),
        },
      },
    ],
  });
  const server = createServer(tls, (req, res) => {
    if (req.url !== '/api/v1/namespaces/kube-public/configmaps/cluster-info') return void res.writeHead(404).end();
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ kind: 'ConfigMap', data: { kubeconfig } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('CA discovery (kube-public/cluster-info, pinned)', () => {
  const real = servingCertificate(['localhost'], ['127.0.0.1']);
  const other = servingCertificate(['localhost'], ['127.0.0.1']);
  const servers: Server[] = [];
  let honest = '';
  let impostor = '';

  beforeAll(async () => {
    const a = await clusterInfoServer(real, real.ca);
    // Answers the real CA's cluster-info, but cannot prove it holds that CA's certificate.
    const b = await clusterInfoServer(other, real.ca);
    servers.push(a.server, b.server);
    honest = a.url;
    impostor = b.url;
  });

  afterAll(() => {
    for (const s of servers) s.close();
  });

  it("computes kubeadm's pin, as openssl does: SHA-256 of the public key (DER)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-pin-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), real.ca);
      const der = execFileSync(
        'sh',
        ['-c', 'openssl x509 -pubkey -noout -in ca.crt | openssl pkey -pubin -outform der | sha256sum'],
        { cwd: dir, encoding: 'utf8' },
      );
      expect(caCertHash(real.ca)).toBe(`sha256:${der.split(' ')[0] ?? ''}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers the CA when its pin matches', async () => {
    expect(await discoverCa(honest, { caCertHash: caCertHash(real.ca) })).toBe(real.ca);
  });

  it('refuses a CA whose pin does not match, naming both hashes', async () => {
    await expect(discoverCa(honest, { caCertHash: caCertHash(other.ca) })).rejects.toThrow(
      `has public key hash ${caCertHash(real.ca)}, not the ${caCertHash(other.ca)} given with --ca-cert-hash`,
    );
  });

  it('refuses a server that shows the pinned CA in cluster-info but is not served under it', async () => {
    await expect(discoverCa(impostor, { caCertHash: caCertHash(real.ca) })).rejects.toThrow(
      /cannot reach the API server .*certificate/,
    );
  });

  it('refuses a malformed pin before any request', async () => {
    await expect(discoverCa('https://127.0.0.1:1', { caCertHash: 'md5:abc' })).rejects.toThrow(
      '--ca-cert-hash must be sha256: and 64 hex digits, got "md5:abc"',
    );
  });
});
