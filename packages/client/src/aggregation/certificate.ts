// X.509 v3 certificates of P-256 keys, written as DER by hand: the few fields an aggregated API
// server's CA and serving certificate need (RFC 5280), signed with node:crypto, so the client
// library (and the platform image that carries it) needs no X.509 package.
import { createHash, sign, type KeyObject } from 'node:crypto';

/** A DER length: short form below 128, else the count of big-endian bytes that follow. */
function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** One DER element: tag, length, contents. */
function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag, ...length(body.length)]), body]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, ...items);

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
function time(d: Date): Buffer {
  const s = d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(s.slice(2))) : tlv(0x18, Buffer.from(s));
}

const cn = (name: string): Buffer => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(name)))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const TRUE = tlv(0x01, Buffer.from([0xff]));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [TRUE] : []), tlv(0x04, value));
}

/** The key identifier of RFC 5280 4.2.1.2 (1): SHA-1 of the public key's bits. */
function keyId(key: KeyObject): Buffer {
  const spki = key.export({ type: 'spki', format: 'der' });
  return createHash('sha1')
    .update(spki.subarray(spki.length - 65))
    .digest(); // the P-256 point
}

export interface CertificateSpec {
  /** The subject's common name. */
  readonly subject: string;
  readonly publicKey: KeyObject;
  /** Who signs: its common name and key pair (the subject's own for a self-signed CA). */
  readonly issuer: { readonly name: string; readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  /** Hex, positive (the top bit clear). */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A serving certificate for these DNS names; a CA when absent. */
  readonly dnsNames?: readonly string[];
}

/** The certificate as PEM: a CA (keyCertSign, cRLSign) or a server certificate (serverAuth, its DNS names). */
export function certificatePem(c: CertificateSpec): string {
  const { issuer } = c;
  const leaf = c.dnsNames !== undefined;
  const extensions = [
    extension('2.5.29.19', true, leaf ? seq() : seq(TRUE)), // basicConstraints
    // keyUsage: digitalSignature, or keyCertSign and cRLSign (a BIT STRING: unused bits, then the bits).
    extension('2.5.29.15', true, tlv(0x03, Buffer.from(leaf ? [0x07, 0x80] : [0x01, 0x06]))),
    extension('2.5.29.14', false, tlv(0x04, keyId(c.publicKey))), // subjectKeyIdentifier
    extension('2.5.29.35', false, seq(tlv(0x80, keyId(issuer.publicKey)))), // authorityKeyIdentifier
    ...(leaf
      ? [
          extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
          extension('2.5.29.17', false, seq(...(c.dnsNames ?? []).map((d) => tlv(0x82, Buffer.from(d))))), // SAN
        ]
      : []),
  ];
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // v3
    tlv(0x02, Buffer.from(c.serial, 'hex')),
    ECDSA_SHA256,
    cn(issuer.name),
    seq(time(c.notBefore), time(c.notAfter)),
    cn(c.subject),
    c.publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, issuer.privateKey); // DER ECDSA-Sig-Value, as X.509 wants it
  const der = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}
