// The node agents `wharf up --nodes N` runs on this machine: one runtime (PodRuntime, or
// ProcessRuntime where runc cannot run) and NodeAgent per node, each with its own bridge and pod CIDR, zones a, b, c,
// …, and one image cache pulled from
// the built-in registry and others. Each agent talks to the API and the registry as
// system:node:<name> with its own kubeconfig. `wharf reset` removes what they created.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { withDefaults, type Resolved } from '@wharf/api';
import type { Logger } from '@wharf/client';
import { startServiceProxy, stopDataplane } from './dataplane.js';
import { podRange, podRangeOctet, releasePodRange } from './pod-range.js';
import { nodeRuntime } from './node-runtime.js';
import { ensureNodeServingCert, type ServingCert } from './node-serving.js';
import { nodeAgentVersion } from './agent/version.js';
import { agentStateDir, joinedAgents, readAgentRecord, stopAgent, volumesDir } from './agent/state.js';
import { AgentProcesses, type AgentProcessSpec } from './agent/processes.js';
import { ImageStore } from '@wharf/images';
import {
  DEFAULT_SERVICE_CIDR,
  LocalProvisioner,
  type LocalNodeStorage,
  ensureHostAddress,
  removeHostAddress,
  KUBELET_PORT,
  type NodeServing,
  installGuard,
  removeGuard,
  removeGuardRoutes,
  NodeAgent,
  PolicyEnforcer,
  cleanupPolicyRules,
  policyPrefix,
  policySources,
  RegistryImageProvider,
  type ServiceProxy,
  kubeletVersionFor,
  cleanupServiceRules,
  podCidrGateway,
  proxyPrefix,
  readRuntimeKind,
  removeClusterDnsRedirect,
  type ContainerRuntime,
  type RuntimeKind,
} from '@wharf/node';

export interface NodeSetOptions {
  readonly dataDir: string;
  readonly count: number;
  /** runc containers, or host processes (no isolation, no Service dataplane, no cluster DNS). */
  readonly runtime: RuntimeKind;
  /** The local volume provisioner. */
  readonly kubeConfig: KubeConfig;
  /** The Service rules and the NetworkPolicy enforcers, as system:wharf:dataplane. @default kubeConfig */
  readonly dataplaneKubeConfig?: KubeConfig;
  /** The built-in registry; each node pulls from it with its own token. */
  readonly registry: { url: string; host: string; ca: string };
  /** Writes node `name`'s kubeconfig (user system:node:<name>) and answers its path. */
  readonly nodeKubeconfig: (name: string) => string;
  /** What the agents require of the API server for logs, exec, port-forward and metrics. @default none */
  readonly apiServerToken?: string;
  /** The Kubernetes version X.Y.Z the API server serves: what new agents run for (their kubelet version). */
  readonly kubernetesVersion: string;
  /** Lease renewal period of the agents. @default 10 (the kubelet's) */
  readonly heartbeatSeconds?: number;
  /** Each agent logs with `{ component: 'node-agent', node }`, DNS and the dataplane with their component. */
  readonly logger: Logger;
  /**
   * Run each agent as a `wharf agent` process of its own (agent/processes.ts) that signs in to
   * this API server, instead of in this process. @default in this process
   */
  readonly agentProcesses?: { readonly apiServer: string };
}

/** Without apiServerToken the agents accept any caller on loopback. */
export type ResolvedNodeSetOptions = Resolved<NodeSetOptions, 'heartbeatSeconds'>;

export function resolveNodeSetOptions(o: NodeSetOptions): ResolvedNodeSetOptions {
  return withDefaults({ heartbeatSeconds: 10 }, o);
}

/** Per data dir, so two Wharfs on one machine do not share bridges or pod CIDRs. */
function networkOf(dataDir: string, index: number): { bridge: string; podCIDR: string } {
  const h = createHash('sha256').update(dataDir).digest();
  const second = podRangeOctet(dataDir);
  return { bridge: `wh${h.toString('hex').slice(0, 6)}-${index}`, podCIDR: `10.${second}.${index}.0/24` };
}

