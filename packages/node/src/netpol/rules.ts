// One node's NetworkPolicy rules as a pure function of the pods, namespaces and policies (the
// filter table, under a chain prefix of the node's own):
//   FORWARD -> P-FWD: established/related replies RETURN first (connections survive policy changes);
//            -s <local pod, egress-isolated> -> P-E-<pod>;  -d <local pod, ingress-isolated> -> P-I-<pod>
//   P-I/E-<pod>: every (peer x port) a selecting policy allows -> RETURN (the first match ends the
//            walk); the rest -> REJECT (TCP reset, ICMP unreachable otherwise)
//   P-X-<block>: ipBlock with except: an excepted address RETURNs unmarked, the rest is marked,
//            and the pod chain RETURNs marked packets right after the jump.
// Nothing here ACCEPTs: an allowed packet returns to FORWARD, where the other node's chains (the
// peer's egress or ingress) and everything else still apply. Traffic between the host and a pod
// (INPUT/OUTPUT, e.g. probes and cluster DNS at the bridge gateway) is never filtered, as the API
// says traffic to and from the pod's node is always allowed.
import { createHash } from 'node:crypto';
import type { Jump, RuleSet } from '../proxy/rules.js';
import {
  addressedPods,
  cidrContains,
  isIPv4Cidr,
  namespaceLabels,
  peerPods,
  policyTypes,
  resolveNamedPort,
  selects,
  type AddressedPod,
  type Direction,
  type NamespaceObject,
  type NetworkPolicyObject,
  type PodObject,
  type PolicyPeer,
  type PolicyPort,
  type PolicyRule,
} from './objects.js';

/** The packet mark meaning "some policy allows this" (clear of kube-proxy's 0x4000 and 0x8000). */
export const ALLOW_MARK = '0x20000/0x20000';

export interface PolicyRuleSetInput {
  /** Chain prefix of this node, e.g. `WNP-1A2B3C` (see policyPrefix). */
  readonly prefix: string;
  /** Pods of this node are the ones whose traffic these rules filter. */
  readonly nodeName: string;
  readonly pods: Iterable<PodObject>;
  readonly namespaces: Iterable<NamespaceObject>;
  readonly policies: Iterable<NetworkPolicyObject>;
  /** Whether the kernel can match SCTP; without it SCTP ports allow nothing. @default false */
  readonly sctp?: boolean;
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 10).toUpperCase();

/** The one built-in chain jump of a node's policy rules. */
export function policyJumps(prefix: string): Jump[] {
  return [
    {
      table: 'filter',
      chain: 'FORWARD',
      target: `${prefix}-FWD`,
      rule: `-m comment --comment "wharf network policy ${prefix}" -j ${prefix}-FWD`,
    },
  ];
}

/** An address match and the pod behind it (for named ports), or an ipBlock. */
type Peer = { kind: 'any' } | { kind: 'pod'; pod: AddressedPod } | { kind: 'block'; cidr: string; except: string[] };

interface Ctx {
  readonly input: PolicyRuleSetInput;
  readonly pods: readonly AddressedPod[];
  readonly nsLabels: ReturnType<typeof namespaceLabels>;
  readonly blockChains: Map<string, string[]>;
}

