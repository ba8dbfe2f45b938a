// The cluster's PKI, generated into the data dir on first start: a CA, the API server's serving
// certificate (valid for localhost, 127.0.0.1, the host name, the kubernetes.default names, the
// `kubernetes` Service's address, which pods use), the key that signs service-account tokens, and
// the front proxy's CA and client certificate: the identity the API server presents to aggregated
// API servers, which trust its X-Remote-User headers only on a connection made with it.
// Keys are ECDSA P-256 (see certificates/keys.ts). Later starts reuse what is there; a certificate
// that lacks a wanted name (a data dir from an older Wharf) or nears its expiry is issued again.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { newKeyPair, selfSignedCa, stillFits } from '../certificates/keys.js';
import { CaSigner } from '../certificates/signer.js';
import { MASTER_SERVICE_IP } from '../objects/master-service.js';

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Private key (PEM) that signs service-account tokens: P-256 (ES256), or RSA (RS256) in older data dirs. */
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

/** A self-signed CA at `<base>.crt` / `<base>.key`, made unless both exist. */
async function ensureCa(base: string, cn: string): Promise<void> {
  if (existsSync(`${base}.crt`) && existsSync(`${base}.key`)) return;
  const ca = await selfSignedCa(cn, 10);
  writeFileSync(`${base}.key`, ca.key, { mode: 0o600 });
  writeFileSync(`${base}.crt`, ca.cert);
}

/**
 * A certificate of the CA `<ca>.crt` at `<base>.crt` / `<base>.key` for `subject`, its `usages` and
 * `names`, a year long, issued unless one that still fits is there.
 */
async function ensureLeaf(
  base: string,
  ca: string,
  c: { subject: string; usages: string[]; names?: { dns: string[]; ips: string[] } },
): Promise<void> {
  const caPem = readFileSync(`${ca}.crt`, 'utf8');
  if (
    existsSync(`${base}.crt`) &&
    existsSync(`${base}.key`) &&
    stillFits(readFileSync(`${base}.crt`, 'utf8'), caPem, c.names ?? {})
  )
    return;
  const { keys, keyPem } = await newKeyPair();
  const cert = await new CaSigner(caPem, `${ca}.key`).issue({
    subject: c.subject,
    publicKey: keys.publicKey,
    usages: c.usages,
    ...(c.names ? { altNames: c.names } : {}),
  });
  writeFileSync(`${base}.key`, keyPem, { mode: 0o600 });
  writeFileSync(`${base}.crt`, cert);
}

/** Loads the PKI from `dir/pki`, creating whatever is missing. */
export async function ensurePki(dir: string, extraNames: string[] = []): Promise<Pki> {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const f = (n: string): string => join(pki, n);
  await ensureCa(f('ca'), 'wharf-ca');
  await ensureCa(f('front-proxy-ca'), 'wharf-front-proxy-ca');
  await ensureLeaf(f('front-proxy-client'), f('front-proxy-ca'), {
    subject: `CN=${FRONT_PROXY_CLIENT_NAME}`,
    usages: ['digital signature', 'client auth'],
  });
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
  await ensureLeaf(f('apiserver'), f('ca'), {
    subject: 'CN=kube-apiserver',
    usages: ['digital signature', 'server auth'],
    names: { dns, ips: ['127.0.0.1', '::1', MASTER_SERVICE_IP] },
  });
  if (!existsSync(f('sa.key'))) {
    const sa = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
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
