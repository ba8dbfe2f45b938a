// One scheduling decision, without I/O: filter every node, score the feasible ones, pick the
// best (ties broken by `random`), or explain in kube-scheduler's words why no node fits.
import type { V1Pod } from '@kubernetes/client-node';
import {
  interPodAffinity,
  nodeAffinity,
  nodeName,
  nodePorts,
  nodeResourcesFit,
  nodeUnschedulable,
  taintToleration,
  volumeBinding,
  type FilterResult,
  type VolumeLookup,
} from './filters.js';
import type { NodeInfo } from './node-info.js';
import { scoreNodes } from './scores.js';
import { podTopologySpread } from './topology-spread.js';

export type Filter = (pod: V1Pod, n: NodeInfo, all: readonly NodeInfo[], volumes?: VolumeLookup) => FilterResult;

/** The filter plugins in kube-scheduler's order. */
export const FILTERS: readonly Filter[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  (pod, n, _all, volumes) => volumeBinding(pod, n, volumes),
  podTopologySpread,
  interPodAffinity,
];

/** Runs the filters in order and stops at the first that fails, as the framework does. */
export function filterNode(pod: V1Pod, n: NodeInfo, all: readonly NodeInfo[], volumes?: VolumeLookup): FilterResult {
  for (const f of FILTERS) {
    const r = f(pod, n, all, volumes);
    if (r.reasons.length) return r;
  }
  return { reasons: [], unresolvable: false };
}

export type ScheduleResult = { readonly node: string } | { readonly message: string };

/** `0/3 nodes are available: 3 Insufficient memory. preemption: ...` as FitError formats it. */
export function fitError(
  total: number,
  failures: readonly { reasons: readonly string[]; unresolvable: boolean }[],
  preemptionPolicy?: string,
): string {
  const histogram = (items: readonly string[]): string => {
    const counts = new Map<string, number>();
    for (const r of items) counts.set(r, (counts.get(r) ?? 0) + 1);
    return [...counts]
      .map(([r, n]) => `${n} ${r}`)
      .sort()
      .join(', ');
  };
  let msg = `0/${total} nodes are available:`;
  const reasons = histogram(failures.flatMap((f) => f.reasons));
  if (reasons) msg += ` ${reasons}.`;
  if (preemptionPolicy === 'Never') return `${msg} preemption: not eligible due to preemptionPolicy=Never.`;
  const post = histogram(
    failures.map((f) =>
      f.unresolvable ? 'Preemption is not helpful for scheduling' : 'No preemption victims found for incoming pod',
    ),
  );
  return `${msg} preemption: 0/${total} nodes are available:${post ? ` ${post}` : ''}.`;
}

export function schedulePod(
  pod: V1Pod,
  nodes: readonly NodeInfo[],
  random: () => number = Math.random,
  volumes?: VolumeLookup,
): ScheduleResult {
  if (nodes.length === 0) return { message: 'no nodes available to schedule pods' };
  const feasible: NodeInfo[] = [];
  const failures: { reasons: string[]; unresolvable: boolean }[] = [];
  for (const n of nodes) {
    const r = filterNode(pod, n, nodes, volumes);
    if (r.reasons.length) failures.push(r);
    else feasible.push(n);
  }
  if (feasible.length === 0) return { message: fitError(nodes.length, failures, pod.spec?.preemptionPolicy) };
  const scores = scoreNodes(pod, feasible, nodes);
  let best = -Infinity;
  let chosen: NodeInfo | undefined;
  let ties = 0;
  feasible.forEach((n, i) => {
    const s = scores[i] ?? 0;
    if (s > best) {
      best = s;
      chosen = n;
      ties = 1;
    } else if (s === best) {
      ties++;
      if (random() * ties < 1) chosen = n;
    }
  });
  return { node: chosen?.node.metadata?.name ?? '' };
}