/**
 * Where pods reach the API server (the `kubernetes` Service's endpoint): an address of the data
 * dir's pod range that no node's /24 holds (nodes count up from .0), on a device of its own.
 */
export function apiEndpointOf(dataDir: string): { device: string; address: string } {
  const { bridge, podCIDR } = networkOf(dataDir, 0);
  return { device: bridge.replace(/-0$/, '-api'), address: podCIDR.replace(/\.\d+\.0\/24$/, '.255.1') };
}

/**
 * Node `index`'s InternalIP, where pods reach its kubelet port: an address of the data dir's pod
 * range beside the API's (10.X.254.<index+1>, a /24 no node of up to 254 holds), on the API's device.
 */
function nodeAddressOf(dataDir: string, index: number): string | undefined {
  return index < 254 ? apiEndpointOf(dataDir).address.replace(/\.255\.1$/, `.254.${index + 1}`) : undefined;
}

/** The nodes' bridge gateways, where their pods query cluster DNS (none with the process runtime). */
export function dnsGateways(dataDir: string, count: number, runtime: RuntimeKind): string[] {
  return runtime === 'process' ? [] : gateways(dataDir, count);
}

function gateways(dataDir: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => podCidrGateway(networkOf(dataDir, i).podCIDR));
}

/** Node `index`'s runtime, in DIR/nodes/<name>. */
function runtimeFor(dataDir: string, name: string, index: number, kind: RuntimeKind): ContainerRuntime {
  return nodeRuntime(kind, name, join(dataDir, 'nodes', name), networkOf(dataDir, index));
}

/** Resets a node whose containers another runtime started (`--runtime` changed), so none is left behind. */
async function resetOtherRuntime(
  dataDir: string,
  name: string,
  index: number,
  kind: RuntimeKind,
  logger: Logger,
): Promise<void> {
  const previous = await readRuntimeKind(join(dataDir, 'nodes', name));
  if (!previous || previous === kind) return;
  if (previous === 'runc' && process.getuid?.() !== 0) {
    throw new Error(`${name} ran runc containers: remove them first with "sudo wharf reset --data-dir ${dataDir}"`);
  }
  logger.info(
    { node: name, from: previous, to: kind },
    'node switches runtime: removing its containers of the previous runtime',
  );
  await runtimeFor(dataDir, name, index, previous).reset();
}

/** `wharf agent`'s flags for the pod-facing kubelet port (the kubelet's --node-ip and --tls-*-file). */
function servingArgs(s: (ServingCert & { readonly address: string }) | undefined): string[] {
  return s ? ['--node-ip', s.address, '--tls-cert-file', s.certFile, '--tls-private-key-file', s.keyFile] : [];
}

export class NodeSet {
  private readonly agents = new Map<string, NodeAgent>();
  private readonly processes: AgentProcesses | undefined;
  /** Joined nodes whose NetworkPolicy enforcer is starting, and the timer that looks for new ones. */
  private readonly joinedStarting = new Set<string>();
  private joinedScan: NodeJS.Timeout | undefined;
  private readonly failed = new Set<string>();
  /** Each runc node's NetworkPolicy dataplane, by node name. */
  private readonly policies = new Map<string, PolicyEnforcer>();
  /** The informers every node's enforcer reads, one set for them all (made with the first). */
  private policyInformers: ReturnType<typeof policySources> | undefined;
  private store: ImageStore | undefined;
  private proxy: ServiceProxy | undefined;

  private get dataplaneKubeConfig(): KubeConfig {
    return this.o.dataplaneKubeConfig ?? this.o.kubeConfig;
  }
  private provisioner: LocalProvisioner | undefined;
  /** Where pods reach the API (after start; none with the process runtime). */
  apiAddress: string | undefined;
  /** Each runc node's pod-facing kubelet port: its address and serving certificate, by node name. */
  private readonly serving = new Map<string, NodeServing & ServingCert>();

  private readonly o: ResolvedNodeSetOptions;

  constructor(options: NodeSetOptions) {
    this.o = resolveNodeSetOptions(options);
    if (options.agentProcesses) this.processes = new AgentProcesses(this.o.logger.child({ component: 'node-agents' }));
  }

