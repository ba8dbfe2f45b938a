// The service dataplane (Wharf's kube-proxy in iptables mode): watches Services, EndpointSlices
// and Nodes (for their pod CIDRs), and after any change — debounced — rewrites its own iptables
// chains in one `iptables-restore --noflush` transaction, so that connections to a cluster IP or
// node port are DNATed by the kernel to a ready endpoint. As kube-proxy's, the rules outlive the
// process (unless `removeRulesOnStop`): a restarted proxy adopts what it finds when it is the rule
// set it would write, and otherwise replaces it in one atomic transaction, never with a gap.
// Node ports answer on 127.0.0.1 by default, which needs route_localnet (set on start, restored on
// stop, with kube-proxy's martian guard): see README.md beside this file.
import { createHash } from 'node:crypto';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Informer } from '@wharf/client';
import { componentUserAgent, KubeClient, silentLogger, type Logger } from '@wharf/client';
import {
  bridgeNetfilter,
  enableRouteLocalnet,
  iptablesBackend,
  restore,
  restoreRouteLocalnet,
  saveTables,
  cleanup,
  type IptablesBackend,
} from './iptables.js';
import { servicePorts, type EndpointSliceObject, type ServiceObject } from './model.js';
import {
  buildRuleSet,
  checkPrefix,
  installedMark,
  jumps,
  markRuleSet,
  missingJumps,
  restoreText,
  staleJumps,
} from './rules.js';
import { SyncLoop, type SyncClock } from './sync-loop.js';

/** Time as a dependency, so tests can drive the debounce by hand. */
export type ProxyClock = SyncClock;

const realClock: ProxyClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ServiceProxyOptions {
  readonly kubeConfig: KubeConfig;
  /** Chain prefix, unique per Wharf data dir (at most 12 characters), e.g. `WHARF-1A2B3C`. */
  readonly prefix: string;
  /**
   * CIDRs of the local addresses node ports answer on. Loopback addresses need
   * `net.ipv4.conf.all.route_localnet=1`, which start() sets and stop() restores.
   * @default ['127.0.0.1/32']
   */
  readonly nodePortAddresses?: readonly string[];
  /**
   * The service CIDR: connections to an address in it that no Service rule DNATed are rejected
   * unless they go out a pod bridge, so they never leave the machine.
   * @default '10.96.0.0/12'
   */
  readonly serviceCIDR?: string;
  /** iptables `-o` patterns of the pod bridges. @default ['wh+'] (Wharf's node bridges) */
  readonly podInterfaces?: readonly string[];
  /**
   * Pod CIDRs to masquerade toward. @default the `spec.podCIDRs` of the cluster's Nodes
   */
  readonly podCIDRs?: readonly string[];
  /**
   * The CIDRs this cluster's pods send from: routed packets from elsewhere skip the Service
   * rules unless they are for a local address (node ports), so pods of another cluster on the
   * same machine keep their own cluster IPs. @default every routed packet
   */
  readonly podSources?: readonly string[];
  /**
   * Remove every rule on stop (and put route_localnet back). Wharf leaves them, so Services keep
   * answering while it restarts; `wharf reset` removes them. @default false
   */
  readonly removeRulesOnStop?: boolean;
  /** Delay between a change and the sync that follows it. @default 100 */
  readonly debounceMs?: number;
  /** Full re-sync period, which also repairs removed jumps. @default 30000 */
  readonly resyncMs?: number;
  /** @default the real clock */
  readonly clock?: ProxyClock;
  /** @default silentLogger */
  readonly logger?: Logger;
}

/** The service CIDR the API server allocates cluster IPs from. */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

/** The chain prefix of a Wharf data dir: `WHARF-` and 6 hex digits of its path. */
export function proxyPrefix(dataDir: string): string {
  return `WHARF-${createHash('sha256').update(dataDir).digest('hex').slice(0, 6).toUpperCase()}`;
}

interface NodeObject {
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly podCIDR?: string; readonly podCIDRs?: readonly string[] };
}

/** iptables is missing or unusable here. */
export class ProxyUnavailableError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_PROXY_UNAVAILABLE';
  constructor(reason: string) {
    super(`the service proxy cannot run: ${reason}`);
    this.name = 'ProxyUnavailableError';
  }
}

