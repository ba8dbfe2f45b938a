// The policy → rule computation, checked by behaviour: a small evaluator walks the generated
// filter rules (the subset rules.ts writes) for one NEW packet, as FORWARD would, and answers
// whether it passes. The expectations are the API's semantics, written out case by case.
import { describe, expect, it } from 'vitest';
import type { NamespaceObject, NetworkPolicyObject, PodObject, PolicyPort } from './objects.js';
import { ALLOW_MARK, buildPolicyRuleSet, policyJumps } from './rules.js';

const P = 'WNP-TEST01';
type Ports = { name: string; containerPort: number; protocol?: string }[];
const pod = (
  ns: string,
  name: string,
  ip: string,
  labels: Record<string, string>,
  node = 'n1',
  ports: Ports = [],
): PodObject => ({
  metadata: { namespace: ns, name, labels },
  spec: { nodeName: node, containers: [{ ports }] },
  status: { podIP: ip, phase: 'Running' },
});
const ns = (name: string, labels: Record<string, string> = {}): NamespaceObject => ({ metadata: { name, labels } });
const policy = (namespace: string, name: string, spec: NetworkPolicyObject['spec']): NetworkPolicyObject => ({
  metadata: { namespace, name },
  spec,
});

const namespaces = [ns('a', { team: 'x' }), ns('b', { team: 'y' }), ns('c')];
const pods = [
  pod('a', 'web', '10.1.0.2', { app: 'web' }, 'n1', [
    { name: 'http', containerPort: 8080 },
    { name: 'dns', containerPort: 5353, protocol: 'UDP' },
  ]),
  pod('a', 'db', '10.1.0.3', { app: 'db' }),
  pod('b', 'web', '10.1.1.2', { app: 'web' }, 'n2', [{ name: 'http', containerPort: 9090 }]),
  pod('b', 'cli', '10.1.1.3', { app: 'cli' }, 'n2'),
  pod('c', 'cli', '10.1.2.2', { app: 'cli' }, 'n1'),
];

interface Packet {
  src: string;
  dst: string;
  proto?: 'tcp' | 'udp' | 'sctp';
  port: number;
}

const ipNum = (ip: string): number => ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
const inCidr = (cidr: string, ip: string): boolean => {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipNum(ip) / size) === Math.floor(ipNum(base) / size);
};

/** Walks `chain` for the packet; answers 'RETURN' (fell through or returned) or 'REJECT'. */
function walk(
  rules: readonly string[],
  chain: string,
  pkt: Packet,
  mark: { v: boolean },
  depth = 0,
): 'RETURN' | 'REJECT' {
  if (depth > 5) throw new Error('loop');
  for (const line of rules.filter((l) => l.startsWith(`-A ${chain} `))) {
    const t = line.split(/\s+/);
    const arg = (flag: string): string | undefined => {
      const i = t.indexOf(flag);
      return i >= 0 ? t[i + 1] : undefined;
    };
    if (line.includes('--ctstate RELATED,ESTABLISHED')) continue; // a NEW packet
    const s = arg('-s');
    const d = arg('-d');
    const p = arg('-p');
    const dport = arg('--dport');
    if (s && !inCidr(s, pkt.src)) continue;
    if (d && !inCidr(d, pkt.dst)) continue;
    if (p && p !== (pkt.proto ?? 'tcp')) continue;
    if (dport) {
      const [lo = 0, hi = lo] = dport.split(':').map(Number);
      if (pkt.port < lo || pkt.port > hi) continue;
    }
    if (line.includes(`-m mark --mark ${ALLOW_MARK}`) && !mark.v) continue;
    const target = arg('-j');
    if (target === 'MARK') mark.v = arg('--set-xmark') === ALLOW_MARK;
    else if (target === 'RETURN') return 'RETURN';
    else if (target === 'REJECT') return 'REJECT';
    else if (target) {
      if (walk(rules, target, pkt, mark, depth + 1) === 'REJECT') return 'REJECT';
    }
  }
  return 'RETURN';
}