  async start(): Promise<void> {
    this.store = new ImageStore({ root: join(this.o.dataDir, 'node-images'), builtinHosts: [this.o.registry.host] });
    // Process pods use the host's network and resolv.conf, and iptables needs root: neither DNS nor the dataplane.
    if (this.o.runtime === 'process') {
      await this.startNodes();
      await this.startProvisioner();
      return;
    }
    // Before anything listens or routes: packets for the service range and this data dir's pod
    // range stay on the machine from now on, also while Wharf is stopped or crashed.
    await installGuard([DEFAULT_SERVICE_CIDR, podRange(this.o.dataDir)]).catch((e: unknown) =>
      this.o.logger.error(
        { err: e },
        'the egress guard could not be installed: packets to unused service addresses may leave the machine',
      ),
    );
    const api = apiEndpointOf(this.o.dataDir);
    try {
      await ensureHostAddress(api.device, api.address);
      this.apiAddress = api.address;
    } catch (e) {
      this.o.logger.error(
        { err: e },
        'the address pods reach the API on could not be set up: in-cluster clients will not reach the API',
      );
    }
    // Before the agents start: they listen there, and publish it as their InternalIP.
    if (this.apiAddress) await this.prepareServing(api.device);
    // Agent processes load and register while this process sets up the rest (awaited at the end).
    const nodes = this.processes ? this.startNodes() : undefined;
    nodes?.catch(() => undefined);
    if (!nodes) await this.startNodes();
    await this.startProvisioner();
    this.enforceJoined();
    await nodes;
  }

  /**
   * Runs the Services' kernel dataplane in this process. The dataplane process runs it (so
   * Services follow their endpoints while `wharf up` is down); this is for one of a build from
   * before it did, adopted because it could not hand over.
   */
  async startServiceProxy(): Promise<void> {
    if (this.o.runtime === 'process' || this.proxy) return;
    this.proxy = await startServiceProxy(this.o.dataDir, this.dataplaneKubeConfig, this.o.logger);
  }

  /**
   * Each node's InternalIP on the API's device and its serving certificate (node-serving.ts). A
   * node without them keeps InternalIP 127.0.0.1, its metrics reached only through the API server.
   */
  private async prepareServing(device: string): Promise<void> {
    for (let i = 0; i < this.o.count; i++) {
      const name = `node-${i}`;
      const address = nodeAddressOf(this.o.dataDir, i);
      if (!address) continue;
      try {
        await ensureHostAddress(device, address);
        const cert = await ensureNodeServingCert(
          join(this.o.dataDir, 'pki'),
          join(this.o.dataDir, 'nodes', name),
          name,
          address,
        );
        this.serving.set(name, { address, port: KUBELET_PORT, ...cert });
      } catch (e) {
        this.o.logger.error(
          { err: e, node: name },
          "the node's pod-facing kubelet port could not be set up: pods will not reach its metrics",
        );
      }
    }
  }

  /** Dynamic local volumes for this host's nodes (the default StorageClass `local-path`). */
  private async startProvisioner(): Promise<void> {
    const own = Array.from({ length: this.o.count }, (_, i) => ({
      node: `node-${i}`,
      dir: join(this.o.dataDir, 'nodes', `node-${i}`, 'volumes'),
    }));
    // And the nodes joined with `wharf agent` under DIR/agents, also those that join later.
    const nodes = (): LocalNodeStorage[] => [
      ...own,
      ...joinedAgents(this.o.dataDir).map((a) => ({ node: a.record.nodeName, dir: volumesDir(a.dataDir, a.record) })),
    ];
    this.provisioner = new LocalProvisioner({
      kubeConfig: this.o.kubeConfig,
      nodes,
      logger: this.o.logger.child({ component: 'local-provisioner' }),
    });
    try {
      await this.provisioner.start();
    } catch (e) {
      this.o.logger.error(
        { err: e },
        'the local volume provisioner could not start: claims of the local-path class will stay Pending',
      );
      this.provisioner = undefined;
    }
  }

