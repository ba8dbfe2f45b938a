// A node's serving certificate: issued by the cluster CA for its InternalIP, kept across starts,
// issued again for another address.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servingCertificate } from '@wharf/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureNodeServingCert } from './node-serving.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-node-serving-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureNodeServingCert', () => {
  it('issues a certificate of the cluster CA for the address, and keeps it until the address changes', async () => {
    // A cluster CA as DIR/pki holds it.
    const pki = join(dir, 'pki');
    const cluster = servingCertificate(['unused']);
    mkdirSync(pki);
    writeFileSync(join(pki, 'ca.crt'), cluster.ca);
    writeFileSync(join(pki, 'ca.key'), cluster.caKey);
    const ca = new X509Certificate(readFileSync(join(dir, 'pki', 'ca.crt')));
    const first = await ensureNodeServingCert(join(dir, 'pki'), join(dir, 'nodes', 'node-0'), 'node-0', '10.1.254.1');
    const cert = new X509Certificate(first.cert);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIP('10.1.254.1')).toBe('10.1.254.1');
    expect(cert.checkHost('node-0')).toBe('node-0');
    expect(cert.checkPrivateKey(createPrivateKey(first.key))).toBe(true);
    const again = await ensureNodeServingCert(join(dir, 'pki'), join(dir, 'nodes', 'node-0'), 'node-0', '10.1.254.1');
    expect(again.cert).toBe(first.cert);
    const moved = await ensureNodeServingCert(join(dir, 'pki'), join(dir, 'nodes', 'node-0'), 'node-0', '10.1.254.9');
    expect(moved.cert).not.toBe(first.cert);
    expect(new X509Certificate(moved.cert).checkIP('10.1.254.9')).toBe('10.1.254.9');
  });
});
