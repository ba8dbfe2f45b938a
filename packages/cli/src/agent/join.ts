// TLS bootstrapping of a node, as the kubelet does it with --bootstrap-kubeconfig: a new key, a
// CertificateSigningRequest for `O=system:nodes, CN=system:node:<name>` (signer
// kubernetes.io/kube-apiserver-client-kubelet) created as system:bootstrap:<id> with the token,
// the wait for its approval (the API server approves node client requests of bootstrappers), and
// the issued certificate written with the key to the node's own kubeconfig. From then on the
// node signs in with its certificate; the token is not needed again.
import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import {
  ApiException,
  CertificatesV1Api,
  CoreV1Api,
  KubeConfig,
  type V1CertificateSigningRequest,
} from '@kubernetes/client-node';
import * as x509 from '@peculiar/x509';
import { stringify } from 'yaml';
import { kubeconfigPath } from './kubeconfig.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
const TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

export interface JoinOptions {
  readonly server: string;
  /** The cluster CA (PEM), already discovered and trusted. */
  readonly ca: string;
  /** A bootstrap token `<id>.<secret>`. */
  readonly token: string;
  readonly nodeName: string;
  /** How long to wait for the request's approval and certificate. @default 300000 */
  readonly timeoutMs?: number;
}

/** DER bytes as a PEM block of `label`. */
const pem = (label: string, der: ArrayBuffer): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;

/** A P-256 key and a PEM PKCS#10 request for the node's client certificate. */
async function nodeRequest(nodeName: string): Promise<{ keyPem: string; csrPem: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `O=system:nodes, CN=system:node:${nodeName}`,
    keys,
    signingAlgorithm: alg,
  });
  return {
    keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    csrPem: csr.toString('pem'),
  };
}

function tokenConfig(o: JoinOptions): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'cluster', server: o.server, caData: Buffer.from(o.ca).toString('base64') }],
    users: [{ name: 'bootstrap', token: o.token }],
    contexts: [{ name: 'bootstrap', cluster: 'cluster', user: 'bootstrap' }],
    currentContext: 'bootstrap',
  });
  return kc;
}

/**
 * Refuses to join under the name of a node that is Ready, as `kubeadm join` does: its certificate
 * would let this machine act as that node.
 */
async function checkNameFree(kc: KubeConfig, nodeName: string): Promise<void> {
  let ready: string | undefined;
  try {
    const node = await kc.makeApiClient(CoreV1Api).readNode({ name: nodeName });
    ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return;
    throw explain(e, `checking for a node named ${nodeName}`);
  }
  if (ready === 'True')
    throw new Error(
      `a Node named "${nodeName}" already exists in the cluster and is Ready: join with another --node name, or delete that Node first`,
    );
}

/** One line for what the API server said, naming the token when it was refused. */
function explain(e: unknown, what: string): Error {
  if (e instanceof ApiException) {
    if (e.code === 401)
      return new Error(
        'the bootstrap token was refused (401 Unauthorized): it is wrong, expired or deleted; create one with "wharf token create"',
      );
    const message = (() => {
      try {
        return (JSON.parse(String(e.body)) as { message?: string }).message;
      } catch {
        return undefined;
      }
    })();
    return new Error(`${what} failed (${e.code}): ${message ?? String(e.body)}`);
  }
  return new Error(`${what} failed: ${(e as Error).message}`);
}

async function waitForCertificate(api: CertificatesV1Api, name: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let csr: V1CertificateSigningRequest;
    try {
      csr = await api.readCertificateSigningRequest({ name });
    } catch (e) {
      throw explain(e, `reading certificate request ${name}`);
    }
    const refused = csr.status?.conditions?.find(
      (c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True',
    );
    if (refused)
      throw new Error(
        `certificate request ${name} was ${refused.type.toLowerCase()}${refused.message ? `: ${refused.message}` : ''}`,
      );
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    if (Date.now() > deadline)
      throw new Error(
        `certificate request ${name} was not approved within ${Math.round(timeoutMs / 1000)} s: approve it with "kubectl certificate approve ${name}"`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The node's kubeconfig: its certificate and key, the cluster CA, the server. */
export function nodeKubeconfig(server: string, ca: string, nodeName: string, certPem: string, keyPem: string): string {
  const user = `system:node:${nodeName}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      { name: 'wharf', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': Buffer.from(certPem).toString('base64'),
          'client-key-data': Buffer.from(keyPem).toString('base64'),
        },
      },
    ],
    contexts: [{ name: 'wharf', context: { cluster: 'wharf', user } }],
    'current-context': 'wharf',
  });
}

/**
 * Exchanges the bootstrap token for the node's client certificate and writes DIR/kubeconfig
 * (0600). Answers the name of the certificate request.
 */
export async function joinCluster(dataDir: string, o: JoinOptions): Promise<string> {
  if (!TOKEN.test(o.token))
    throw new Error(
      '--token must look like abcdef.0123456789abcdef (6 and 16 lowercase letters or digits), as "wharf token create" prints it',
    );
  const kc = tokenConfig(o);
  await checkNameFree(kc, o.nodeName);
  const api = kc.makeApiClient(CertificatesV1Api);
  const { keyPem, csrPem } = await nodeRequest(o.nodeName);
  const name = `node-csr-${o.nodeName}-${randomBytes(3).toString('hex')}`.slice(0, 253);
  try {
    await api.createCertificateSigningRequest({
      body: {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name },
        spec: {
          request: Buffer.from(csrPem).toString('base64'),
          signerName: KUBELET_CLIENT_SIGNER,
          usages: ['digital signature', 'client auth'],
        },
      },
    });
  } catch (e) {
    throw explain(e, 'creating the certificate request');
  }
  const cert = await waitForCertificate(api, name, o.timeoutMs ?? 300_000);
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = kubeconfigPath(dataDir);
  writeFileSync(path, nodeKubeconfig(o.server, o.ca, o.nodeName, cert, keyPem), { mode: 0o600 });
  chmodSync(path, 0o600);
  return name;
}