  /** Agent processes start side by side (each loads its modules for seconds); in-process agents one by one. */
  private async startNodes(): Promise<void> {
    const all = Array.from({ length: this.o.count }, (_, i) => i);
    // A node beyond --nodes goes silent as it would with agents in this process (its containers stay).
    const dir = join(this.o.dataDir, 'nodes');
    for (const name of existsSync(dir)
      ? readdirSync(dir).filter((n) => /^node-\d+$/.test(n) && Number(n.slice(5)) >= this.o.count)
      : []) {
      if (await stopAgent(join(dir, name)))
        this.o.logger.info({ node: name }, 'stopped the agent process of a node beyond --nodes');
    }
    if (this.processes) await Promise.all(all.map((i) => this.startNode(i)));
    else for (const i of all) await this.startNode(i);
  }

  /**
   * The `wharf agent` process of node i: its state stays in DIR/nodes/<node>, as an in-process
   * agent's. It runs for `version`, by default the one it ran before (agent/version.ts).
   */
  private processSpec(i: number, version?: string): AgentProcessSpec {
    const name = `node-${i}`;
    const dir = join(this.o.dataDir, 'nodes', name);
    const net = networkOf(this.o.dataDir, i);
    const kubernetesVersion =
      version ?? nodeAgentVersion(readAgentRecord(dir)?.kubernetesVersion, this.o.kubernetesVersion);
    return {
      name,
      dataDir: dir,
      args: [
        'agent',
        '--node',
        name,
        '--server',
        this.o.agentProcesses!.apiServer,
        '--data-dir',
        dir,
        '--state-dir',
        dir,
        '--pod-cidr',
        net.podCIDR,
        '--bridge',
        net.bridge,
        '--zone',
        String.fromCharCode(97 + (i % 26)),
        '--registry',
        this.o.registry.host,
        '--runtime',
        this.o.runtime,
        '--image-dir',
        join(this.o.dataDir, 'node-images'),
        '--rootfs-dir',
        join(this.o.dataDir, 'rootfs'),
        '--heartbeat-seconds',
        String(this.o.heartbeatSeconds),
        '--kubernetes-version',
        kubernetesVersion,
        '--log-format',
        'json',
        ...(this.o.runtime !== 'process' ? ['--cluster-dns', 'gateway'] : []),
        ...servingArgs(this.serving.get(name)),
      ],
    };
  }

  private async startNode(i: number): Promise<void> {
    const name = `node-${i}`;
    await resetOtherRuntime(this.o.dataDir, name, i, this.o.runtime, this.o.logger);
    if (this.processes) {
      // The kubeconfig the agent signs in with (system:node:<name>, a token kept in tokens.csv).
      this.o.nodeKubeconfig(name);
      const spec = this.processSpec(i);
      await this.processes.ensure(spec);
      this.processes.watch(spec);
      if (this.o.runtime !== 'process') await this.startPolicies(name);
      return;
    }
    // An agent process of an earlier `wharf up --node-processes` would run the node twice.
    if (await stopAgent(join(this.o.dataDir, 'nodes', name)))
      this.o.logger.info(
        { node: name },
        'stopped the node agent process of an earlier start: the agent runs in this process',
      );
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(this.o.nodeKubeconfig(name));
    const token = kubeConfig.getCurrentUser()?.token ?? '';
    // One store and rootfs cache for every node; each pulls with its own token.
    const images = new RegistryImageProvider({
      store: this.store!,
      registryHost: this.o.registry.host,
      rootfsDir: join(this.o.dataDir, 'rootfs'),
      registry: { url: this.o.registry.url, token, ca: this.o.registry.ca },
    });
    const agent = new NodeAgent({
      kubeConfig,
      nodeName: name,
      zone: String.fromCharCode(97 + (i % 26)),
      podCIDR: networkOf(this.o.dataDir, i).podCIDR,
      runtime: runtimeFor(this.o.dataDir, name, i, this.o.runtime),
      images,
      stateDir: join(this.o.dataDir, 'nodes', name),
      logsPort: 0,
      logger: this.o.logger.child({ component: 'node-agent' }),
      heartbeatSeconds: this.o.heartbeatSeconds,
      apiServerToken: this.o.apiServerToken,
      // It runs this process's code, so it is always the control plane's version.
      kubeletVersion: kubeletVersionFor(this.o.kubernetesVersion),
      ...(this.serving.has(name) ? { serving: this.serving.get(name)! } : {}),
      // Cluster DNS runs in the dataplane process (dataplane.ts): pods query their bridge gateway, redirected to it.
      ...(this.o.runtime !== 'process'
        ? { clusterDns: { server: podCidrGateway(networkOf(this.o.dataDir, i).podCIDR), domain: 'cluster.local' } }
        : {}),
    });
    await agent.start();
    this.agents.set(name, agent);
    if (this.o.runtime !== 'process') await this.startPolicies(name);
  }

