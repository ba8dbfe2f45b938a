// The serving certificate of a node's kubelet port (the kubelet's pki/kubelet.crt), for the
// nodes of `wharf up`: valid for the node's InternalIP and name and signed by the cluster CA, so
// a pod verifies the port with the CA its service account mounts (ca.crt), as Prometheus does
// with `tls_config.ca_file`. Kept in DIR/nodes/<node>/pki; issued again when missing, for
// another address or CA, or within 30 days of its expiry.
import { X509Certificate, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaSigner } from '@wharf/apiserver';
import { pem } from './agent/join.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
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

/** A P-256 key and its certificate for `address` and `nodeName`, a year long, from the cluster CA. */
async function issue(pkiDir: string, caPem: string, nodeName: string, address: string, now: number) {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await new CaSigner(caPem, join(pkiDir, 'ca.key')).issue(
    {
      subject: `O=system:nodes, CN=system:node:${nodeName}`,
      publicKey: keys.publicKey,
      usages: ['digital signature', 'key encipherment', 'server auth'],
      altNames: { ips: [address], dns: [nodeName] },
    },
    now,
  );
  return { cert, key: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)) };
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
    const issued = await issue(pkiDir, caPem, nodeName, address, now);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, issued.key, { mode: 0o600 });
    writeFileSync(certFile, issued.cert);
  }
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
