// An aggregated API server's serving certificate: a CA of its own and a certificate for the
// Service name the API server checks (`<service>.<namespace>.svc`), kept in a directory of the
// backend so the APIService's caBundle stays valid across restarts. Keys are ECDSA P-256: made in
// a millisecond, where RSA-2048 keys cost a fraction of a second of CPU on every fresh start.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatePem } from './certificate.js';

export interface ServingCert {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const YEAR_MS = 365 * 86_400_000;

/** Five years from an hour ago (clocks that lag), with a random positive serial number. */
function validity(): { serial: string; notBefore: Date; notAfter: Date } {
  return {
    serial: `01${randomBytes(8).toString('hex')}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 5 * YEAR_MS),
  };
}

/** A new CA and a serving certificate it signed for `dnsName`, with the certificate's key (PKCS#8 PEM). */
function issue(dnsName: string): ServingCert {
  const ca = { name: `${dnsName.split('.')[0] ?? 'wharf'}-ca`, ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) };
  const leaf = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    ca: certificatePem({ ...validity(), subject: ca.name, publicKey: ca.publicKey, issuer: ca }),
    cert: certificatePem({
      ...validity(),
      subject: dnsName,
      publicKey: leaf.publicKey,
      issuer: ca,
      dnsNames: [dnsName],
    }),
    key: leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** The serving certificate for `dnsName` kept in `dir`, issued when missing or made for another name. */
export function ensureServingCert(dir: string, dnsName: string): ServingCert {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string): string => join(dir, n);
  if (!existsSync(f('tls.key')) || !existsSync(f('name')) || readFileSync(f('name'), 'utf8') !== dnsName) {
    const issued = issue(dnsName);
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
