// The runner of a node's NetworkPolicy dataplane: informers on Pods, Namespaces and
// NetworkPolicies; after a change (bursts coalesced into one sync) it computes the node's rule
// set (rules.ts, pure) and, when it differs from the last one written, writes it with ONE
// `iptables-restore --noflush` transaction. As the service proxy's, the rules outlive the process
// (a restart adopts an identical installed set); `wharf reset` removes them (cleanupPolicyRules).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { Informer } from '@wharf/client';
import { KubeClient, componentUserAgent, realClock, silentLogger, type Clock, type Logger } from '@wharf/client';
import { cleanup, iptablesBackend, restore, saveTables } from '../proxy/iptables.js';
import {
  checkPrefix,
  installedMark,
  markRuleSet,
  missingJumps,
  restoreText,
  type Jump,
  type RuleSet,
  type SavedTable,
} from '../proxy/rules.js';
import type { NamespaceObject, NetworkPolicyObject, PodObject } from './objects.js';
import { buildPolicyRuleSet, policyJumps } from './rules.js';
import { SyncLoop } from '../proxy/sync-loop.js';

export interface PolicyEnforcerOptions {
  readonly kubeConfig: KubeConfig;
  /** The node whose pods' traffic is filtered. */
  readonly nodeName: string;
  /** Chain prefix of this node (policyPrefix(dataDir, nodeName)). */
  readonly prefix: string;
  /**
   * Informers another owner runs and stops, shared by the enforcers of several nodes in one process
   * (policySources). @default informers of its own
   */
  readonly sources?: PolicySources;
  /** Delay that gathers a burst of changes into one sync. @default 50 */
  readonly coalesceMs?: number;
  /** Full re-sync period, which also repairs a removed jump. @default 30000 */
  readonly resyncMs?: number;
  /** Remove every rule on stop. Wharf leaves them (pods stay isolated while it restarts). @default false */
  readonly removeRulesOnStop?: boolean;
  /** @default realClock */
  readonly clock?: Clock;
  /** @default silentLogger */
  readonly logger?: Logger;
}

/** The chain prefix of one node of a data dir: `WNP-` and 6 hex digits (clear of the proxy's `WHARF-`). */
export function policyPrefix(dataDir: string, nodeName: string): string {
  return `WNP-${createHash('sha256').update(`${dataDir}\0${nodeName}`).digest('hex').slice(0, 6).toUpperCase()}`;
}

/** The informers an enforcer reads: every Pod, Namespace and NetworkPolicy of the cluster. */
export interface PolicySources {
  readonly pods: Informer<PodObject & KubernetesObject>;
  readonly namespaces: Informer<NamespaceObject & KubernetesObject>;
  readonly policies: Informer<NetworkPolicyObject & KubernetesObject>;
}

/**
 * One set of PolicySources for the enforcers of every node a process runs: each pod change is
 * then sent and parsed once, not once per node. The enforcers start them (once); stop() is the
 * owner's, after theirs.
 */
export function policySources(
  kubeConfig: KubeConfig,
  o: { readonly clock?: Clock; readonly logger?: Logger } = {},
): PolicySources & { stop(): Promise<void> } {
  const client = new KubeClient(kubeConfig, { userAgent: componentUserAgent('network-policy') });
  const logger = o.logger ?? silentLogger;
  const informer = <T extends KubernetesObject>(path: string): Informer<T> =>
    new Informer<T>({
      client,
      path,
      clock: o.clock ?? realClock,
      onError: (e) => logger.warn({ err: e, path }, 'watch failed; resuming'),
    });
  const sources = {
    pods: informer<PodObject & KubernetesObject>('/api/v1/pods'),
    namespaces: informer<NamespaceObject & KubernetesObject>('/api/v1/namespaces'),
    policies: informer<NetworkPolicyObject & KubernetesObject>('/apis/networking.k8s.io/v1/networkpolicies'),
  };
  return {
    ...sources,
    stop: async () => {
      await Promise.all(Object.values(sources).map((i) => i.stop()));
      client.close();
    },
  };
}

/** Removes every chain and jump of a node's policy rules (for `wharf reset`); answers whether any was there. */
export const cleanupPolicyRules = (prefix: string): Promise<boolean> => cleanup(prefix);

