// The node agents `wharf up --nodes N` runs on this machine: one PodRuntime and NodeAgent per
// node, each with its own bridge and pod CIDR, zones a, b, c, …, and one image cache pulled from
// the built-in registry. `wharf reset` removes what they created.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ImageStore } from '@wharf/images';
import { ClusterDns, NodeAgent, PodRuntime, RegistryImageProvider, ServiceProxy, cleanupServiceRules, podCidrGateway, proxyPrefix, removeClusterDnsRedirect } from '@wharf/node';

export interface NodeSetOptions {
  readonly dataDir: string;
  readonly count: number;
  readonly kubeConfig: KubeConfig;
  readonly registry: { url: string; host: string; token: string; ca: string };
  readonly log: (msg: string, err?: unknown) => void;
}

/** Per data dir, so two Wharfs on one machine do not share bridges or pod CIDRs. */
function networkOf(dataDir: string, index: number): { bridge: string; podCIDR: string } {
  const h = createHash('sha256').update(dataDir).digest();
  // 10.128.0.0/10: clear of the service range 10.96.0.0/12.
  const second = 128 + ((h[0] ?? 0) % 64);
  return { bridge: `wh${h.toString('hex').slice(0, 6)}-${index}`, podCIDR: `10.${second}.${index}.0/24` };
}

function gateways(dataDir: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => podCidrGateway(networkOf(dataDir, i).podCIDR));
}

function runtimeFor(dataDir: string, name: string, index: number): PodRuntime {
  const net = networkOf(dataDir, index);
  return new PodRuntime({ nodeName: name, stateDir: join(dataDir, 'nodes', name), cni: { podCIDR: net.podCIDR, bridge: net.bridge } });
}

export class NodeSet {
  private readonly agents = new Map<string, NodeAgent>();
  private readonly failed = new Set<string>();
  private images: RegistryImageProvider | undefined;
  private dns: ClusterDns | undefined;
  private proxy: ServiceProxy | undefined;

  constructor(private readonly o: NodeSetOptions) {}

  async start(): Promise<void> {
    const store = new ImageStore({ root: join(this.o.dataDir, 'node-images'), builtinHosts: [this.o.registry.host] });
    this.images = new RegistryImageProvider({
      store, registryHost: this.o.registry.host, rootfsDir: join(this.o.dataDir, 'rootfs'),
      registry: { url: this.o.registry.url, token: this.o.registry.token, ca: this.o.registry.ca },
    });
    // One cluster DNS server; each node's pods query their bridge gateway, redirected to it.
    this.dns = new ClusterDns({ kubeConfig: this.o.kubeConfig, port: 0, redirectFrom: gateways(this.o.dataDir, this.o.count), log: this.o.log });
    await this.dns.start();
    for (let i = 0; i < this.o.count; i++) await this.startNode(i);
    // The Services' kernel dataplane (iptables DNAT from EndpointSlices), as kube-proxy.
    this.proxy = new ServiceProxy({ kubeConfig: this.o.kubeConfig, prefix: proxyPrefix(this.o.dataDir), log: this.o.log });
    try {
      await this.proxy.start();
    } catch (e) {
      this.o.log('the Service dataplane could not start: Services will not route', e);
      this.proxy = undefined;
    }
  }

  private async startNode(i: number): Promise<void> {
    const name = `node-${i}`;
    const agent = new NodeAgent({
      kubeConfig: this.o.kubeConfig, nodeName: name, zone: String.fromCharCode(97 + (i % 26)),
      podCIDR: networkOf(this.o.dataDir, i).podCIDR, runtime: runtimeFor(this.o.dataDir, name, i),
      images: this.images as RegistryImageProvider, stateDir: join(this.o.dataDir, 'nodes', name),
      logsPort: 0, log: this.o.log,
      clusterDns: { server: podCidrGateway(networkOf(this.o.dataDir, i).podCIDR), domain: 'cluster.local' },
    });
    await agent.start();
    this.agents.set(name, agent);
  }

  private indexOf(name: string): number {
    const m = /^node-(\d+)$/.exec(name);
    const i = m ? Number(m[1]) : -1;
    if (i < 0 || i >= this.o.count) throw new Error(`no node named "${name}" (nodes: node-0 … node-${this.o.count - 1})`);
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
    await this.agents.get(name)?.stop();
    this.agents.delete(name);
    await runtimeFor(this.o.dataDir, name, i).reset();
  }

  /** Brings a failed node back: a fresh agent registers, heartbeats and runs what is bound to it. */
  async restore(name: string): Promise<void> {
    const i = this.indexOf(name);
    if (!this.failed.has(name)) return;
    await this.startNode(i);
    this.failed.delete(name);
  }

  /** Stops the agents; their containers keep running, to be adopted by the next start. */
  async stop(): Promise<void> {
    await this.proxy?.stop();
    await Promise.all([...this.agents.values()].map((a) => a.stop()));
    await this.dns?.stop();
  }
}

/** Stops and removes every container, network namespace, bridge and mount of the data dir's nodes. */
export async function resetNodes(dataDir: string): Promise<string[]> {
  const dir = join(dataDir, 'nodes');
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).filter((n) => /^node-\d+$/.test(n)).sort();
  for (const name of names) await runtimeFor(dataDir, name, Number(name.slice(5))).reset();
  await cleanupServiceRules(proxyPrefix(dataDir));
  await removeClusterDnsRedirect(names.map((n) => podCidrGateway(networkOf(dataDir, Number(n.slice(5))).podCIDR)));
  return names;
}
