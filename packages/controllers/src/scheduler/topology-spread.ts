// The PodTopologySpread plugin, filter and score, as kube-scheduler's podtopologyspread: pods
// are counted per topology domain among nodes that carry every constraint's key and pass its
// node inclusion policies (nodeAffinityPolicy: Honor by default, nodeTaintsPolicy: Ignore by
// default); terminating pods and other namespaces are skipped; matchLabelKeys add the incoming
// pod's values to the selector; a DoNotSchedule constraint with fewer eligible domains than
// minDomains treats the global minimum as 0. Without constraints of its own a pod is scored with
// the system defaults (hostname maxSkew 3, zone maxSkew 5) over the pods of its controller.
import type {
  V1LabelSelector,
  V1LabelSelectorRequirement,
  V1Pod,
  V1TopologySpreadConstraint,
} from '@kubernetes/client-node';
import { isEmptySelector, matchesSelector } from '@wharf/client';
import { controllerRef } from '../common/pods.js';
import { HOSTNAME_LABEL, nodeAffinity, untoleratedTaint, ZONE_LABEL, type FilterResult } from './filters.js';
import type { NodeInfo } from './node-info.js';

export const ERR_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_NODE_LABEL_NOT_MATCH = `${ERR_CONSTRAINTS_NOT_MATCH} (missing required label)`;

/** A constraint with its defaults applied and its selector compiled, as the plugin holds it. */
export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly minDomains: number;
  readonly nodeAffinityPolicy: 'Honor' | 'Ignore';
  readonly nodeTaintsPolicy: 'Honor' | 'Ignore';
  /** Whether a pod counts (its namespace is checked apart). */
  readonly matches: (p: V1Pod) => boolean;
  /** An empty selector counts no pod at all (labels.Selector.Empty() in countPodsMatchSelector). */
  readonly countsNothing: boolean;
}

/**
 * The pod's own constraints of one `whenUnsatisfiable`, with matchLabelKeys ANDed into the
 * selector (keys the pod lacks are ignored). A missing labelSelector matches nothing.
 */
export function spreadConstraints(pod: V1Pod, action: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  const labels = pod.metadata?.labels ?? {};
  return (pod.spec?.topologySpreadConstraints ?? [])
    .filter((c) => c.whenUnsatisfiable === action)
    .map((c) => {
      const selector = withMatchLabelKeys(c, labels);
      return {
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        minDomains: action === 'DoNotSchedule' && c.minDomains != null ? c.minDomains : 1,
        nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
        nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
        matches: (p: V1Pod) => matchesSelector(selector, p.metadata?.labels),
        countsNothing: !selector || isEmptySelector(selector),
      };
    });
}

function withMatchLabelKeys(
  c: V1TopologySpreadConstraint,
  labels: Record<string, string>,
): V1LabelSelector | undefined {
  const sel = c.labelSelector ?? undefined;
  const extra: V1LabelSelectorRequirement[] = (c.matchLabelKeys ?? [])
    .filter((k) => k in labels)
    .map((k) => ({ key: k, operator: 'In', values: [labels[k] ?? ''] }));
  if (!sel || extra.length === 0) return sel;
  return { ...sel, matchExpressions: [...(sel.matchExpressions ?? []), ...extra] };
}

/** The system default constraints (ScheduleAnyway): the pods of the same controller. */
function defaultConstraints(pod: V1Pod): SpreadConstraint[] {
  const owner = controllerRef(pod)?.uid;
  if (!owner) return [];
  const common = {
    minDomains: 1,
    nodeAffinityPolicy: 'Honor',
    nodeTaintsPolicy: 'Ignore',
    matches: (p: V1Pod) => controllerRef(p)?.uid === owner,
    countsNothing: false,
  } as const;
  return [
    { ...common, topologyKey: HOSTNAME_LABEL, maxSkew: 3 },
    { ...common, topologyKey: ZONE_LABEL, maxSkew: 5 },
  ];
}

function hasAllKeys(n: NodeInfo, constraints: readonly SpreadConstraint[]): boolean {
  const labels = n.node.metadata?.labels ?? {};
  return constraints.every((c) => c.topologyKey in labels);
}

/** Whether the node's pods count for `c` (its node inclusion policies). */
function included(pod: V1Pod, n: NodeInfo, c: SpreadConstraint): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && nodeAffinity(pod, n).reasons.length) return false;
  if (c.nodeTaintsPolicy === 'Honor' && untoleratedTaint(pod, n.node.spec?.taints ?? [], ['NoSchedule', 'NoExecute']))
    return false;
  return true;
}

/** Matching pods on the node, bypassing terminating pods and other namespaces. */
function countMatching(pods: readonly V1Pod[], c: SpreadConstraint, namespace: string | undefined): number {
  if (c.countsNothing) return 0;
  let count = 0;
  for (const p of pods)
    if (!p.metadata?.deletionTimestamp && p.metadata?.namespace === namespace && c.matches(p)) count++;
  return count;
}