  /**
   * NetworkPolicy for the runc nodes joined with `wharf agent` under DIR/agents: an enforcer for
   * each, started as they appear (checked every 5 s). Their rules stay when one stops, as ours do.
   */
  private enforceJoined(): void {
    const scan = (): void => {
      for (const { record: r } of joinedAgents(this.o.dataDir)) {
        if (r.runtime !== 'runc' || this.policies.has(r.nodeName) || this.joinedStarting.has(r.nodeName)) continue;
        this.joinedStarting.add(r.nodeName);
        void this.startPolicies(r.nodeName).finally(() => this.joinedStarting.delete(r.nodeName));
      }
    };
    scan();
    this.joinedScan = setInterval(scan, 5000);
    this.joinedScan.unref();
  }

  /** The node's NetworkPolicy rules (its pods' traffic in FORWARD); a failure leaves pods unisolated, loudly. */
  private async startPolicies(name: string): Promise<void> {
    this.policyInformers ??= policySources(this.dataplaneKubeConfig, {
      logger: this.o.logger.child({ component: 'network-policy' }),
    });
    const enforcer = new PolicyEnforcer({
      kubeConfig: this.dataplaneKubeConfig,
      sources: this.policyInformers,
      nodeName: name,
      prefix: policyPrefix(this.o.dataDir, name),
      logger: this.o.logger.child({ component: 'network-policy', node: name }),
    });
    try {
      await enforcer.start();
      this.policies.set(name, enforcer);
    } catch (e) {
      this.o.logger.error(
        { err: e, node: name },
        'the NetworkPolicy dataplane could not start: policies are not enforced for this node',
      );
    }
  }

  private indexOf(name: string): number {
    const m = /^node-(\d+)$/.exec(name);
    const i = m ? Number(m[1]) : -1;
    if (i < 0 || i >= this.o.count)
      throw new Error(`no node named "${name}" (nodes: node-0 … node-${this.o.count - 1})`);
    return i;
  }

  /**
   * Makes a node fail abruptly, as a machine losing power: its agent stops heartbeating and every
   * container, network namespace and bridge of the node is gone. The control plane notices only
   * through the missing heartbeats.
   */
  async fail(name: string): Promise<void> {
    const i = this.indexOf(name);
    if (this.failed.has(name)) return;
    this.failed.add(name);
    await this.processes?.kill(this.processSpec(i));
    await this.agents.get(name)?.stop();
    this.agents.delete(name);
    // The machine's rules go with it (its pods' addresses may be handed out again elsewhere).
    await this.policies.get(name)?.stop();
    this.policies.delete(name);
    if (this.o.runtime !== 'process') await cleanupPolicyRules(policyPrefix(this.o.dataDir, name)).catch(() => false);
    await runtimeFor(this.o.dataDir, name, i, this.o.runtime).reset();
  }

  /** Brings a failed node back: a fresh agent registers, heartbeats and runs what is bound to it. */
  async restore(name: string): Promise<void> {
    const i = this.indexOf(name);
    if (!this.failed.has(name)) return;
    await this.startNode(i);
    this.failed.delete(name);
  }

