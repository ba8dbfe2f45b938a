// The serving certificate of a node's kubelet port (the kubelet's pki/kubelet.crt), for the
// nodes of `wharf up`: valid for the node's InternalIP and name and signed by the cluster CA, so
// a pod verifies the port with the CA its service account mounts (ca.crt), as Prometheus does
// with `tls_config.ca_file`. Kept in DIR/nodes/<node>/pki; issued again when missing, for
// another address or CA, or within 30 days of its expiry.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaSigner, newKeyPair, stillFits } from '@wharf/apiserver';

export interface NodeServingCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

/** A P-256 key and its certificate for `address` and `nodeName`, a year long, from the cluster CA. */
async function issue(pkiDir: string, caPem: string, nodeName: string, address: string, now: number) {
  const { keys, keyPem } = await newKeyPair();
  const cert = await new CaSigner(caPem, join(pkiDir, 'ca.key')).issue(
    {
      subject: `O=system:nodes, CN=system:node:${nodeName}`,
      publicKey: keys.publicKey,
      usages: ['digital signature', 'key encipherment', 'server auth'],
      altNames: { ips: [address], dns: [nodeName] },
    },
    now,
  );
  return { cert, key: keyPem };
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
    !stillFits(readFileSync(certFile, 'utf8'), caPem, { ips: [address] }, now)
  ) {
    const issued = await issue(pkiDir, caPem, nodeName, address, now);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, issued.key, { mode: 0o600 });
    writeFileSync(certFile, issued.cert);
  }
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}
