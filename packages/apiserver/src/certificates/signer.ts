// The cluster CA as a CSR signer (kube-controller-manager's csrsigning with
// --cluster-signing-{cert,key}-file): an approved request's public key and subject, signed with
// DIR/pki/ca.key, for at most a year (or the request's expirationSeconds), backdated 5 minutes for
// clocks that lag. Client signers issue `client auth` certificates only.
import type { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import type { CsrSubject } from './csr.js';
import { importSigningKey, serialNumber, signingAlgorithm } from './keys.js';

type Key = webcrypto.CryptoKey;

/** The longest a certificate is issued for (the default --cluster-signing-duration). */
export const MAX_SIGNING_SECONDS = 365 * 24 * 3600;
const BACKDATE_MS = 5 * 60_000;

const USAGE_BITS: Record<string, number> = {
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
};
const EXTENDED: Record<string, string> = {
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'server auth': x509.ExtendedKeyUsage.serverAuth,
};

export class CaSigner {
  private key: { readonly key: Promise<Key>; readonly algorithm: ReturnType<typeof signingAlgorithm> } | undefined;

  /** `caCertPem` and the PEM key file it belongs to (read when the first certificate is signed). */
  constructor(
    private readonly caCertPem: string,
    private readonly caKeyFile: string,
  ) {}

  /** Verifies the request's own signature, then answers the PEM certificate. */
  async sign(
    csr: CsrSubject,
    usages: readonly string[],
    expirationSeconds: number | undefined,
    now = Date.now(),
  ): Promise<string> {
    if (!(await csr.request.verify())) throw new Error("the certificate request's signature does not verify");
    return this.issue(
      { subject: csr.request.subjectName, publicKey: csr.request.publicKey, usages, expirationSeconds },
      now,
    );
  }

  /**
   * A PEM certificate of this CA for `publicKey`: `usages` as a CSR names them ('digital
   * signature', 'server auth', …), the IP addresses and DNS names it is valid for, at most a year.
   */
  async issue(
    c: {
      readonly subject: string | x509.Name;
      readonly publicKey: x509.PublicKey | Key;
      readonly usages: readonly string[];
      readonly altNames?: { readonly ips?: readonly string[]; readonly dns?: readonly string[] };
      readonly expirationSeconds?: number;
    },
    now = Date.now(),
  ): Promise<string> {
    const ca = new x509.X509Certificate(this.caCertPem);
    const seconds = Math.min(c.expirationSeconds ?? MAX_SIGNING_SECONDS, MAX_SIGNING_SECONDS);
    const keyUsage = c.usages.reduce((bits, u) => bits | (USAGE_BITS[u] ?? 0), 0);
    const extended = c.usages.map((u) => EXTENDED[u]).filter((u): u is string => u !== undefined);
    const names = [
      ...(c.altNames?.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
      ...(c.altNames?.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ];
    const signing = this.signingKey();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: c.subject,
      issuer: ca.subjectName,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + seconds * 1000),
      publicKey: c.publicKey,
      signingKey: await signing.key,
      signingAlgorithm: signing.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        ...(keyUsage ? [new x509.KeyUsagesExtension(keyUsage, true)] : []),
        ...(extended.length ? [new x509.ExtendedKeyUsageExtension(extended)] : []),
        ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
        await x509.AuthorityKeyIdentifierExtension.create(ca),
      ],
    });
    return cert.toString('pem');
  }

  /** The CA's key and the algorithm it signs with (ECDSA P-256, or RSA in data dirs of older Wharfs). */
  private signingKey(): NonNullable<CaSigner['key']> {
    if (!this.key) {
      const pem = readFileSync(this.caKeyFile, 'utf8');
      this.key = { key: importSigningKey(pem), algorithm: signingAlgorithm(pem) };
    }
    return this.key;
  }
}
