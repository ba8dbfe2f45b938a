// Discovery of a cluster's CA before a node trusts it, as `kubeadm join` does it: read
// kube-public/cluster-info without verifying the server (nothing is trusted yet), accept its CA
// only when the SHA-256 of the CA's public key equals the pin the operator copied from the
// control plane (--ca-cert-hash), then read it again over TLS verified by that CA. With a CA file
// (--ca-cert) the file is the trust and no pin is needed.
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';

const CLUSTER_INFO_PATH = '/api/v1/namespaces/kube-public/configmaps/cluster-info';

/** kubeadm's CA pin: `sha256:` and the hex SHA-256 of the CA's SubjectPublicKeyInfo (DER). */
export function caCertHash(caPem: string): string {
  const spki = createPublicKey(caPem).export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** Where the CA comes from: a pin checked against cluster-info, or a file trusted as it is. */
export type CaSource = { readonly caCertHash: string } | { readonly caFile: string };

/** GET `path` of `server` as JSON; `ca` undefined means the server's certificate is not checked. */
function getJson(server: string, path: string, ca: string | undefined): Promise<unknown> {
  const url = new URL(path, server);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', ...(ca ? { ca } : { rejectUnauthorized: false }), timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`${url.href} answered ${res.statusCode ?? '?'}`));
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new Error(`${url.href} did not answer JSON`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url.href} did not answer within 30 s`)));
    req.on('error', (e) => reject(new Error(`cannot reach the API server at ${server}: ${e.message}`)));
    req.end();
  });
}

/** The CA in cluster-info's kubeconfig (PEM). */
function caOf(configMap: unknown): string {
  const kubeconfig = (configMap as { data?: { kubeconfig?: string } }).data?.kubeconfig;
  const doc = kubeconfig ? (parse(kubeconfig) as { clusters?: { cluster?: Record<string, string> }[] }) : undefined;
  const data = doc?.clusters?.[0]?.cluster?.['certificate-authority-data'];
  if (!data) throw new Error('kube-public/cluster-info holds no certificate-authority-data');
  return Buffer.from(data, 'base64').toString('utf8');
}

/** The cluster CA (PEM), trusted by `source`; throws a one-line reason otherwise. */
export async function discoverCa(server: string, source: CaSource): Promise<string> {
  if ('caFile' in source) return readFileSync(source.caFile, 'utf8');
  const want = source.caCertHash.toLowerCase();
  if (!/^sha256:[0-9a-f]{64}$/.test(want))
    throw new Error(`--ca-cert-hash must be sha256: and 64 hex digits, got "${source.caCertHash}"`);
  const ca = caOf(await getJson(server, CLUSTER_INFO_PATH, undefined));
  const got = caCertHash(ca);
  if (got !== want)
    throw new Error(
      `the cluster CA at ${server} has public key hash ${got}, not the ${want} given with --ca-cert-hash: refusing to join`,
    );
  // The pinned CA must also be the one the server proves it holds (TLS verified by it).
  caOf(await getJson(server, CLUSTER_INFO_PATH, ca));
  return ca;
}
