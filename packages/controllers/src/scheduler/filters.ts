// The scheduler's filter plugins (PodTopologySpread apart, in topology-spread.ts). Each answers
// the reasons a node cannot take the pod (empty: it can) in the exact words kube-scheduler uses,
// and whether preemption could help.
import type {
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
  V1Pod,
  V1Taint,
  V1Toleration,
  V1NodeSelectorTerm,
  V1PodAffinityTerm,
} from '@kubernetes/client-node';
import { quantityValue } from '@wharf/api';
import { matchesNodeRequirement, matchesSelector } from '@wharf/client';
import { allocatable, hostPorts, podRequests, type NodeInfo } from './node-info.js';

export interface FilterResult {
  readonly reasons: string[];
  /** UnschedulableAndUnresolvable: evicting pods would not help. */
  readonly unresolvable: boolean;
}

const ok: FilterResult = { reasons: [], unresolvable: false };
const fail = (reason: string, unresolvable: boolean): FilterResult => ({ reasons: [reason], unresolvable });

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export function tolerates(t: V1Toleration, taint: V1Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export function untoleratedTaint(
  pod: V1Pod,
  taints: readonly V1Taint[],
  effects: readonly string[],
): V1Taint | undefined {
  return taints.find(
    (taint) => effects.includes(taint.effect) && !(pod.spec?.tolerations ?? []).some((t) => tolerates(t, taint)),
  );
}

export function nodeUnschedulable(pod: V1Pod, n: NodeInfo): FilterResult {
  if (!n.node.spec?.unschedulable) return ok;
  const taint: V1Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
  if ((pod.spec?.tolerations ?? []).some((t) => tolerates(t, taint))) return ok;
  return fail('node(s) were unschedulable', true);
}

export function nodeName(pod: V1Pod, n: NodeInfo): FilterResult {
  const want = pod.spec?.nodeName;
  return want && want !== n.node.metadata?.name ? fail("node(s) didn't match the requested node name", true) : ok;
}

export function taintToleration(pod: V1Pod, n: NodeInfo): FilterResult {
  const t = untoleratedTaint(pod, n.node.spec?.taints ?? [], ['NoSchedule', 'NoExecute']);
  return t ? fail(`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`, true) : ok;
}

export function matchesNodeSelectorTerms(
  terms: readonly V1NodeSelectorTerm[],
  labels: Record<string, string> | undefined,
  fields: Record<string, string>,
): boolean {
  return terms.some((term) => {
    const exprs = term.matchExpressions ?? [];
    const fieldExprs = term.matchFields ?? [];
    if (exprs.length === 0 && fieldExprs.length === 0) return false;
    return (
      exprs.every((r) => matchesNodeRequirement(r, labels)) &&
      fieldExprs.every((r) => matchesNodeRequirement(r, fields))
    );
  });
}

export function nodeAffinity(pod: V1Pod, n: NodeInfo): FilterResult {
  const labels = n.node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return fail("node(s) didn't match Pod's node affinity/selector", true);
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (
    required &&
    !matchesNodeSelectorTerms(required.nodeSelectorTerms ?? [], labels, {
      'metadata.name': n.node.metadata?.name ?? '',
    })
  ) {
    return fail("node(s) didn't match Pod's node affinity/selector", true);
  }
  return ok;
}

export function nodePorts(pod: V1Pod, n: NodeInfo): FilterResult {
  for (const want of hostPorts(pod)) {
    for (const used of n.ports) {
      if (used.port !== want.port || used.protocol !== want.protocol) continue;
      if (used.ip === want.ip || used.ip === '0.0.0.0' || want.ip === '0.0.0.0')
        return fail("node(s) didn't have free ports for the requested pod ports", false);
    }
  }
  return ok;
}

export function nodeResourcesFit(pod: V1Pod, n: NodeInfo): FilterResult {
  const alloc = allocatable(n.node);
  const reasons: string[] = [];
  if (n.pods.length + 1 > (alloc.pods ?? 110)) reasons.push('Too many pods');
  const req = podRequests(pod);
  for (const [name, amount] of Object.entries(req)) {
    if (amount <= 0) continue;
    if ((alloc[name] ?? 0) < amount + (n.requested[name] ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  return { reasons, unresolvable: false };
}

/** Pods in the same topology domain as `n` (the node itself when the key is the hostname). */
export function podsInDomain(all: readonly NodeInfo[], n: NodeInfo, topologyKey: string): V1Pod[] | undefined {
  const value = n.node.metadata?.labels?.[topologyKey];
  if (value === undefined) return undefined;
  return all.filter((o) => o.node.metadata?.labels?.[topologyKey] === value).flatMap((o) => o.pods);
}

export function termMatches(term: V1PodAffinityTerm, owner: V1Pod, target: V1Pod): boolean {
  const namespaces = term.namespaces?.length
    ? term.namespaces
    : term.namespaceSelector
      ? undefined
      : [owner.metadata?.namespace ?? 'default'];
  if (namespaces && !namespaces.includes(target.metadata?.namespace ?? '')) return false;
  return matchesSelector(term.labelSelector ?? undefined, target.metadata?.labels);
}

// Per scheduling cycle (one `all` array per cycle): the existing pods with required anti-affinity.
const antiAffinityCache = new WeakMap<readonly NodeInfo[], { pod: V1Pod; node: NodeInfo }[]>();

function podsWithAntiAffinity(all: readonly NodeInfo[]): { pod: V1Pod; node: NodeInfo }[] {
  let list = antiAffinityCache.get(all);
  if (!list) {
    list = [];
    for (const node of all)
      for (const pod of node.pods)
        if (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length)
          list.push({ pod, node });
    antiAffinityCache.set(all, list);
  }
  return list;
}

export function interPodAffinity(pod: V1Pod, n: NodeInfo, all: readonly NodeInfo[]): FilterResult {
  // Existing pods' required anti-affinity against this pod.
  for (const { pod: p, node: other } of podsWithAntiAffinity(all)) {
    for (const term of p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const v = other.node.metadata?.labels?.[term.topologyKey];
      if (v === undefined || n.node.metadata?.labels?.[term.topologyKey] !== v) continue;
      if (termMatches(term, p, pod)) return fail("node(s) didn't satisfy existing pods anti-affinity rules", false);
    }
  }
  for (const term of pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    const pods = podsInDomain(all, n, term.topologyKey);
    if (pods?.some((p) => termMatches(term, pod, p)))
      return fail("node(s) didn't match pod anti-affinity rules", false);
  }
  for (const term of pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
    const pods = podsInDomain(all, n, term.topologyKey);
    if (pods?.some((p) => termMatches(term, pod, p))) continue;
    // The first pod of a group that selects itself may go anywhere with the topology label.
    const anyMatch = all.some((o) => o.pods.some((p) => termMatches(term, pod, p)));
    if (pods && !anyMatch && termMatches(term, pod, pod)) continue;
    return fail("node(s) didn't match pod affinity rules", true);
  }
  return ok;
}

// VolumeBinding: a pod's claims must exist, and a node must satisfy the node affinity of the
// volumes they are bound to (local and hostPath volumes live on one node). A claim of a
// WaitForFirstConsumer class that is not bound yet needs, on the node, an Available volume that
// serves it or room for its provisioner to make one (CSIStorageCapacity); the scheduler then
// records the node on the claim (volume.kubernetes.io/selected-node) before binding the pod.

/** The annotation the scheduler puts on a waiting claim: the node its volume must be made for. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

/** Looks up claims, volumes, classes and capacity (the scheduler's informers). */
export interface VolumeLookup {
  claim(namespace: string, name: string): V1PersistentVolumeClaim | undefined;
  volume(name: string): V1PersistentVolume | undefined;
  storageClass?(name: string): V1StorageClass | undefined;
  /** Whether an Available volume on this node serves the claim. */
  staticVolume?(claim: V1PersistentVolumeClaim, node: V1Node): boolean;
  /** Bytes the class's provisioner can still provision on the node; undefined: not reported. */
  capacity?(node: V1Node, storageClass: string): number | undefined;
}

/** The pod's claims that wait for it to choose their node (unbound, WaitForFirstConsumer, no node yet). */
export function claimsAwaitingNode(pod: V1Pod, volumes: VolumeLookup): V1PersistentVolumeClaim[] {
  const ns = pod.metadata?.namespace ?? '';
  const out: V1PersistentVolumeClaim[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName ? volumes.claim(ns, v.persistentVolumeClaim.claimName) : undefined;
    if (!claim || claim.spec?.volumeName || claim.metadata?.annotations?.[SELECTED_NODE_ANNOTATION]) continue;
    const sc = claim.spec?.storageClassName ? volumes.storageClass?.(claim.spec.storageClassName) : undefined;
    if (sc?.volumeBindingMode === 'WaitForFirstConsumer') out.push(claim);
  }
  return out;
}

function unboundClaimFits(claim: V1PersistentVolumeClaim, n: NodeInfo, volumes: VolumeLookup): FilterResult {
  const sc = claim.spec?.storageClassName ? volumes.storageClass?.(claim.spec.storageClassName) : undefined;
  // Immediate binding (or no class): the binder binds it, and the node agent waits for that.
  if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') return ok;
  const selected = claim.metadata?.annotations?.[SELECTED_NODE_ANNOTATION];
  if (selected)
    return selected === n.node.metadata?.name
      ? ok
      : { reasons: ['node(s) did not match the node selected for the volume'], unresolvable: true };
  if (volumes.staticVolume?.(claim, n.node)) return ok;
  if (!sc.provisioner || sc.provisioner === 'kubernetes.io/no-provisioner')
    return { reasons: ["node(s) didn't find available persistent volumes to bind"], unresolvable: false };
  const free = volumes.capacity?.(n.node, sc.metadata?.name ?? '');
  const wanted = quantityValue(claim.spec?.resources?.requests?.storage) ?? 0;
  if (free !== undefined && free < wanted)
    return { reasons: ['node(s) did not have enough free storage'], unresolvable: false };
  return ok;
}

export function volumeBinding(pod: V1Pod, n: NodeInfo, volumes: VolumeLookup | undefined): FilterResult {
  if (!volumes) return ok;
  const ns = pod.metadata?.namespace ?? '';
  for (const v of pod.spec?.volumes ?? []) {
    const claimName = v.persistentVolumeClaim?.claimName;
    if (!claimName) continue;
    const claim = volumes.claim(ns, claimName);
    if (!claim) return { reasons: [`persistentvolumeclaim "${claimName}" not found`], unresolvable: true };
    if (claim.metadata?.deletionTimestamp)
      return { reasons: [`persistentvolumeclaim "${claimName}" is being deleted`], unresolvable: true };
    const pvName = claim.spec?.volumeName;
    if (!pvName || claim.status?.phase !== 'Bound') {
      const fits = unboundClaimFits(claim, n, volumes);
      if (fits !== ok) return fits;
      continue;
    }
    const terms = volumes.volume(pvName)?.spec?.nodeAffinity?.required?.nodeSelectorTerms;
    if (
      terms &&
      !matchesNodeSelectorTerms(terms, n.node.metadata?.labels ?? {}, { 'metadata.name': n.node.metadata?.name ?? '' })
    ) {
      return { reasons: ['node(s) had volume node affinity conflict'], unresolvable: true };
    }
  }
  return ok;
}
