// The fields of Pods, Namespaces and networking.k8s.io/v1 NetworkPolicies the policy dataplane
// reads (wire objects, as the API server sends them), and what the API says they mean: which pods
// have an address, which policies isolate a pod in which direction.
import { matchesSelector, type LabelSelectorLike } from '@wharf/api';
import { isIPv4 } from '../proxy/model.js';

type Labels = Readonly<Record<string, string>>;

export interface PodObject {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly labels?: Labels;
  };
  readonly spec?: {
    readonly nodeName?: string;
    readonly hostNetwork?: boolean;
    readonly containers?: readonly {
      readonly ports?: readonly {
        readonly name?: string;
        readonly containerPort?: number;
        readonly protocol?: string;
      }[];
    }[];
  };
  readonly status?: { readonly podIP?: string; readonly phase?: string };
}

export interface NamespaceObject {
  readonly metadata?: { readonly name?: string; readonly labels?: Labels };
}

export interface PolicyPort {
  readonly protocol?: string;
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface PolicyPeer {
  readonly podSelector?: LabelSelectorLike | null;
  readonly namespaceSelector?: LabelSelectorLike | null;
  readonly ipBlock?: { readonly cidr?: string; readonly except?: readonly string[] | null } | null;
}

export interface PolicyRule {
  readonly ports?: readonly PolicyPort[] | null;
  readonly from?: readonly PolicyPeer[] | null;
  readonly to?: readonly PolicyPeer[] | null;
}

export interface NetworkPolicyObject {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly podSelector?: LabelSelectorLike | null;
    readonly policyTypes?: readonly string[] | null;
    readonly ingress?: readonly PolicyRule[] | null;
    readonly egress?: readonly PolicyRule[] | null;
  };
}

export type Direction = 'Ingress' | 'Egress';

/** The label every namespace carries implicitly (Kubernetes sets it; older objects may lack it). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A pod the dataplane can match: it has an IPv4 address of the pod network and is not finished. */
export interface AddressedPod {
  readonly key: string;
  readonly namespace: string;
  readonly nodeName: string;
  readonly ip: string;
  readonly labels: Labels;
  readonly pod: PodObject;
}

export function addressedPods(pods: Iterable<PodObject>): AddressedPod[] {
  const out: AddressedPod[] = [];
  for (const p of pods) {
    const ip = p.status?.podIP ?? '';
    if (p.spec?.hostNetwork || !isIPv4(ip) || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const namespace = p.metadata?.namespace ?? '';
    out.push({
      key: `${namespace}/${p.metadata?.name ?? ''}`,
      namespace,
      nodeName: p.spec?.nodeName ?? '',
      ip,
      labels: p.metadata?.labels ?? {},
      pod: p,
    });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Namespace labels by name, with the implicit name label. */
export function namespaceLabels(namespaces: Iterable<NamespaceObject>): Map<string, Labels> {
  const out = new Map<string, Labels>();
  for (const n of namespaces) {
    const name = n.metadata?.name;
    if (name) out.set(name, { ...n.metadata?.labels, [NAMESPACE_NAME_LABEL]: name });
  }
  return out;
}

/**
 * The directions a policy isolates: `policyTypes`, or as the API server defaults it when absent
 * (Ingress always; Egress when the policy has egress rules).
 */
export function policyTypes(p: NetworkPolicyObject): Direction[] {
  const given = p.spec?.policyTypes;
  if (given && given.length > 0) return (['Ingress', 'Egress'] as const).filter((d) => given.includes(d));
  return (p.spec?.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** Whether the policy selects the pod (same namespace; an empty podSelector selects them all). */
export function selects(p: NetworkPolicyObject, pod: AddressedPod): boolean {
  return (p.metadata?.namespace ?? '') === pod.namespace && matchesSelector(p.spec?.podSelector ?? {}, pod.labels);
}

/**
 * The pods a peer with a pod and/or namespace selector names: pods of the policy's namespace when
 * only podSelector is set, pods of the selected namespaces (all of them, or those matching
 * podSelector too) when namespaceSelector is set.
 */
export function peerPods(
  peer: PolicyPeer,
  policyNamespace: string,
  pods: readonly AddressedPod[],
  nsLabels: ReadonlyMap<string, Labels>,
): AddressedPod[] {
  const nsSel = peer.namespaceSelector;
  const podSel = peer.podSelector ?? {};
  return pods.filter((p) => {
    const nsOk = nsSel
      ? matchesSelector(nsSel, nsLabels.get(p.namespace) ?? { [NAMESPACE_NAME_LABEL]: p.namespace })
      : p.namespace === policyNamespace;
    return nsOk && matchesSelector(podSel, p.labels);
  });
}

/** The container port numbers a named port resolves to on a pod, for a protocol. */
export function resolveNamedPort(pod: PodObject, name: string, protocol: string): number[] {
  const out: number[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === name && (p.protocol ?? 'TCP') === protocol && typeof p.containerPort === 'number')
        out.push(p.containerPort);
    }
  }
  return out;
}

/** Whether an IPv4 address lies in a CIDR (`a.b.c.d/n`); a malformed CIDR contains nothing. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base = '', bits = ''] = cidr.split('/');
  const n = Number(bits);
  if (!isIPv4(base) || !isIPv4(ip) || !/^\d+$/.test(bits) || n > 32) return false;
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (toNumber(base) & mask) >>> 0 === (toNumber(ip) & mask) >>> 0;
}

const toNumber = (ip: string): number => ip.split('.').reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0);

/** A CIDR iptables accepts: IPv4 with a prefix length (IPv6 blocks are skipped). */
export function isIPv4Cidr(cidr: string | undefined): cidr is string {
  const [base = '', bits = ''] = (cidr ?? '').split('/');
  return isIPv4(base) && /^\d+$/.test(bits) && Number(bits) <= 32;
}
