// The scheduler's score plugins with kube-scheduler's default weights, each normalised to
// 0..100: least allocated, balanced allocation, preferred node and pod affinity, PreferNoSchedule
// taints, and spreading (PodTopologySpread, in topology-spread.ts).
import type { V1Pod, V1WeightedPodAffinityTerm } from '@kubernetes/client-node';
import { matchesNodeSelectorTerms, podsInDomain, termMatches, untoleratedTaint } from './filters.js';
import { allocatable, podRequests, type NodeInfo } from './node-info.js';
import { topologySpreadScores } from './topology-spread.js';

export const MAX_SCORE = 100;

export function leastAllocated(pod: V1Pod, n: NodeInfo): number {
  const alloc = allocatable(n.node);
  const req = podRequests(pod, true);
  let total = 0;
  for (const r of ['cpu', 'memory']) {
    const cap = alloc[r] ?? 0;
    const used = (n.nonZeroRequested[r] ?? 0) + (req[r] ?? 0);
    total += cap === 0 || used > cap ? 0 : Math.floor(((cap - used) * MAX_SCORE) / cap);
  }
  return Math.floor(total / 2);
}

export function balancedAllocation(pod: V1Pod, n: NodeInfo): number {
  const alloc = allocatable(n.node);
  const req = podRequests(pod);
  const frac = ['cpu', 'memory'].map((r) => {
    const cap = alloc[r] ?? 0;
    return cap === 0 ? 0 : Math.min(1, ((n.requested[r] ?? 0) + (req[r] ?? 0)) / cap);
  });
  const std = Math.abs((frac[0] ?? 0) - (frac[1] ?? 0)) / 2;
  return Math.floor((1 - std) * MAX_SCORE);
}

export function preferredNodeAffinity(pod: V1Pod, n: NodeInfo): number {
  let score = 0;
  for (const t of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (
      matchesNodeSelectorTerms([t.preference], n.node.metadata?.labels, {
        'metadata.name': n.node.metadata?.name ?? '',
      })
    )
      score += t.weight;
  }
  return score;
}

export function preferNoScheduleTaints(pod: V1Pod, n: NodeInfo): number {
  const taints = n.node.spec?.taints ?? [];
  let count = 0;
  for (const t of taints)
    if (t.effect === 'PreferNoSchedule' && untoleratedTaint(pod, [t], ['PreferNoSchedule'])) count++;
  return count;
}

/**
 * InterPodAffinity scoring: the weights of the pod's preferred pod affinity terms for every
 * matching pod in the node's topology domain, minus those of its preferred anti-affinity terms.
 */
export function preferredPodAffinity(pod: V1Pod, n: NodeInfo, all: readonly NodeInfo[]): number {
  const aff = pod.spec?.affinity;
  let score = 0;
  const add = (terms: readonly V1WeightedPodAffinityTerm[] | undefined, sign: number): void => {
    for (const t of terms ?? []) {
      const pods = podsInDomain(all, n, t.podAffinityTerm.topologyKey);
      if (pods) score += sign * t.weight * pods.filter((p) => termMatches(t.podAffinityTerm, pod, p)).length;
    }
  };
  add(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, 1);
  add(aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, -1);
  return score;
}

/** Min-max normalisation to 0..MAX_SCORE (scores may be negative). */
function normalizeRange(raw: readonly number[]): number[] {
  const max = Math.max(...raw);
  const min = Math.min(...raw);
  return raw.map((s) => (max === min ? 0 : Math.floor(((s - min) * MAX_SCORE) / (max - min))));
}

function normalizeHigherBetter(raw: readonly number[]): number[] {
  const max = Math.max(0, ...raw);
  return raw.map((s) => (max === 0 ? 0 : Math.floor((s * MAX_SCORE) / max)));
}

/** Weighted total per node, as kube-scheduler's default profile weighs its plugins. */
export function scoreNodes(pod: V1Pod, nodes: readonly NodeInfo[], all: readonly NodeInfo[]): number[] {
  const least = nodes.map((n) => leastAllocated(pod, n));
  const balanced = nodes.map((n) => balancedAllocation(pod, n));
  const affinity = normalizeHigherBetter(nodes.map((n) => preferredNodeAffinity(pod, n)));
  const taints = nodes.map((n) => preferNoScheduleTaints(pod, n));
  const maxTaints = Math.max(0, ...taints);
  const taintScores = taints.map((t) =>
    maxTaints === 0 ? MAX_SCORE : MAX_SCORE - Math.floor((t * MAX_SCORE) / maxTaints),
  );
  const spread = topologySpreadScores(pod, nodes, all);
  const podAffinity = normalizeRange(nodes.map((n) => preferredPodAffinity(pod, n, all)));
  return nodes.map(
    (_, i) =>
      (least[i] ?? 0) +
      (balanced[i] ?? 0) +
      2 * (affinity[i] ?? 0) +
      3 * (taintScores[i] ?? 0) +
      2 * (spread[i] ?? 0) +
      2 * (podAffinity[i] ?? 0),
  );
}
