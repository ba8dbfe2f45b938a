// The serving certificate of a node's kubelet port (the kubelet's pki/kubelet.crt), for the
// nodes of `wharf up`: valid for the node's InternalIP and name and signed by the cluster CA, so
// a pod verifies the port with the CA its service account mounts (ca.crt), as Prometheus does
// with `tls_config.ca_file`. Kept in DIR/nodes/<node>/pki; issued again when missing, for
// another address or CA, or within 30 days of its expiry.
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { pem } from './agent/join.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const VALID_DAYS = 365;
const RENEW_DAYS = 30;
const DAY_MS = 86_400_000;

export interface NodeServingCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

/** Whether `certPem` is the CA's, names `address` and stays valid for RENEW_DAYS more. */
function stillGood(certPem: string, caPem: string, address: string, now: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return (
      cert.verify(new X509Certificate(caPem).publicKey) &&
      cert.checkIP(address) !== undefined &&
      Date.parse(cert.validTo) - now > RENEW_DAYS * DAY_MS
    );
  } catch {
    return false;
  }
}

/** A P-256 key and its certificate for `address` and `nodeName`, signed with the CA's RSA key. */
async function issue(caPem: string, caKeyPem: string, nodeName: string, address: string, now: number) {
  const der = createPrivateKey(caKeyPem).export({ format: 'der', type: 'pkcs8' });
  const caKey = await webcrypto.subtle.importKey('pkcs8', der, RSA, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const ca = new x509.X509Certificate(caPem);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive serial number
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: `O=system:nodes, CN=system:node:${nodeName}`,
    issuer: ca.subjectName,
    notBefore: new Date(now - 5 * 60_000),
    notAfter: new Date(now + VALID_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: RSA,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: address },
        { type: 'dns', value: nodeName },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return {
    cert: cert.toString('pem'),
    key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  };
}

/** The node's serving certificate and key in `nodeDir/pki`, issued by the CA in `pkiDir` when needed. */
export async function ensureNodeServingCert(
  pkiDir: string,
  nodeDir: string,
  nodeName: string,
  address: string,
  now = Date.now(),
): Promise<NodeServingCert> {
  const dir = join(nodeDir, 'pki');
  const certFile = join(dir, 'kubelet.crt');
  const keyFile = join(dir, 'kubelet.key');
  const caPem = readFileSync(join(pkiDir, 'ca.crt'), 'utf8');
  if (
    !existsSync(certFile) ||
    !existsSync(keyFile) ||
    !stillGood(readFileSync(certFile, 'utf8'), caPem, address, now)
  ) {
    const issued = await issue(caPem, readFileSync(join(pkiDir, 'ca.key'), 'utf8'), nodeName, address, now);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, issued.key, { mode: 0o600 });
    writeFileSync(certFile, issued.cert);
  }
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