export class ServiceProxy {
  private readonly client: KubeClient;
  private readonly clock: ProxyClock;
  private readonly logger: Logger;
  private readonly services: Informer<ServiceObject & { metadata?: { resourceVersion?: string } }>;
  private readonly slices: Informer<EndpointSliceObject & { metadata?: { resourceVersion?: string } }>;
  private readonly nodes: Informer<NodeObject>;
  private readonly loop: SyncLoop;
  private lastMark = '';
  private localnetBefore: string | undefined;
  /** The iptables backend found by start(). */
  backend: IptablesBackend | undefined;
  /** Milliseconds from the first unsynced change to its rules being applied, for the last sync. */
  get lastSyncDelayMs(): number {
    return this.loop.lastSyncDelayMs;
  }
  /** How many times rules were written. */
  syncCount = 0;
  /** Whether start() found its rule set already installed and kept it as it was. */
  adopted = false;

  constructor(private readonly o: ServiceProxyOptions) {
    checkPrefix(o.prefix);
    this.client = new KubeClient(o.kubeConfig, { userAgent: componentUserAgent('kube-proxy') });
    this.clock = o.clock ?? realClock;
    this.logger = o.logger ?? silentLogger;
    this.loop = new SyncLoop({
      clock: this.clock,
      coalesceMs: o.debounceMs ?? 100,
      resyncMs: o.resyncMs ?? 30_000,
      apply: (force) => this.apply(force),
      onError: (e) => this.logger.warn({ err: e }, 'sync failed; retrying in 1 s'),
    });
    const informer = <T extends KubernetesObject>(path: string): Informer<T> =>
      this.loop.follow<T>(this.client, path, this.logger);
    this.services = informer('/api/v1/services');
    this.slices = informer('/apis/discovery.k8s.io/v1/endpointslices');
    this.nodes = informer('/api/v1/nodes');
  }

  /** Lists everything, applies the first rule set, then follows changes. */
  async start(): Promise<void> {
    this.backend = await iptablesBackend();
    if (!this.backend) throw new ProxyUnavailableError('no iptables command');
    if (process.getuid?.() !== 0) throw new ProxyUnavailableError('iptables needs root');
    this.loop.begin();
    try {
      await Promise.all([this.services.startSynced(), this.slices.startSynced(), this.nodes.startSynced()]);
      if (this.nodePortAddresses().some((c) => c.startsWith('127.'))) this.localnetBefore = await enableRouteLocalnet();
      if (!(await bridgeNetfilter())) {
        this.logger.warn(
          'net.bridge.bridge-nf-call-iptables is not 1 (module br_netfilter): replies between two pods on one bridge bypass the service NAT',
        );
      }
      await this.apply('adopt'); // a first sync that fails fails start()
      this.loop.settled();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  /** Stops watching; with `removeRulesOnStop`, removes every chain and rule with this prefix. */
  async stop(): Promise<void> {
    await Promise.all([this.loop.stop(), this.services.stop(), this.slices.stop(), this.nodes.stop()]);
    if (this.o.removeRulesOnStop) {
      await cleanup(this.o.prefix);
      if (this.localnetBefore !== undefined) await restoreRouteLocalnet(this.localnetBefore);
    }
    this.localnetBefore = undefined;
    this.client.close();
  }

  private nodePortAddresses(): readonly string[] {
    return this.o.nodePortAddresses ?? ['127.0.0.1/32'];
  }

  private podCIDRs(): string[] {
    if (this.o.podCIDRs) return [...this.o.podCIDRs];
    const out = new Set<string>();
    for (const n of this.nodes.list())
      for (const c of n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])) if (!c.includes(':')) out.add(c);
    return [...out].sort();
  }

  /** Writes the rule set when it changed (`force`: always; `adopt`: unless already installed). */
  private async apply(force: boolean | 'adopt'): Promise<void> {
    if (!this.loop.running) return;
    const { set, mark } = markRuleSet(
      this.o.prefix,
      buildRuleSet({
        prefix: this.o.prefix,
        ports: servicePorts(this.services.list(), this.slices.list()),
        podCIDRs: this.podCIDRs(),
        nodePortAddresses: this.nodePortAddresses(),
        serviceCIDR: this.o.serviceCIDR ?? DEFAULT_SERVICE_CIDR,
        podInterfaces: this.o.podInterfaces ?? ['wh+'],
        localnetGuard: this.nodePortAddresses().some((c) => c.startsWith('127.')),
      }),
    );
    if (force === false && mark === this.lastMark) return;
    const saved = await saveTables();
    const wanted = jumps(this.o.prefix, this.o.podSources);
    if (
      force === 'adopt' &&
      installedMark(this.o.prefix, saved) === mark &&
      missingJumps(this.o.prefix, saved, wanted).length === 0 &&
      staleJumps(this.o.prefix, saved, wanted).length === 0
    ) {
      this.lastMark = mark;
      this.adopted = true;
      return;
    }
    const text = restoreText(this.o.prefix, set, saved, wanted);
    if (!this.loop.running) return;
    await restore(text);
    this.lastMark = mark;
    this.syncCount++;
  }
}