export class PolicyEnforcer {
  /** Its own client and informers (no `sources` given); undefined with shared ones. */
  private readonly own: (PolicySources & { stop(): Promise<void> }) | undefined;
  private readonly changed = (): void => this.loop.changed();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly pods: Informer<PodObject & KubernetesObject>;
  private readonly namespaces: Informer<NamespaceObject & KubernetesObject>;
  private readonly policies: Informer<NetworkPolicyObject & KubernetesObject>;
  private readonly loop: SyncLoop;
  private lastMark = '';
  private sctp = false;
  /** The rule set this process last wrote. */
  private installed: RuleSet | undefined;
  /** Milliseconds from the first change of the last sync to its rules being in the kernel. */
  get lastSyncDelayMs(): number {
    return this.loop.lastSyncDelayMs;
  }
  /** How many rule sets were written. */
  syncCount = 0;
  /** Rules (`-A` lines) of the set last computed. */
  ruleCount = 0;
  /** Whether start() found its rule set installed already and kept it. */
  adopted = false;

  constructor(private readonly o: PolicyEnforcerOptions) {
    checkPrefix(o.prefix);
    this.clock = o.clock ?? realClock;
    this.logger = o.logger ?? silentLogger;
    this.loop = new SyncLoop({
      clock: this.clock,
      coalesceMs: o.coalesceMs ?? 50,
      resyncMs: o.resyncMs ?? 30_000,
      apply: (force) => this.apply(force),
      onError: (e) => this.logger.warn({ err: e }, 'network policy sync failed; retrying in 1 s'),
    });
    this.own = o.sources ? undefined : policySources(o.kubeConfig, { clock: this.clock, logger: this.logger });
    const sources = o.sources ?? this.own!;
    this.pods = sources.pods;
    this.namespaces = sources.namespaces;
    this.policies = sources.policies;
    for (const i of [this.pods, this.namespaces, this.policies]) i.on(this.changed);
  }

  async start(): Promise<void> {
    if (!(await iptablesBackend())) throw new Error('network policy needs iptables, which is missing');
    if (process.getuid?.() !== 0) throw new Error('network policy needs root for iptables');
    this.sctp = existsSync('/proc/sys/net/sctp');
    this.loop.begin();
    try {
      await Promise.all([this.pods.startSynced(), this.namespaces.startSynced(), this.policies.startSynced()]);
      await this.apply('adopt');
      this.loop.settled();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    for (const i of [this.pods, this.namespaces, this.policies]) i.off(this.changed);
    await Promise.all([this.loop.stop(), this.own?.stop()]);
    if (this.o.removeRulesOnStop) await cleanup(this.o.prefix);
  }

  private async apply(force: boolean | 'adopt'): Promise<void> {
    if (!this.loop.running) return;
    const built = buildPolicyRuleSet({
      prefix: this.o.prefix,
      nodeName: this.o.nodeName,
      sctp: this.sctp,
      pods: this.pods.list(),
      namespaces: this.namespaces.list(),
      policies: this.policies.list(),
    });
    this.ruleCount = built.filter.rules.length;
    const { set, mark } = markRuleSet(this.o.prefix, built);
    if (force === false && mark === this.lastMark) return;
    const wanted = policyJumps(this.o.prefix);
    // A change after our own write: what is installed is what we wrote (two iptables-save runs
    // saved per change); the periodic forced sync reads the kernel and repairs what others removed.
    const saved = force === false && this.installed ? asSaved(this.installed, wanted) : await saveTables();
    if (
      force === 'adopt' &&
      installedMark(this.o.prefix, saved) === mark &&
      missingJumps(this.o.prefix, saved, wanted).length === 0
    ) {
      this.lastMark = mark;
      this.adopted = true;
      return;
    }
    if (!this.loop.running) return;
    await restore(restoreText(this.o.prefix, set, saved, wanted));
    this.installed = set;
    this.lastMark = mark;
    this.syncCount++;
  }
}

/** What iptables-save would show of a rule set this process wrote, with its jumps in place. */
function asSaved(set: RuleSet, jumps: readonly Jump[]): Map<string, SavedTable> {
  return new Map(
    (['filter', 'nat'] as const).map((t) => [
      t,
      { chains: set[t].chains, rules: jumps.filter((j) => j.table === t).map((j) => `-A ${j.chain} ${j.rule}`) },
    ]),
  );
}