export function buildPolicyRuleSet(input: PolicyRuleSetInput): RuleSet {
  const P = input.prefix;
  const FWD = `${P}-FWD`;
  const pods = addressedPods(input.pods);
  const policies = [...input.policies].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  const ctx: Ctx = { input, pods, nsLabels: namespaceLabels(input.namespaces), blockChains: new Map() };
  const chains = new Set([FWD]);
  const fwd = [`-A ${FWD} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`];
  const podRules: string[] = [];
  const subChains = new Map<string, string[]>();
  for (const pod of pods.filter((p) => p.nodeName === input.nodeName)) {
    for (const dir of ['Egress', 'Ingress'] as const) {
      const selecting = policies.filter((p) => selects(p, pod) && policyTypes(p).includes(dir));
      if (selecting.length === 0) continue; // not isolated in this direction: everything allowed
      const chain = `${P}-${dir === 'Ingress' ? 'I' : 'E'}-${hash(pod.key)}`;
      chains.add(chain);
      fwd.push(
        `-A ${FWD} ${dir === 'Ingress' ? '-d' : '-s'} ${pod.ip}/32 -m comment --comment "${pod.key} ${dir.toLowerCase()}" -j ${chain}`,
      );
      // Groups (a block's jump and its mark check) stay whole; a group written before is skipped.
      const seen = new Set<string>();
      const allows: string[] = [];
      for (const policy of selecting) {
        const rules = (dir === 'Ingress' ? policy.spec?.ingress : policy.spec?.egress) ?? [];
        for (const rule of rules) {
          for (const group of allowRules(ctx, dir, pod, policy, rule)) {
            if (seen.has(group[0]!)) continue;
            seen.add(group[0]!);
            allows.push(...group.map((line) => `-A ${chain} ${line}`));
          }
        }
      }
      const grouped = groupPeers(chain, allows, subChains);
      const marks = grouped.some((a) => a.includes(` -j ${P}-X-`) || a.includes(` -j ${P}-S-`));
      podRules.push(...(marks ? [`-A ${chain} -j MARK --set-xmark 0x0/${ALLOW_MARK.split('/')[1]}`] : []), ...grouped);
      // A refusal the client sees at once (not a timeout); TCP gets a reset, which is not
      // rate-limited per host as ICMP errors are.
      const refuse = `-m comment --comment "${pod.key}: no policy allows this" -j REJECT --reject-with`;
      podRules.push(`-A ${chain} -p tcp ${refuse} tcp-reset`, `-A ${chain} ${refuse} icmp-port-unreachable`);
    }
  }
  const blockRules: string[] = [];
  for (const [chain, rules] of [...ctx.blockChains, ...subChains].sort(([a], [b]) => a.localeCompare(b))) {
    chains.add(chain);
    blockRules.push(...rules);
  }
  return {
    filter: { chains: [...chains].sort(), rules: [...fwd, ...podRules, ...blockRules] },
    nat: { chains: [], rules: [] },
  };
}

/** Peers allowed on the same ports by the same policy, this many or more, get a chain of their own. */
export const PEER_GROUP_MIN = 4;

/**
 * Moves the per-address allows that share ports and policy into a chain of their own, entered
 * through one port match: a new connection walks one rule per (policy rule, port) that does not
 * match it instead of one per peer address. The sub-chain marks; the pod chain returns marked.
 */
function groupPeers(chain: string, lines: readonly string[], subChains: Map<string, string[]>): string[] {
  const re = new RegExp(`^-A ${chain} (-[sd] \\d+\\.\\d+\\.\\d+\\.\\d+/32) (.*) -j RETURN$`);
  const groups = new Map<string, string[]>();
  for (const l of lines) {
    const m = re.exec(l);
    if (m) groups.set(m[2]!, [...(groups.get(m[2]!) ?? []), m[1]!]);
  }
  const out: string[] = [];
  const done = new Set<string>();
  for (const l of lines) {
    const m = re.exec(l);
    const addrs = m ? groups.get(m[2]!)! : [];
    if (!m || addrs.length < PEER_GROUP_MIN) {
      out.push(l);
      continue;
    }
    if (done.has(m[2]!)) continue;
    done.add(m[2]!);
    const sub = `${chain.replace(/-[IE]-[0-9A-F]+$/, '')}-S-${hash(`${chain} ${m[2]}`)}`;
    subChains.set(
      sub,
      addrs.map((a) => `-A ${sub} ${a} -j MARK --set-xmark ${ALLOW_MARK}`),
    );
    out.push(`-A ${chain} ${m[2]} -j ${sub}`, `-A ${chain} -m mark --mark ${ALLOW_MARK} -j RETURN`);
  }
  return out;
}

const keyOf = (p: NetworkPolicyObject): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

/** The rule bodies (after `-A chain`) that return what one policy rule allows for `self`, in groups. */
function allowRules(
  ctx: Ctx,
  dir: Direction,
  self: AddressedPod,
  policy: NetworkPolicyObject,
  rule: PolicyRule,
): string[][] {
  const peers = dir === 'Ingress' ? rule.from : rule.to;
  const resolved: Peer[] =
    peers && peers.length > 0
      ? peers.flatMap((p) => resolvePeer(ctx, p, keyOf(policy).split('/')[0] ?? ''))
      : [{ kind: 'any' }];
  const ports: (PolicyPort | undefined)[] = rule.ports && rule.ports.length > 0 ? [...rule.ports] : [undefined];
  const comment = `-m comment --comment "${keyOf(policy)}"`;
  const addr = dir === 'Ingress' ? '-s' : '-d';
  const ok = '-j RETURN';
  const out: string[][] = [];
  for (const port of ports) {
    for (const peer of resolved) {
      // A named port is a number on the pod that receives: the selected pod for ingress, the
      // peer for egress (an egress ipBlock or "anywhere" is resolved on each pod it contains).
      const receivers: (AddressedPod | undefined)[] =
        dir === 'Ingress'
          ? [self]
          : peer.kind === 'pod'
            ? [peer.pod]
            : typeof port?.port === 'string'
              ? podsIn(ctx, peer)
              : [undefined];
      for (const receiver of receivers) {
        for (const match of portMatches(ctx, port, receiver)) {
          // An egress named port resolved on a pod of the block (or anywhere) matches that pod only.
          if (dir === 'Egress' && peer.kind !== 'pod' && receiver)
            out.push([`-d ${receiver.ip}/32 ${match}${comment} ${ok}`]);
          else if (peer.kind === 'any') out.push([`${match}${comment} ${ok}`]);
          else if (peer.kind === 'pod') out.push([`${addr} ${peer.pod.ip}/32 ${match}${comment} ${ok}`]);
          else if (peer.except.length === 0) out.push([`${addr} ${peer.cidr} ${match}${comment} ${ok}`]);
          else
            out.push([
              `${addr} ${peer.cidr} ${match}${comment} -j ${blockChain(ctx, dir, peer)}`,
              `-m mark --mark ${ALLOW_MARK} -m comment --comment "${keyOf(policy)} except" ${ok}`,
            ]);
        }
      }
    }
  }
  return out;
}