/** Whether FORWARD lets a new packet through, with every node's rule set installed. */
function allowed(
  policies: NetworkPolicyObject[],
  pkt: Packet,
  o: { pods?: PodObject[]; sctp?: boolean } = {},
): boolean {
  for (const node of ['n1', 'n2']) {
    const prefix = `${P}${node}`;
    const set = buildPolicyRuleSet({
      prefix,
      nodeName: node,
      pods: o.pods ?? pods,
      namespaces,
      policies,
      sctp: o.sctp ?? false,
    });
    if (walk(set.filter.rules, `${prefix}-FWD`, pkt, { v: false }) === 'REJECT') return false;
  }
  return true;
}

const denyAll = (namespace: string, types: string[] = ['Ingress']): NetworkPolicyObject =>
  policy(namespace, 'deny', { podSelector: {}, policyTypes: types });

describe('buildPolicyRuleSet', () => {
  it('writes no pod chains without policies, and returns established traffic first', () => {
    const set = buildPolicyRuleSet({ prefix: P, nodeName: 'n1', pods, namespaces, policies: [] });
    expect(set.filter.chains).toEqual([`${P}-FWD`]);
    expect(set.filter.rules).toEqual([`-A ${P}-FWD -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`]);
    expect(set.nat.rules).toEqual([]);
    expect(policyJumps(P)).toEqual([
      expect.objectContaining({ table: 'filter', chain: 'FORWARD', target: `${P}-FWD` }),
    ]);
    expect(allowed([], { src: '10.1.1.3', dst: '10.1.0.2', port: 1 })).toBe(true);
  });

  it('isolates only the pods of its node: chains for n1 name n1 pods only', () => {
    const set = buildPolicyRuleSet({ prefix: P, nodeName: 'n1', pods, namespaces, policies: [denyAll('b')] });
    expect(set.filter.chains).toEqual([`${P}-FWD`]); // b's pods run on n2
    const set2 = buildPolicyRuleSet({ prefix: P, nodeName: 'n2', pods, namespaces, policies: [denyAll('b')] });
    expect(set2.filter.rules.filter((r) => r.includes(' -d ') && r.startsWith(`-A ${P}-FWD`))).toHaveLength(2);
  });

  it('default deny ingress isolates every pod of the namespace, and only ingress', () => {
    const p = [denyAll('a')];
    expect(allowed(p, { src: '10.1.1.3', dst: '10.1.0.2', port: 8080 })).toBe(false);
    expect(allowed(p, { src: '10.1.0.3', dst: '10.1.0.2', port: 8080 })).toBe(false); // same namespace too
    expect(allowed(p, { src: '10.1.0.2', dst: '10.1.1.2', port: 9090 })).toBe(true); // egress untouched
    expect(allowed(p, { src: '10.1.1.3', dst: '10.1.1.2', port: 9090 })).toBe(true); // other namespace
  });

  it('default deny egress blocks what the pod sends, not what it receives', () => {
    const p = [denyAll('a', ['Egress'])];
    expect(allowed(p, { src: '10.1.0.2', dst: '10.1.1.2', port: 9090 })).toBe(false);
    expect(allowed(p, { src: '10.1.1.3', dst: '10.1.0.2', port: 8080 })).toBe(true);
  });

  it('defaults policyTypes as the API does: Egress only when egress rules exist', () => {
    const onlyEgressRules = policy('a', 'e', {
      podSelector: { matchLabels: { app: 'web' } },
      egress: [{ to: [{ podSelector: {} }] }],
    });
    expect(allowed([onlyEgressRules], { src: '10.1.0.2', dst: '10.1.1.2', port: 1 })).toBe(false); // egress isolated
    expect(allowed([onlyEgressRules], { src: '10.1.0.2', dst: '10.1.0.3', port: 1 })).toBe(true); // same ns allowed
    expect(allowed([onlyEgressRules], { src: '10.1.1.3', dst: '10.1.0.2', port: 1 })).toBe(false); // ingress isolated, no rules
  });

  it('allows the same namespace with an empty podSelector peer', () => {
    const p = [policy('a', 'same', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })];
    expect(allowed(p, { src: '10.1.0.3', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(p, { src: '10.1.1.3', dst: '10.1.0.2', port: 80 })).toBe(false);
  });

  it('allows a namespace by label, and a pod by label across namespaces (both selectors together)', () => {
    const byNs = [
      policy('a', 'ns', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } } }] }],
      }),
    ];
    expect(allowed(byNs, { src: '10.1.1.3', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(byNs, { src: '10.1.2.2', dst: '10.1.0.2', port: 80 })).toBe(false);
    expect(allowed(byNs, { src: '10.1.2.2', dst: '10.1.0.3', port: 80 })).toBe(true); // db not selected
    const both = [
      policy('a', 'both', {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'cli' } } }] }],
      }),
    ];
    expect(allowed(both, { src: '10.1.1.3', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(both, { src: '10.1.2.2', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(both, { src: '10.1.1.2', dst: '10.1.0.2', port: 80 })).toBe(false); // b/web is no cli
    expect(allowed(both, { src: '10.1.0.3', dst: '10.1.0.2', port: 80 })).toBe(false);
    // Two peers (OR), unlike one peer with both selectors (AND):
    const either = [
      policy('a', 'or', {
        podSelector: {},
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { team: 'y' } } },
              { podSelector: { matchLabels: { app: 'db' } } },
            ],
          },
        ],
      }),
    ];
    expect(allowed(either, { src: '10.1.1.2', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(either, { src: '10.1.0.3', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(either, { src: '10.1.2.2', dst: '10.1.0.2', port: 80 })).toBe(false);
  });

  it('matches namespaces by their implicit name label', () => {
    const p = [
      policy('a', 'n', {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'c' } } }] }],
      }),
    ];
    expect(allowed(p, { src: '10.1.2.2', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(p, { src: '10.1.1.3', dst: '10.1.0.2', port: 80 })).toBe(false);
  });

  it('unions the allows of every policy selecting a pod, per direction', () => {
    const p = [
      denyAll('a'),
      policy('a', 'from-b', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } } }] }],
      }),
      policy('a', 'from-c', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'c' } } }],
            ports: [{ port: 8080 }],
          },
        ],
      }),
    ];
    expect(allowed(p, { src: '10.1.1.3', dst: '10.1.0.2', port: 1 })).toBe(true);
    expect(allowed(p, { src: '10.1.2.2', dst: '10.1.0.2', port: 8080 })).toBe(true);
    expect(allowed(p, { src: '10.1.2.2', dst: '10.1.0.2', port: 81 })).toBe(false);
    expect(allowed(p, { src: '10.1.1.3', dst: '10.1.0.3', port: 1 })).toBe(false); // db: deny only
  });

  it('needs both ends to allow: egress of the sender and ingress of the receiver', () => {
    const p = [
      policy('a', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] }),
      denyAll('b'),
    ];
    expect(allowed(p, { src: '10.1.0.2', dst: '10.1.1.2', port: 80 })).toBe(false);
    expect(allowed(p, { src: '10.1.0.2', dst: '10.1.2.2', port: 80 })).toBe(true);
  });

  it('matches ports by number, range (endPort), protocol and name resolved on the receiving pod', () => {
    const rule = (ports: PolicyPort[]): NetworkPolicyObject[] => [
      policy('a', 'p', { podSelector: {}, ingress: [{ ports }] }),
    ];
    expect(allowed(rule([{ port: 80 }]), { src: '10.1.1.3', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(rule([{ port: 80 }]), { src: '10.1.1.3', dst: '10.1.0.2', port: 80, proto: 'udp' })).toBe(false); // TCP by default
    expect(
      allowed(rule([{ port: 80, protocol: 'UDP' }]), { src: '10.1.1.3', dst: '10.1.0.2', port: 80, proto: 'udp' }),
    ).toBe(true);
    expect(allowed(rule([{ protocol: 'UDP' }]), { src: '10.1.1.3', dst: '10.1.0.2', port: 9, proto: 'udp' })).toBe(
      true,
    );
    const range = rule([{ port: 8000, endPort: 8100 }]);
    expect(
      [7999, 8000, 8050, 8100, 8101].map((port) => allowed(range, { src: '10.1.1.3', dst: '10.1.0.2', port })),
    ).toEqual([false, true, true, true, false]);
    const named = rule([{ port: 'http' }, { port: 'dns', protocol: 'UDP' }]);
    expect(allowed(named, { src: '10.1.1.3', dst: '10.1.0.2', port: 8080 })).toBe(true);
    expect(allowed(named, { src: '10.1.1.3', dst: '10.1.0.2', port: 80 })).toBe(false);
    expect(allowed(named, { src: '10.1.1.3', dst: '10.1.0.2', port: 5353, proto: 'udp' })).toBe(true);
    expect(allowed(named, { src: '10.1.1.3', dst: '10.1.0.2', port: 5353 })).toBe(false); // dns is UDP
    expect(allowed(named, { src: '10.1.1.3', dst: '10.1.0.3', port: 8080 })).toBe(false); // db has no port "http"
  });

  it('resolves an egress named port on each destination pod', () => {
    const p = [
      policy('a', 'e', {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 'http' }] }],
      }),
    ];
    expect(allowed(p, { src: '10.1.0.3', dst: '10.1.0.2', port: 8080 })).toBe(true);
    expect(allowed(p, { src: '10.1.0.3', dst: '10.1.1.2', port: 9090 })).toBe(true);
    expect(allowed(p, { src: '10.1.0.3', dst: '10.1.1.2', port: 8080 })).toBe(false);
    const toB = [
      policy('a', 'e', {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.1.1.0/24' } }], ports: [{ port: 'http' }] }],
      }),
    ];
    expect(allowed(toB, { src: '10.1.0.3', dst: '10.1.1.2', port: 9090 })).toBe(true);
    expect(allowed(toB, { src: '10.1.0.3', dst: '10.1.0.2', port: 8080 })).toBe(false);
  });

  it('matches ipBlock with except, in both directions', () => {
    const ingress = [
      policy('a', 'b', {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.1.0/24', '10.1.2.2/32'] } }] }],
      }),
    ];
    expect(allowed(ingress, { src: '10.1.0.3', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(ingress, { src: '10.1.1.3', dst: '10.1.0.2', port: 80 })).toBe(false);
    expect(allowed(ingress, { src: '10.1.2.2', dst: '10.1.0.2', port: 80 })).toBe(false);
    expect(allowed(ingress, { src: '10.1.2.9', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(ingress, { src: '192.168.0.1', dst: '10.1.0.2', port: 80 })).toBe(false);
    const egress = [
      policy('c', 'b', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/23', except: ['10.1.0.3/32'] } }], ports: [{ port: 80 }] }],
      }),
    ];
    expect(allowed(egress, { src: '10.1.2.2', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(egress, { src: '10.1.2.2', dst: '10.1.0.3', port: 80 })).toBe(false);
    expect(allowed(egress, { src: '10.1.2.2', dst: '10.1.1.3', port: 80 })).toBe(true);
    expect(allowed(egress, { src: '10.1.2.2', dst: '10.1.1.3', port: 81 })).toBe(false);
    // Two blocks with exceptions in one policy, one of them twice (other ports): each allows.
    const two = [
      policy('a', 'two', {
        podSelector: {},
        ingress: [
          {
            from: [
              { ipBlock: { cidr: '10.1.1.0/24', except: ['10.1.1.2/32'] } },
              { ipBlock: { cidr: '10.1.2.0/24', except: ['10.1.2.9/32'] } },
            ],
            ports: [{ port: 80 }],
          },
          { from: [{ ipBlock: { cidr: '10.1.1.0/24', except: ['10.1.1.2/32'] } }], ports: [{ port: 81 }] },
        ],
      }),
    ];
    expect(allowed(two, { src: '10.1.1.3', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(two, { src: '10.1.2.2', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(two, { src: '10.1.1.3', dst: '10.1.0.2', port: 81 })).toBe(true);
    expect(allowed(two, { src: '10.1.1.2', dst: '10.1.0.2', port: 81 })).toBe(false);
    expect(allowed(two, { src: '10.1.2.2', dst: '10.1.0.2', port: 81 })).toBe(false);
    // A CIDR with host bits set is written as iptables shows it.
    const set = buildPolicyRuleSet({
      prefix: P,
      nodeName: 'n1',
      pods,
      namespaces,
      policies: [policy('a', 'h', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.1.3.7/24' } }] }] })],
    });
    expect(set.filter.rules.some((r) => r.includes('-s 10.1.3.0/24 '))).toBe(true);
  });

  it('skips SCTP unless the kernel has it, IPv6 blocks, empty peers and pods without an address', () => {
    const sctp = [policy('a', 's', { podSelector: {}, ingress: [{ ports: [{ protocol: 'SCTP', port: 7 }] }] })];
    expect(allowed(sctp, { src: '10.1.1.3', dst: '10.1.0.2', port: 7, proto: 'sctp' })).toBe(false);
    expect(allowed(sctp, { src: '10.1.1.3', dst: '10.1.0.2', port: 7, proto: 'sctp' }, { sctp: true })).toBe(true);
    const v6 = [policy('a', 'v6', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/8' } }, {}] }] })];
    expect(allowed(v6, { src: '10.1.1.3', dst: '10.1.0.2', port: 7 })).toBe(false);
    const pending: PodObject = {
      metadata: { namespace: 'a', name: 'new', labels: {} },
      spec: { nodeName: 'n1' },
      status: { phase: 'Pending' },
    };
    const hostNet: PodObject = { ...pod('a', 'h', '127.0.0.1', {}), spec: { nodeName: 'n1', hostNetwork: true } };
    const set = buildPolicyRuleSet({
      prefix: P,
      nodeName: 'n1',
      pods: [...pods, pending, hostNet],
      namespaces,
      policies: [denyAll('a')],
    });
    expect(set.filter.rules.filter((r) => r.startsWith(`-A ${P}-FWD -d`))).toHaveLength(2);
  });

  it('is deterministic whatever the order of its inputs', () => {
    const policies = [denyAll('a'), policy('a', 'x', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })];
    const one = buildPolicyRuleSet({ prefix: P, nodeName: 'n1', pods, namespaces, policies });
    const two = buildPolicyRuleSet({
      prefix: P,
      nodeName: 'n1',
      pods: [...pods].reverse(),
      namespaces: [...namespaces].reverse(),
      policies: [...policies].reverse(),
    });
    expect(two).toEqual(one);
    for (const c of one.filter.chains) expect(c.length).toBeLessThanOrEqual(28);
  });

  it('puts many peers of one policy port into a chain of their own, with the same verdicts', () => {
    const p = [
      policy('a', 'all', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }, { port: 81 }] }],
      }),
    ];
    const set = buildPolicyRuleSet({ prefix: P, nodeName: 'n1', pods, namespaces, policies: p });
    const subs = set.filter.chains.filter((c) => c.includes('-S-'));
    expect(subs).toHaveLength(2); // one per port
    expect(set.filter.rules.filter((r) => r.startsWith(`-A ${subs[0]} `))).toHaveLength(5);
    expect(allowed(p, { src: '10.1.2.2', dst: '10.1.0.2', port: 80 })).toBe(true);
    expect(allowed(p, { src: '10.1.1.3', dst: '10.1.0.2', port: 81 })).toBe(true);
    expect(allowed(p, { src: '10.1.1.3', dst: '10.1.0.2', port: 82 })).toBe(false);
    expect(allowed(p, { src: '10.9.9.9', dst: '10.1.0.2', port: 80 })).toBe(false);
  });
});
