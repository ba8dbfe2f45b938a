// The cluster's PKI, generated into the data dir on first start: a CA, the API server's serving
// certificate (valid for localhost, 127.0.0.1, the host name, the kubernetes.default names, the
// `kubernetes` Service's address, which pods use), the key that signs service-account tokens, and
// the front proxy's CA and client certificate: the identity the API server presents to aggregated
// API servers, which trust its X-Remote-User headers only on a connection made with it.
// Later starts reuse what is there; a serving certificate that lacks a wanted name (a data dir
// from an older Wharf) is re-issued.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { MASTER_SERVICE_IP } from '../objects/master-service.js';

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** RSA private key (PEM) that signs service-account tokens. */
  saKey: string;
  saPub: string;
  /**
   * The CA aggregated API servers check the front proxy's client certificate against (requestheader-client-ca-file).
   */
  frontProxyCaCert: string;
  /** The client certificate (CN front-proxy-client) and key the API server proxies with. */
  frontProxyClientCert: string;
  frontProxyClientKey: string;
}

/** The name aggregated API servers allow as the front proxy (requestheader-allowed-names). */
export const FRONT_PROXY_CLIENT_NAME = 'front-proxy-client';

function rsaPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function serial(): string {
  // Positive serial number: clear the top bit.
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString('hex');
}

function makeCert(opts: {
  subjectCN: string;
  publicKey: string;
  signingKey: string;
  issuer?: forge.pki.Certificate;
  ca: boolean;
  altNames?: { type: number; value?: string; ip?: string }[];
  years: number;
  /** @default 'server' */
  usage?: 'server' | 'client';
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKey);
  cert.serialNumber = serial();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + opts.years * 365 * 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: opts.subjectCN }]);
  cert.setIssuer(opts.issuer ? opts.issuer.subject.attributes : [{ name: 'commonName', value: opts.subjectCN }]);
  const ext: object[] = [{ name: 'basicConstraints', cA: opts.ca, critical: true }];
  if (opts.ca) ext.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  else {
    ext.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    ext.push(
      opts.usage === 'client' ? { name: 'extKeyUsage', clientAuth: true } : { name: 'extKeyUsage', serverAuth: true },
    );
  }
  if (opts.altNames) ext.push({ name: 'subjectAltName', altNames: opts.altNames });
  cert.setExtensions(ext);
  cert.sign(forge.pki.privateKeyFromPem(opts.signingKey), forge.md.sha256.create());
  return cert;
}

function toPkcs1(pkcs8Pem: string): string {
  return forge.pki.privateKeyToPem(forge.pki.privateKeyFromPem(pkcs8Pem));
}

/** Whether the certificate names every one of `dns` and `ips`. */
function coversNames(pem: string, dns: readonly string[], ips: readonly string[]): boolean {
  const ext = forge.pki.certificateFromPem(pem).getExtension('subjectAltName') as
    { altNames?: { type: number; value?: string; ip?: string }[] } | undefined;
  const names = ext?.altNames ?? [];
  return (
    dns.every((d) => names.some((n) => n.type === 2 && n.value === d)) &&
    ips.every((ip) => names.some((n) => n.type === 7 && n.ip === ip))
  );
}

/** A self-signed CA at `<base>.crt` / `<base>.key`, made unless both exist. */
function ensureCa(base: string, cn: string): void {
  if (existsSync(`${base}.crt`) && existsSync(`${base}.key`)) return;
  const ca = rsaPair();
  const cert = makeCert({ subjectCN: cn, publicKey: ca.publicKey, signingKey: ca.privateKey, ca: true, years: 10 });
  writeFileSync(`${base}.key`, toPkcs1(ca.privateKey), { mode: 0o600 });
  writeFileSync(`${base}.crt`, forge.pki.certificateToPem(cert));
}

/** Loads the PKI from `dir/pki`, creating whatever is missing. */
export function ensurePki(dir: string, extraNames: string[] = []): Pki {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const f = (n: string): string => join(pki, n);
  ensureCa(f('ca'), 'wharf-ca');
  ensureCa(f('front-proxy-ca'), 'wharf-front-proxy-ca');
  if (!existsSync(f('front-proxy-client.crt')) || !existsSync(f('front-proxy-client.key'))) {
    const pair = rsaPair();
    const cert = makeCert({
      subjectCN: FRONT_PROXY_CLIENT_NAME,
      publicKey: pair.publicKey,
      signingKey: readFileSync(f('front-proxy-ca.key'), 'utf8'),
      issuer: forge.pki.certificateFromPem(readFileSync(f('front-proxy-ca.crt'), 'utf8')),
      ca: false,
      years: 2,
      usage: 'client',
    });
    writeFileSync(f('front-proxy-client.key'), toPkcs1(pair.privateKey), { mode: 0o600 });
    writeFileSync(f('front-proxy-client.crt'), forge.pki.certificateToPem(cert));
  }
  const dns = [
    ...new Set([
      'localhost',
      hostname(),
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      ...extraNames,
    ]),
  ];
  const ips = ['127.0.0.1', '::1', MASTER_SERVICE_IP];
  if (
    !existsSync(f('apiserver.crt')) ||
    !existsSync(f('apiserver.key')) ||
    !coversNames(readFileSync(f('apiserver.crt'), 'utf8'), dns, ips)
  ) {
    const caCert = forge.pki.certificateFromPem(readFileSync(f('ca.crt'), 'utf8'));
    const caKey = readFileSync(f('ca.key'), 'utf8');
    const pair = rsaPair();
    const altNames: { type: number; value?: string; ip?: string }[] = dns.map((value) => ({ type: 2, value }));
    for (const ip of ips) altNames.push({ type: 7, ip });
    const cert = makeCert({
      subjectCN: 'kube-apiserver',
      publicKey: pair.publicKey,
      signingKey: caKey,
      issuer: caCert,
      ca: false,
      altNames,
      years: 2,
    });
    writeFileSync(f('apiserver.key'), toPkcs1(pair.privateKey), { mode: 0o600 });
    writeFileSync(f('apiserver.crt'), forge.pki.certificateToPem(cert));
  }
  if (!existsSync(f('sa.key'))) {
    const sa = rsaPair();
    writeFileSync(f('sa.key'), sa.privateKey, { mode: 0o600 });
    writeFileSync(f('sa.pub'), sa.publicKey);
  }
  return {
    caCert: readFileSync(f('ca.crt'), 'utf8'),
    serverCert: readFileSync(f('apiserver.crt'), 'utf8'),
    serverKey: readFileSync(f('apiserver.key'), 'utf8'),
    saKey: readFileSync(f('sa.key'), 'utf8'),
    saPub: readFileSync(f('sa.pub'), 'utf8'),
    frontProxyCaCert: readFileSync(f('front-proxy-ca.crt'), 'utf8'),
    frontProxyClientCert: readFileSync(f('front-proxy-client.crt'), 'utf8'),
    frontProxyClientKey: readFileSync(f('front-proxy-client.key'), 'utf8'),
  };
}