function resolvePeer(ctx: Ctx, peer: PolicyPeer, policyNamespace: string): Peer[] {
  if (peer.ipBlock) {
    const cidr = peer.ipBlock.cidr;
    if (!isIPv4Cidr(cidr)) return []; // an IPv6 block: nothing to match on an IPv4 dataplane
    return [
      {
        kind: 'block',
        cidr: normalize(cidr),
        except: (peer.ipBlock.except ?? []).filter(isIPv4Cidr).map(normalize).sort(),
      },
    ];
  }
  if (!peer.podSelector && !peer.namespaceSelector) return []; // a peer with no field selects nothing
  return peerPods(peer, policyNamespace, ctx.pods, ctx.nsLabels).map((pod) => ({ kind: 'pod', pod }));
}

/** iptables prints a CIDR with its host bits cleared; writing it so keeps rule sets comparable. */
function normalize(cidr: string): string {
  const [base = '', bits = '32'] = cidr.split('/');
  const n = Number(bits);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  const v = (base.split('.').reduce((acc, p) => ((acc << 8) | Number(p)) >>> 0, 0) & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (v >>> s) & 255).join('.')}/${n}`;
}

function podsIn(ctx: Ctx, peer: Peer): AddressedPod[] {
  if (peer.kind === 'any') return [...ctx.pods];
  if (peer.kind === 'pod') return [peer.pod];
  return ctx.pods.filter((p) => cidrContains(peer.cidr, p.ip) && !peer.except.some((e) => cidrContains(e, p.ip)));
}

/** The chain of an ipBlock with exceptions: excepted addresses return unmarked. */
function blockChain(ctx: Ctx, dir: Direction, peer: Extract<Peer, { kind: 'block' }>): string {
  const chain = `${ctx.input.prefix}-X-${hash(`${dir} ${peer.cidr} ${peer.except.join(',')}`)}`;
  if (!ctx.blockChains.has(chain)) {
    const addr = dir === 'Ingress' ? '-s' : '-d';
    ctx.blockChains.set(chain, [
      ...peer.except.map((e) => `-A ${chain} ${addr} ${e} -m comment --comment "except" -j RETURN`),
      `-A ${chain} -j MARK --set-xmark ${ALLOW_MARK}`,
    ]);
  }
  return chain;
}

/** The protocol/port matches (each ending in a space, or empty for "any") of one policy port. */
function portMatches(ctx: Ctx, port: PolicyPort | undefined, receiver: AddressedPod | undefined): string[] {
  if (!port) return [''];
  const protocol = port.protocol ?? 'TCP';
  if (protocol !== 'TCP' && protocol !== 'UDP' && !(protocol === 'SCTP' && ctx.input.sctp)) return [];
  const p = protocol.toLowerCase();
  if (port.port === undefined || port.port === null) return [`-p ${p} `];
  if (typeof port.port === 'number') {
    const range =
      typeof port.endPort === 'number' && port.endPort > port.port ? `${port.port}:${port.endPort}` : String(port.port);
    return [`-p ${p} -m ${p} --dport ${range} `];
  }
  if (/^\d+$/.test(port.port)) return [`-p ${p} -m ${p} --dport ${port.port} `];
  if (!receiver) return [];
  return [...new Set(resolveNamedPort(receiver.pod, port.port, protocol))].map((n) => `-p ${p} -m ${p} --dport ${n} `);
}
