// An aggregated API server's serving certificate: a CA of its own and a certificate for the
// Service name the API server checks (`<service>.<namespace>.svc`), kept in a directory of the
// backend so the APIService's caBundle stays valid across restarts. Keys are ECDSA P-256: made in
// a millisecond, where RSA-2048 keys cost a fraction of a second of CPU on every fresh start.
import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const YEAR_MS = 365 * 86_400_000;

export interface ServingCert {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const newKeys = (): Promise<webcrypto.CryptoKeyPair> =>
  webcrypto.subtle.generateKey(P256, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;

/** Five years from an hour ago (clocks that lag), with a random positive serial number. */
function validity(): { serialNumber: string; notBefore: Date; notAfter: Date } {
  return {
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 5 * YEAR_MS),
  };
}

/** A new CA and a serving certificate it signed for `dnsName`, with the certificate's key (PKCS#8). */
async function issue(dnsName: string): Promise<ServingCert> {
  const caKeys = await newKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    ...validity(),
    name: `CN=${dnsName.split('.')[0] ?? 'wharf'}-ca`,
    keys: caKeys,
    signingAlgorithm: P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const leafKeys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    ...validity(),
    subject: `CN=${dnsName}`,
    issuer: ca.subjectName,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: P256,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: dnsName }]),
    ],
  });
  const key = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
  return { ca: ca.toString('pem'), cert: cert.toString('pem'), key: x509.PemConverter.encode(key, 'PRIVATE KEY') };
}

/** The serving certificate for `dnsName` kept in `dir`, issued when missing or made for another name. */
export async function ensureServingCert(dir: string, dnsName: string): Promise<ServingCert> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string): string => join(dir, n);
  if (!existsSync(f('tls.key')) || !existsSync(f('name')) || readFileSync(f('name'), 'utf8') !== dnsName) {
    const issued = await issue(dnsName);
    writeFileSync(f('ca.crt'), issued.ca);
    writeFileSync(f('tls.crt'), issued.cert);
    writeFileSync(f('tls.key'), issued.key, { mode: 0o600 });
    writeFileSync(f('name'), dnsName);
  }
  return {
    ca: readFileSync(f('ca.crt'), 'utf8'),
    cert: readFileSync(f('tls.crt'), 'utf8'),
    key: readFileSync(f('tls.key'), 'utf8'),
  };
}
