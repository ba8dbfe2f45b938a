// The body of `wharf agent`: a node agent as a process of its own, on this machine or another,
// like a kubelet started by `kubeadm join`. The first start joins with a bootstrap token (CA
// discovery, then a node client certificate, join.ts); every later start signs in with the
// certificate in DIR/kubeconfig and adopts the containers the previous process left running.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ImageStore } from '@wharf/images';
import { KubeClient } from '@wharf/client';
import {
  KUBELET_PORT,
  NodeAgent,
  RegistryImageProvider,
  kubeletVersionFor,
  podCidrGateway,
  readRuntimeKind,
  type NodeServing,
} from '@wharf/node';
import { defaultDataDir } from '../endpoints.js';
import { cliLogger, chooseLogFormat, checkLogLevel } from '../log.js';
import { nodeRuntime } from '../node-runtime.js';
import { chooseRuntime } from '../runtime-check.js';
import { apiServerCheck } from './api-server-check.js';
import type { CaSource } from './discovery.js';
import { kubeconfigPath, loadNodeKubeconfig } from './kubeconfig.js';
import { agentStateDir, isAgentProcess, readAgentRecord, writeAgentRecord } from './state.js';
import { agentSkew, parseAgentVersion } from './version.js';

export interface AgentCommandOptions {
  readonly node: string;
  readonly server: string;
  readonly token?: string;
  readonly caCertHash?: string;
  readonly caCert?: string;
  readonly dataDir?: string;
  readonly podCidr?: string;
  readonly bridge?: string;
  readonly zone?: string;
  readonly registry?: string;
  readonly runtime?: string;
  readonly logFormat?: string;
  readonly logLevel?: string;
  /** Where the runtime keeps containers, volumes and logs (`wharf up` keeps DIR/nodes/<node>). @default DIR/node */
  readonly stateDir?: string;
  /**
   * The image store and unpacked root filesystems, shared by the nodes of one `wharf up`. @default DIR/images,
   * DIR/rootfs
   */
  readonly imageDir?: string;
  readonly rootfsDir?: string;
  /** Lease renewal period, in seconds. @default 10 */
  readonly heartbeatSeconds?: string;
  /**
   * The Kubernetes version X.Y.Z this agent runs for (nodeInfo.kubeletVersion). @default the one it ran before, else
   * the API server's
   */
  readonly kubernetesVersion?: string;
  /**
   * `gateway`: ClusterFirst pods query the node's bridge gateway, which this machine's dataplane redirects to cluster
   * DNS; an IP: that server.
   */
  readonly clusterDns?: string;
  /** The InternalIP where the kubelet port listens for pods (with the two TLS files). @default none: 127.0.0.1 */
  readonly nodeIp?: string;
  readonly tlsCertFile?: string;
  readonly tlsPrivateKeyFile?: string;
}

/** The pod-facing kubelet port of --node-ip, --tls-cert-file and --tls-private-key-file (all or none). */
function servingOf(o: AgentCommandOptions): NodeServing | undefined {
  if (o.nodeIp === undefined && o.tlsCertFile === undefined && o.tlsPrivateKeyFile === undefined) return undefined;
  if (!o.nodeIp || !isIP(o.nodeIp)) throw new Error(`--node-ip must be an IP address, got "${o.nodeIp ?? ''}"`);
  if (!o.tlsCertFile || !o.tlsPrivateKeyFile)
    throw new Error('--node-ip needs --tls-cert-file and --tls-private-key-file (its serving certificate and key)');
  return {
    address: o.nodeIp,
    port: KUBELET_PORT,
    cert: readFileSync(o.tlsCertFile, 'utf8'),
    key: readFileSync(o.tlsPrivateKeyFile, 'utf8'),
  };
}

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** The data dir of node `name` when none is given: beside the default Wharf data dir. */
export const agentDataDir = (name: string, dir: string | undefined): string =>
  resolve(dir ?? join(defaultDataDir(undefined), 'agents', name));

/** A bridge name of at most 15 characters, one per data dir. */
const bridgeOf = (dataDir: string): string => `wa${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`;

function caSource(o: AgentCommandOptions): CaSource {
  if (o.caCert) return { caFile: o.caCert };
  if (o.caCertHash) return { caCertHash: o.caCertHash };
  throw new Error(
    "give --ca-cert-hash sha256:... (the cluster CA's public key pin) or --ca-cert FILE to trust the cluster before joining",
  );
}

/**
 * The Kubernetes version this agent runs for (asked, else what it ran before, else the API
 * server's, as a kubelet installed at the cluster's version); refused outside the skew policy.
 */
async function agentVersion(api: KubeClient, wanted: string | undefined): Promise<string> {
  const server = parseAgentVersion(
    (await api.get<{ gitVersion: string }>('/version')).gitVersion,
    "the API server's /version",
  );
  const version = wanted === undefined ? server : parseAgentVersion(wanted);
  const skew = agentSkew(version, server);
  if (skew) throw new Error(`${skew} (see --kubernetes-version)`);
  return version;
}