interface FilterState {
  readonly constraints: SpreadConstraint[];
  /** Per constraint: matching pods per eligible domain (domains without any count 0). */
  readonly counts: Map<string, number>[];
}

// Per scheduling cycle (one `all` array per cycle) and pod: PreFilter's state.
const filterStates = new WeakMap<readonly NodeInfo[], WeakMap<V1Pod, FilterState>>();

function preFilter(pod: V1Pod, all: readonly NodeInfo[]): FilterState {
  let byPod = filterStates.get(all);
  if (!byPod) filterStates.set(all, (byPod = new WeakMap()));
  let state = byPod.get(pod);
  if (state) return state;
  const constraints = spreadConstraints(pod, 'DoNotSchedule');
  const counts = constraints.map(() => new Map<string, number>());
  if (constraints.length) {
    for (const n of all) {
      if (!hasAllKeys(n, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!included(pod, n, c)) return;
        const value = n.node.metadata?.labels?.[c.topologyKey] ?? '';
        const m = counts[i] as Map<string, number>;
        m.set(value, (m.get(value) ?? 0) + countMatching(n.pods, c, pod.metadata?.namespace));
      });
    }
  }
  state = { constraints, counts };
  byPod.set(pod, state);
  return state;
}

/** The global minimum of constraint `i`: 0 while fewer domains than minDomains are eligible. */
function minMatch(state: FilterState, i: number): number {
  const counts = state.counts[i] as Map<string, number>;
  const c = state.constraints[i] as SpreadConstraint;
  if (counts.size < c.minDomains) return 0;
  return Math.min(...counts.values());
}

/** The filter: hard (DoNotSchedule) constraints. */
export function podTopologySpread(pod: V1Pod, n: NodeInfo, all: readonly NodeInfo[]): FilterResult {
  if (!pod.spec?.topologySpreadConstraints?.length) return { reasons: [], unresolvable: false };
  const state = preFilter(pod, all);
  const labels = n.node.metadata?.labels ?? {};
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i] as SpreadConstraint;
    const value = labels[c.topologyKey];
    if (value === undefined) return { reasons: [ERR_NODE_LABEL_NOT_MATCH], unresolvable: true };
    const self = c.matches(pod) ? 1 : 0;
    const skew = (state.counts[i]?.get(value) ?? 0) + self - minMatch(state, i);
    if (skew > c.maxSkew) return { reasons: [ERR_CONSTRAINTS_NOT_MATCH], unresolvable: false };
  }
  return { reasons: [], unresolvable: false };
}

/**
 * The score, normalised to 0..100 for the feasible `nodes` (higher is better): soft
 * (ScheduleAnyway) constraints, or the system defaults when the pod has no constraints at all.
 */
export function topologySpreadScores(pod: V1Pod, nodes: readonly NodeInfo[], all: readonly NodeInfo[]): number[] {
  const own = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0;
  const constraints = own ? spreadConstraints(pod, 'ScheduleAnyway') : defaultConstraints(pod);
  if (constraints.length === 0 || nodes.length === 0) return nodes.map(() => 0);
  // System defaults let nodes without a zone label still be spread by hostname.
  const requireAll = own;
  const ignored = new Set<NodeInfo>();
  const domainCounts = constraints.map(() => new Map<string, number>());
  for (const n of nodes) {
    if (requireAll && !hasAllKeys(n, constraints)) {
      ignored.add(n);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey !== HOSTNAME_LABEL) domainCounts[i]?.set(n.node.metadata?.labels?.[c.topologyKey] ?? '', 0);
    });
  }
  const weights = constraints.map((c, i) =>
    Math.log((c.topologyKey === HOSTNAME_LABEL ? nodes.length - ignored.size : (domainCounts[i]?.size ?? 0)) + 2),
  );
  for (const n of all) {
    if (requireAll && !hasAllKeys(n, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!included(pod, n, c)) return;
      const m = domainCounts[i] as Map<string, number>;
      const value = n.node.metadata?.labels?.[c.topologyKey] ?? '';
      const current = m.get(value);
      if (current !== undefined) m.set(value, current + countMatching(n.pods, c, pod.metadata?.namespace));
    });
  }
  const raw = nodes.map((n) => {
    if (ignored.has(n)) return undefined;
    let score = 0;
    constraints.forEach((c, i) => {
      const value = n.node.metadata?.labels?.[c.topologyKey];
      if (value === undefined) return;
      const cnt =
        c.topologyKey === HOSTNAME_LABEL
          ? countMatching(n.pods, c, pod.metadata?.namespace)
          : (domainCounts[i]?.get(value) ?? 0);
      score += cnt * (weights[i] ?? 0) + (c.maxSkew - 1);
    });
    return Math.round(score);
  });
  const valid = raw.filter((s): s is number => s !== undefined);
  const max = Math.max(0, ...valid);
  const min = valid.length ? Math.min(...valid) : 0;
  return raw.map((s) => (s === undefined ? 0 : max === 0 ? 100 : Math.floor((100 * (max + min - s)) / max)));
}
