// What the scheduler knows of a node: the node, the pods assigned to it, and the sums of their
// requests (exact, for fitting; non-zero defaults, for scoring) and host ports.
import type { V1Container, V1Node, V1Pod } from '@kubernetes/client-node';
import { milliCpu, parseQuantity } from '@wharf/client';

export type Resources = Record<string, number>;

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

export interface NodeInfo {
  readonly node: V1Node;
  readonly pods: readonly V1Pod[];
  readonly requested: Resources;
  readonly nonZeroRequested: Resources;
  readonly ports: readonly HostPort[];
}

/** Defaults the scoring plugins assume for containers without requests. */
export const DEFAULT_MILLI_CPU = 100;
export const DEFAULT_MEMORY = 200 * 1024 * 1024;

function amount(name: string, q: string | number | undefined): number {
  return name === 'cpu' ? milliCpu(q) : parseQuantity(q);
}

function containerRequests(c: V1Container): Resources {
  const r: Resources = {};
  for (const [k, v] of Object.entries(c.resources?.requests ?? {})) r[k] = amount(k, v);
  // A limit without a request defaults the request (API defaulting; repeated for safety).
  for (const [k, v] of Object.entries(c.resources?.limits ?? {})) if (r[k] === undefined) r[k] = amount(k, v);
  return r;
}

/** A pod's effective requests: max(sum of containers, each init container) + overhead. */
export function podRequests(pod: V1Pod, nonZero = false): Resources {
  const total: Resources = {};
  for (const c of pod.spec?.containers ?? []) {
    const r = containerRequests(c);
    if (nonZero) {
      r.cpu = r.cpu || DEFAULT_MILLI_CPU;
      r.memory = r.memory || DEFAULT_MEMORY;
    }
    for (const [k, v] of Object.entries(r)) total[k] = (total[k] ?? 0) + v;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(containerRequests(c))) total[k] = Math.max(total[k] ?? 0, v);
  }
  for (const [k, v] of Object.entries(pod.spec?.overhead ?? {})) total[k] = (total[k] ?? 0) + amount(k, v);
  return total;
}

export function hostPorts(pod: V1Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function allocatable(node: V1Node): Resources {
  const r: Resources = {};
  for (const [k, v] of Object.entries(node.status?.allocatable ?? node.status?.capacity ?? {})) r[k] = amount(k, v);
  return r;
}

export function nodeInfo(node: V1Node, pods: readonly V1Pod[]): NodeInfo {
  const requested: Resources = {};
  const nonZeroRequested: Resources = {};
  const ports: HostPort[] = [];
  for (const p of pods) {
    for (const [k, v] of Object.entries(podRequests(p))) requested[k] = (requested[k] ?? 0) + v;
    for (const [k, v] of Object.entries(podRequests(p, true))) nonZeroRequested[k] = (nonZeroRequested[k] ?? 0) + v;
    ports.push(...hostPorts(p));
  }
  return { node, pods, requested, nonZeroRequested, ports };
}
