// An aggregated API server's serving certificate: a CA of its own and a certificate for the
// Service name the API server checks (`<service>.<namespace>.svc`), kept in a directory of the
// backend so the APIService's caBundle stays valid across restarts.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface ServingCert {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

function pair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; pem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    pem: privateKey,
  };
}

function certificate(
  cn: string,
  key: forge.pki.PublicKey,
  signer: forge.pki.rsa.PrivateKey,
  issuer: forge.pki.Certificate | undefined,
  dnsNames: string[],
): forge.pki.Certificate {
  const c = forge.pki.createCertificate();
  c.publicKey = key;
  c.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  c.validity.notBefore = new Date(Date.now() - 3600_000);
  c.validity.notAfter = new Date(Date.now() + 5 * 365 * 86_400_000);
  c.setSubject([{ name: 'commonName', value: cn }]);
  c.setIssuer(issuer ? issuer.subject.attributes : [{ name: 'commonName', value: cn }]);
  c.setExtensions(
    issuer
      ? [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
        ]
      : [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true },
        ],
  );
  c.sign(signer, forge.md.sha256.create());
  return c;
}

export function ensureServingCert(dir: string, dnsName: string): ServingCert {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (n: string): string => join(dir, n);
  if (!existsSync(f('tls.key')) || !existsSync(f('name')) || readFileSync(f('name'), 'utf8') !== dnsName) {
    const ca = pair();
    const caCert = certificate(`${dnsName.split('.')[0] ?? 'wharf'}-ca`, ca.publicKey, ca.privateKey, undefined, []);
    const leaf = pair();
    const cert = certificate(dnsName, leaf.publicKey, ca.privateKey, caCert, [dnsName]);
    writeFileSync(f('ca.crt'), forge.pki.certificateToPem(caCert));
    writeFileSync(f('tls.crt'), forge.pki.certificateToPem(cert));
    writeFileSync(f('tls.key'), leaf.pem, { mode: 0o600 });
    writeFileSync(f('name'), dnsName);
  }
  return {
    ca: readFileSync(f('ca.crt'), 'utf8'),
    cert: readFileSync(f('tls.crt'), 'utf8'),
    key: readFileSync(f('tls.key'), 'utf8'),
  };
}