export async function runAgent(o: AgentCommandOptions): Promise<void> {
  if (!NODE_NAME.test(o.node))
    throw new Error(`--node "${o.node}" must be a DNS subdomain (lowercase letters, digits, - and .)`);
  let server: URL;
  try {
    server = new URL(o.server);
  } catch {
    throw new Error(`--server must be an https URL, got "${o.server}"`);
  }
  if (server.protocol !== 'https:') throw new Error(`--server must be an https URL, got "${o.server}"`);
  const dataDir = agentDataDir(o.node, o.dataDir);
  const tty = process.stdout.isTTY === true;
  const log = cliLogger({
    format: chooseLogFormat(o.logFormat, tty),
    level: checkLogLevel(o.logLevel),
    colorize: tty,
  }).child({ component: 'node-agent' });
  const previous = readAgentRecord(dataDir);
  if (previous && previous.nodeName !== o.node)
    throw new Error(`${dataDir} holds node ${previous.nodeName}, not ${o.node}`);
  if (previous && isAgentProcess(previous))
    throw new Error(`an agent for ${o.node} already runs (pid ${previous.pid})`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const kubeconfig = kubeconfigPath(dataDir);
  if (existsSync(kubeconfig)) {
    log.info({ kubeconfig }, 'signing in with the node certificate of an earlier join');
  } else {
    if (!o.token)
      throw new Error(`${o.node} has not joined yet (no ${kubeconfig}): give --token from "wharf token create"`);
    // Only a first start joins: the discovery and CSR code (client-node, x509) is loaded for it alone.
    const [{ discoverCa }, { joinCluster }] = await Promise.all([import('./discovery.js'), import('./join.js')]);
    const ca = await discoverCa(o.server, caSource(o));
    log.info({ server: o.server }, 'cluster CA verified; asking for a node client certificate');
    const csr = await joinCluster(dataDir, { server: o.server, ca, token: o.token, nodeName: o.node });
    log.info({ csr, kubeconfig }, 'joined: node client certificate issued');
  }
  const kubeConfig = loadNodeKubeconfig(kubeconfig);
  const { ca, user } = kubeConfig;
  const holder = user.name.replace(/^system:node:/, '');
  if (holder !== o.node) throw new Error(`${kubeconfig} signs in as node ${holder || '?'}, not ${o.node}`);
  const api = new KubeClient(kubeConfig, { userAgent: 'wharf-agent', requestTimeoutMs: 10_000 });
  const version = await agentVersion(api, o.kubernetesVersion ?? previous?.kubernetesVersion);

  const runtime = chooseRuntime(o.runtime).kind;
  const stateDir = o.stateDir ? resolve(o.stateDir) : agentStateDir(dataDir);
  const recorded = await readRuntimeKind(stateDir);
  if (recorded && recorded !== runtime)
    throw new Error(
      `${o.node} runs ${recorded} containers: remove them first with "wharf reset --data-dir ${dataDir}"`,
    );
  const net = {
    podCIDR: o.podCidr ?? previous?.podCIDR ?? '10.127.0.0/24',
    bridge: o.bridge ?? previous?.bridge ?? bridgeOf(dataDir),
  };
  if (previous && (net.podCIDR !== previous.podCIDR || net.bridge !== previous.bridge)) {
    throw new Error(
      `${o.node} runs pods on ${previous.bridge} ${previous.podCIDR}: reset it first to change its network`,
    );
  }
  const heartbeatSeconds = o.heartbeatSeconds === undefined ? undefined : Number(o.heartbeatSeconds);
  if (heartbeatSeconds !== undefined && !(Number.isInteger(heartbeatSeconds) && heartbeatSeconds > 0))
    throw new Error(`--heartbeat-seconds must be a whole number above 0, got "${o.heartbeatSeconds}"`);
  const dnsServer = o.clusterDns === 'gateway' ? podCidrGateway(net.podCIDR) : o.clusterDns;
  if (dnsServer !== undefined && !isIP(dnsServer))
    throw new Error(`--cluster-dns must be an IP address or "gateway", got "${o.clusterDns}"`);
  const serving = servingOf(o);
  const record = {
    pid: process.pid,
    nodeName: o.node,
    server: o.server,
    runtime,
    ...net,
    kubernetesVersion: version,
    startedAt: new Date().toISOString(),
    stateDir,
    args: process.argv.slice(2),
  };
  writeAgentRecord(dataDir, record);

  // Images of the built-in registry: HTTPS under the cluster CA, signed in with the node's certificate.
  const registryHost = o.registry ?? `${server.hostname}:5000`;
  const images = new RegistryImageProvider({
    store: new ImageStore({
      root: o.imageDir ? resolve(o.imageDir) : join(dataDir, 'images'),
      builtinHosts: [registryHost],
    }),
    registryHost,
    rootfsDir: o.rootfsDir ? resolve(o.rootfsDir) : join(dataDir, 'rootfs'),
    // A joined node shows its certificate; the nodes of `wharf up` sign in with a token.
    registry: {
      url: `https://${registryHost}`,
      ca,
      ...(user.token ? { token: user.token } : { clientCert: { cert: user.cert ?? '', key: user.key ?? '' } }),
    },
  });
  const agent = new NodeAgent({
    kubeConfig,
    nodeName: o.node,
    ...(o.zone ? { zone: o.zone } : {}),
    podCIDR: net.podCIDR,
    runtime: nodeRuntime(runtime, o.node, stateDir, net),
    images,
    stateDir,
    logsPort: 0,
    logger: log,
    // Only the API server may read logs, exec or scrape: checked by a TokenReview of its token.
    apiServerToken: apiServerCheck(api),
    kubeletVersion: kubeletVersionFor(version),
    ...(heartbeatSeconds ? { heartbeatSeconds } : {}),
    ...(dnsServer ? { clusterDns: { server: dnsServer, domain: 'cluster.local' } } : {}),
    ...(serving ? { serving } : {}),
  });
  await agent.start();
  // What `wharf up` waits for before it reports the node started.
  writeAgentRecord(dataDir, { ...record, readyAt: new Date().toISOString() });
  log.info({ node: o.node, version: kubeletVersionFor(version), runtime, ...net, dataDir }, 'node agent running');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping; containers keep running');
    // Containers stay: the next start adopts them.
    void agent.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
