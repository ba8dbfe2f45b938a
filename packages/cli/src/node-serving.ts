// Serving certificates signed by the cluster CA for what `wharf up` serves beside the API: a
// node's kubelet port (the kubelet's pki/kubelet.crt, valid for the node's InternalIP and name, so
// a pod verifies the port with the CA its service account mounts, as Prometheus does with
// `tls_config.ca_file`), and the console's HTTPS listener for browsers on other hosts. Issued
// again when missing, for other names or another CA, or within 30 days of expiry.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaSigner, newKeyPair, stillFits } from '@wharf/apiserver';

export interface ServingCert {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

export interface ServingCertRequest {
  /** The directory of the cluster CA (ca.crt, ca.key). */
  readonly pkiDir: string;
  /** Where `<name>.crt` and `<name>.key` are kept. */
  readonly dir: string;
  readonly name: string;
  /** The certificate's subject, e.g. `O=system:nodes, CN=system:node:node-0`. */
  readonly subject: string;
  readonly altNames: { readonly ips: readonly string[]; readonly dns: readonly string[] };
}

/** A P-256 key and its serving certificate for `r.altNames`, a year long, from the cluster CA; kept in `r.dir`. */
export async function ensureServingCert(r: ServingCertRequest, now = Date.now()): Promise<ServingCert> {
  const certFile = join(r.dir, `${r.name}.crt`);
  const keyFile = join(r.dir, `${r.name}.key`);
  const caPem = readFileSync(join(r.pkiDir, 'ca.crt'), 'utf8');
  if (
    !existsSync(certFile) ||
    !existsSync(keyFile) ||
    !stillFits(readFileSync(certFile, 'utf8'), caPem, r.altNames, now)
  ) {
    const { keys, keyPem } = await newKeyPair();
    const cert = await new CaSigner(caPem, join(r.pkiDir, 'ca.key')).issue(
      {
        subject: r.subject,
        publicKey: keys.publicKey,
        usages: ['digital signature', 'key encipherment', 'server auth'],
        altNames: { ips: [...r.altNames.ips], dns: [...r.altNames.dns] },
      },
      now,
    );
    mkdirSync(r.dir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, keyPem, { mode: 0o600 });
    writeFileSync(certFile, cert);
  }
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** The node's kubelet serving certificate and key in `nodeDir/pki`, issued by the CA in `pkiDir` when needed. */
export function ensureNodeServingCert(
  pkiDir: string,
  nodeDir: string,
  nodeName: string,
  address: string,
  now = Date.now(),
): Promise<ServingCert> {
  return ensureServingCert(
    {
      pkiDir,
      dir: join(nodeDir, 'pki'),
      name: 'kubelet',
      subject: `O=system:nodes, CN=system:node:${nodeName}`,
      altNames: { ips: [address], dns: [nodeName] },
    },
    now,
  );
}