  /**
   * An upgrade's node step: restarts the node's agent process for the control plane's version
   * (its containers keep running and are adopted). In-process agents already run it.
   */
  async upgradeAgent(name: string): Promise<void> {
    const i = this.indexOf(name);
    if (!this.processes || this.failed.has(name)) return;
    // Unwatched first, or the supervisor would start the old version in the gap.
    this.processes.unwatch(name);
    const spec = this.processSpec(i, this.o.kubernetesVersion);
    try {
      await this.processes.ensure(spec);
    } finally {
      this.processes.watch(spec);
    }
  }

  /**
   * Stops the agents (agent processes keep running); their containers, the Service and
   * NetworkPolicy rules stay, to be adopted by the next start.
   */
  async stop(): Promise<void> {
    this.processes?.stop();
    clearInterval(this.joinedScan);
    await this.provisioner?.stop();
    await this.proxy?.stop();
    await Promise.all([...this.policies.values()].map((p) => p.stop()));
    this.policies.clear();
    await this.policyInformers?.stop();
    this.policyInformers = undefined;
    await Promise.all([...this.agents.values()].map((a) => a.stop()));
  }
}

/**
 * Stops and removes every container (runc containers or host processes, as each node's runtime
 * recorded), network namespace, bridge and mount of the data dir's nodes.
 */
export async function resetNodes(dataDir: string, opts: { removeGuard?: boolean } = {}): Promise<string[]> {
  const dir = join(dataDir, 'nodes');
  // The guard of the service range is shared by every Wharf on the machine and stays (so a
  // client that still knows a cluster IP is refused instead of leaving), unless asked.
  if (opts.removeGuard) await removeGuard();
  await stopDataplane(dataDir);
  // Nodes joined with `wharf agent` whose data dirs live in this one (DIR/agents/<node>), or this
  // data dir itself when it is an agent's.
  const others = joinedAgents(dataDir);
  const joined = (await Promise.all([dataDir, ...others.map((a) => a.dataDir)].map((d) => resetAgent(d)))).filter(
    (n): n is string => n !== undefined,
  );
  // What this data dir's dataplane and NetworkPolicy enforcers did for its joined nodes.
  if (process.getuid?.() === 0) {
    for (const { record: r } of others.filter((a) => a.record.runtime === 'runc')) {
      await cleanupPolicyRules(policyPrefix(dataDir, r.nodeName));
      await removeClusterDnsRedirect([podCidrGateway(r.podCIDR)]);
    }
  }
  if (!existsSync(dir)) return joined;
  const names = readdirSync(dir)
    .filter((n) => /^node-\d+$/.test(n))
    .sort();
  const root = process.getuid?.() === 0;
  for (const name of names) {
    // The agent process of `--node-processes` first: it would start what is being removed.
    await stopAgent(join(dir, name));
    // Without a record (data dirs from before runtimes were recorded): only root can have run runc.
    const kind = (await readRuntimeKind(join(dir, name))) ?? (root ? 'runc' : 'process');
    if (kind === 'runc' && !root) throw new Error(`${name} ran runc containers: resetting it needs root`);
    await runtimeFor(dataDir, name, Number(name.slice(5)), kind).reset();
  }
  // iptables rules exist only where root ran the dataplane and DNS.
  if (!root) return [...names, ...joined];
  await cleanupServiceRules(proxyPrefix(dataDir));
  for (const name of names) await cleanupPolicyRules(policyPrefix(dataDir, name));
  await removeGuardRoutes([podRange(dataDir)]);
  await removeHostAddress(apiEndpointOf(dataDir).device);
  await removeClusterDnsRedirect(names.map((n) => podCidrGateway(networkOf(dataDir, Number(n.slice(5))).podCIDR)));
  releasePodRange(dataDir);
  return [...names, ...joined];
}

/** Stops a `wharf agent` data dir's process and removes its node's containers; answers the node's name. */
async function resetAgent(dataDir: string): Promise<string | undefined> {
  const r = readAgentRecord(dataDir);
  if (!r) return undefined;
  if (r.runtime === 'runc' && process.getuid?.() !== 0)
    throw new Error(`${r.nodeName} ran runc containers: resetting it needs root`);
  await stopAgent(dataDir);
  await nodeRuntime(r.runtime, r.nodeName, r.stateDir ?? agentStateDir(dataDir), r).reset();
  return r.nodeName;
}
