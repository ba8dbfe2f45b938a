// One pass of the node lifecycle controller, without I/O: mark silent nodes Unknown, set the
// unreachable / not-ready taints from the Ready condition, mark pods of unreachable nodes not
// ready, and evict pods the NoExecute taints no longer tolerate. Eviction is a graceful delete: the
// pods stay Terminating until the node's agent confirms them stopped, the Node is deleted or an
// operator taints it out-of-service (PodGC); an unreachable node may still be running them.
import type { V1Lease, V1Node, V1NodeCondition, V1Pod, V1Taint } from '@kubernetes/client-node';
import { stableJson } from '../common/pods.js';
import { isStale, observeHealth, readyCondition, unknownConditions, type NodeHealth } from './health.js';
import { desiredTaints, evictionTime, NOT_READY, UNREACHABLE, type ReadyStatus } from './taints.js';
import { zoneOf, zoneRates, type ZoneRates } from './zones.js';

export type NodeLifecycleAction =
  /** Strategic-merge these conditions into the node's status. */
  | { readonly type: 'conditions'; readonly node: V1Node; readonly conditions: V1NodeCondition[] }
  /**
   * Replace the node's taints (a CAS on resourceVersion). `newNoExecute`: the write adds a
   * NoExecute taint where there was none, which the zone's rate limits (`rate` per second).
   */
  | {
      readonly type: 'taints';
      readonly node: V1Node;
      readonly taints: V1Taint[];
      readonly zone: string;
      readonly newNoExecute: boolean;
      readonly rate: number;
    }
  | { readonly type: 'podNotReady'; readonly pod: V1Pod }
  | { readonly type: 'evict'; readonly pod: V1Pod; readonly taint: string };

export interface NodeLifecycleObserved {
  readonly nodes: readonly V1Node[];
  /** Leases of kube-node-lease by node name. */
  readonly leases: ReadonlyMap<string, V1Lease>;
  readonly pods: readonly V1Pod[];
  /** What the previous pass observed, by node name. */
  readonly health: ReadonlyMap<string, NodeHealth>;
  readonly now: number;
}

export interface NodeLifecycleConfig extends ZoneRates {
  readonly gracePeriodMs: number;
}

export interface NodeLifecyclePlan {
  readonly actions: NodeLifecycleAction[];
  readonly health: Map<string, NodeHealth>;
  /** The next eviction due, if sooner than the next periodic pass matters. */
  readonly nextEvictionAt?: number;
}

function ours(t: V1Taint): boolean {
  return (t.key === UNREACHABLE || t.key === NOT_READY) && t.effect === 'NoExecute';
}

export function reconcileNodeLifecycle(observed: NodeLifecycleObserved, cfg: NodeLifecycleConfig): NodeLifecyclePlan {
  const { now } = observed;
  const actions: NodeLifecycleAction[] = [];
  const health = new Map<string, NodeHealth>();
  const ready = new Map<string, ReadyStatus | undefined>();
  const counts = new Map<string, [number, number]>();

  for (const node of observed.nodes) {
    const name = node.metadata?.name ?? '';
    const h = observeHealth(observed.health.get(name), node, observed.leases.get(name), now);
    health.set(name, h);
    let status = readyCondition(node)?.status as ReadyStatus | undefined;
    if (isStale(h, now, cfg.gracePeriodMs)) {
      const conditions = unknownConditions(node, now);
      if (conditions.length) actions.push({ type: 'conditions', node, conditions });
      status = 'Unknown';
    }
    ready.set(name, status);
    const zone = zoneOf(node);
    const c = counts.get(zone) ?? [0, 0];
    if (status === 'True') c[0]++;
    else c[1]++;
    counts.set(zone, c);
  }

  const rates = zoneRates(counts, cfg);
  // Every node down: the fault is likelier ours (or the network's) than every node's.
  const halted = counts.size > 0 && [...counts.values()].every(([r]) => r === 0);
  for (const node of observed.nodes) {
    const name = node.metadata?.name ?? '';
    const status = ready.get(name);
    if (!status) continue;
    const current = node.spec?.taints ?? [];
    const want = desiredTaints(current, status, !halted, now);
    if (stableJson(want) === stableJson(current)) continue;
    const zone = zoneOf(node);
    // Swapping unreachable for not-ready (or back) is not a new eviction.
    const newNoExecute = want.some(ours) && !current.some(ours);
    actions.push({ type: 'taints', node, taints: want, zone, newNoExecute, rate: rates.get(zone) ?? 0 });
  }

  let nextEvictionAt: number | undefined;
  const nodes = new Map(observed.nodes.map((n) => [n.metadata?.name ?? '', n]));
  for (const pod of observed.pods) {
    const nodeName = pod.spec?.nodeName;
    const node = nodeName ? nodes.get(nodeName) : undefined;
    if (!node || !nodeName) continue;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const unreachable = ready.get(nodeName) === 'Unknown';
    if (unreachable && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      actions.push({ type: 'podNotReady', pod });
    if (halted || pod.metadata?.deletionTimestamp) continue;
    // Eviction follows the taints the node carries now: one still waiting for its zone's rate
    // limit evicts nothing yet.
    const taints = node.spec?.taints ?? [];
    const at = evictionTime(pod, taints, now);
    if (at === undefined) continue;
    if (at <= now) actions.push({ type: 'evict', pod, taint: taints.find((t) => t.effect === 'NoExecute')?.key ?? '' });
    else nextEvictionAt = Math.min(nextEvictionAt ?? at, at);
  }
  return nextEvictionAt === undefined ? { actions, health } : { actions, health, nextEvictionAt };
}
