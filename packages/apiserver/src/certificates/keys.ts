// Keys and self-signed CAs of the cluster PKI: ECDSA P-256 (kubeadm's ECDSA-P256 encryption
// algorithm). A P-256 key takes well under a millisecond to make and to sign with, where RSA-2048
// takes tenths of a second per key, on every fresh data dir. Data dirs of older Wharfs keep their
// RSA keys: whatever signs picks its algorithm from the key it holds.
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type Key = webcrypto.CryptoKey;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
/** How long before its expiry a certificate of the PKI is issued again. */
const RENEW_MS = 30 * 86_400_000;

/** The WebCrypto algorithm (import and sign) of a PEM private key: P-256, or RSA for older data dirs. */
export function signingAlgorithm(keyPem: string): typeof P256 | typeof RSA {
  return createPrivateKey(keyPem).asymmetricKeyType === 'ec' ? P256 : RSA;
}

/** A PEM private key as a WebCrypto key that signs. */
export function importSigningKey(keyPem: string): Promise<Key> {
  const der = createPrivateKey(keyPem).export({ format: 'der', type: 'pkcs8' });
  return webcrypto.subtle.importKey('pkcs8', der, signingAlgorithm(keyPem), false, ['sign']) as Promise<Key>;
}

/** A new P-256 key pair, and its private key as PKCS#8 PEM (what `tls.createServer` and kubectl read). */
export async function newKeyPair(): Promise<{ keys: webcrypto.CryptoKeyPair; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}

/** A random positive certificate serial number (hex). */
export function serialNumber(): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  return serial.toString('hex');
}

/** A self-signed CA named `cn`, valid `years` from now (backdated a minute), and its key; both PEM. */
export async function selfSignedCa(
  cn: string,
  years: number,
  now = Date.now(),
): Promise<{ cert: string; key: string }> {
  const { keys, keyPem } = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${cn}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + years * 365 * 86_400_000),
    keys,
    signingAlgorithm: P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: keyPem };
}

/**
 * Whether `certPem` was signed by the CA `caPem`, names every one of `names`, and stays valid for
 * 30 more days: when not, it is issued again.
 */
export function stillFits(
  certPem: string,
  caPem: string,
  names: { readonly ips?: readonly string[]; readonly dns?: readonly string[] },
  now = Date.now(),
): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return (
      cert.verify(new X509Certificate(caPem).publicKey) &&
      (names.ips ?? []).every((ip) => cert.checkIP(ip) !== undefined) &&
      (names.dns ?? []).every((d) => cert.checkHost(d, { wildcards: false }) !== undefined) &&
      Date.parse(cert.validTo) - now > RENEW_MS
    );
  } catch {
    return false;
  }
}
