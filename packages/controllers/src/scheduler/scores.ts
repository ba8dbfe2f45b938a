// The scheduler's score plugins with kube-scheduler's default weights, each normalised to
// 0..100: least allocated, balanced allocation, preferred node and pod affinity, PreferNoSchedule
// taints, and spreading (the pod's topologySpreadConstraints, or by default as kube-scheduler
// does: pods of the same owner across hostnames, maxSkew 3, and zones, maxSkew 5).
import type { V1Pod, V1TopologySpreadConstraint, V1WeightedPodAffinityTerm } from '@kubernetes/client-node';
import { matchesSelector } from '@wharf/client';
import { controllerRef } from '../common/pods.js';
import { HOSTNAME_LABEL, matchesNodeSelectorTerms, podsInDomain, termMatches, untoleratedTaint, ZONE_LABEL } from './filters.js';
import { allocatable, podRequests, type NodeInfo } from './node-info.js';

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
    if (matchesNodeSelectorTerms([t.preference], n.node.metadata?.labels, { 'metadata.name': n.node.metadata?.name ?? '' })) score += t.weight;
  }
  return score;
}

export function preferNoScheduleTaints(pod: V1Pod, n: NodeInfo): number {
  const taints = n.node.spec?.taints ?? [];
  let count = 0;
  for (const t of taints) if (t.effect === 'PreferNoSchedule' && untoleratedTaint(pod, [t], ['PreferNoSchedule'])) count++;
  return count;
}

const SYSTEM_DEFAULT_SPREAD: readonly { key: string; maxSkew: number }[] = [
  { key: HOSTNAME_LABEL, maxSkew: 3 },
  { key: ZONE_LABEL, maxSkew: 5 },
];

/** Raw spreading score: lower is better (matching pods already in the node's domains). */
export function spreadCounts(pod: V1Pod, nodes: readonly NodeInfo[], all: readonly NodeInfo[]): number[] {
  const explicit = (pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
  let constraints: { key: string; maxSkew: number; matches: (p: V1Pod) => boolean }[];
  if (pod.spec?.topologySpreadConstraints?.length) {
    constraints = explicit.map((c: V1TopologySpreadConstraint) => ({
      key: c.topologyKey,
      maxSkew: c.maxSkew,
      matches: (p: V1Pod) => p.metadata?.namespace === pod.metadata?.namespace && matchesSelector(c.labelSelector ?? undefined, p.metadata?.labels),
    }));
  } else {
    const owner = controllerRef(pod)?.uid;
    if (!owner) return nodes.map(() => 0);
    constraints = SYSTEM_DEFAULT_SPREAD.map((c) => ({ ...c, matches: (p: V1Pod) => controllerRef(p)?.uid === owner }));
  }
  const scores = nodes.map(() => 0);
  for (const c of constraints) {
    const perDomain = new Map<string, number>();
    for (const o of all) {
      const v = o.node.metadata?.labels?.[c.key];
      if (v === undefined) continue;
      perDomain.set(v, (perDomain.get(v) ?? 0) + o.pods.filter(c.matches).length);
    }
    const weight = Math.log(perDomain.size + 2);
    nodes.forEach((n, i) => {
      const v = n.node.metadata?.labels?.[c.key];
      if (v === undefined) return;
      scores[i] = (scores[i] ?? 0) + (perDomain.get(v) ?? 0) * weight + (c.maxSkew - 1);
    });
  }
  return scores;
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

function normalizeLowerBetter(raw: readonly number[]): number[] {
  const max = Math.max(0, ...raw);
  const min = raw.length ? Math.min(...raw) : 0;
  if (max === 0) return raw.map(() => MAX_SCORE);
  return raw.map((s) => Math.floor((MAX_SCORE * (max + min - s)) / max));
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
  const taintScores = taints.map((t) => (maxTaints === 0 ? MAX_SCORE : MAX_SCORE - Math.floor((t * MAX_SCORE) / maxTaints)));
  const spread = normalizeLowerBetter(spreadCounts(pod, nodes, all));
  const podAffinity = normalizeRange(nodes.map((n) => preferredPodAffinity(pod, n, all)));
  return nodes.map((_, i) => (least[i] ?? 0) + (balanced[i] ?? 0) + 2 * (affinity[i] ?? 0) + 3 * (taintScores[i] ?? 0) + 2 * (spread[i] ?? 0) + 2 * (podAffinity[i] ?? 0));
}
