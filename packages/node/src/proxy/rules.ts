// The iptables rule set of the service dataplane, as a pure function of the service ports (the
// layout kube-proxy's iptables mode uses, under a per-Wharf chain prefix):
//   nat    PREROUTING, OUTPUT -> P-SERVICES: cluster IP:port -> P-SVC-x; local node ports -> P-NODEPORTS
//          P-SVC-x: from 127/8 -> P-MARK-MASQ; affinity checks; random choice -> P-SEP-y
//          P-SEP-y: hairpin -> P-MARK-MASQ; DNAT to the endpoint (ClientIP affinity: `recent` lists)
//          POSTROUTING -> P-POSTROUTING: marked packets toward pod CIDRs are masqueraded
//   filter OUTPUT, FORWARD -> P-SERVICES: REJECT ports without endpoints; nothing else in the service
//          CIDR leaves the machine un-DNATed; INPUT, FORWARD -> P-EXTERNAL: REJECT node ports without endpoints;
//          INPUT -> P-FIREWALL: drop martians to 127/8 that route_localnet would let in.
import { createHash } from 'node:crypto';
import type { ServicePort } from './model.js';

/** The mark that asks P-POSTROUTING to masquerade (kube-proxy's 0x4000). */
export const MASQ_MARK = '0x4000/0x4000';

export interface RuleSetInput {
  /** Chain prefix, unique per Wharf data dir, e.g. `WHARF-1A2B3C`. */
  readonly prefix: string;
  readonly ports: readonly ServicePort[];
  /** Pod CIDRs: masquerading happens only toward these. */
  readonly podCIDRs: readonly string[];
  /** CIDRs of local addresses node ports answer on, e.g. `127.0.0.1/32`. */
  readonly nodePortAddresses: readonly string[];
  /** Service CIDR: packets to it that were not DNATed are rejected. Omit to leave them alone. */
  readonly serviceCIDR?: string;
  /** Interfaces (iptables `-o` patterns) of pod bridges, exempt from that rejection. */
  readonly podInterfaces: readonly string[];
  /** Add the route_localnet martian guard (when node ports answer on loopback). */
  readonly localnetGuard: boolean;
}

export type Table = 'nat' | 'filter';

export interface TableRules {
  /** Chains this table's rule set owns, sorted. */
  readonly chains: readonly string[];
  /** `-A CHAIN ...` lines, in order. */
  readonly rules: readonly string[];
}

export type RuleSet = Readonly<Record<Table, TableRules>>;

/** A rule in a built-in chain that sends packets into the rule set. */
export interface Jump {
  readonly table: Table;
  readonly chain: string;
  /** Rule text after `-A CHAIN`. */
  readonly rule: string;
  readonly target: string;
}

/** Longest prefix that keeps every chain name within iptables' 28 characters. */
export const MAX_PREFIX_LENGTH = 12;

/** The prefix is not a valid chain-name prefix. */
export class InvalidPrefixError extends Error {
  constructor(prefix: string) {
    super(
      `'prefix' must be 1-${MAX_PREFIX_LENGTH} characters of A-Z, 0-9 and '-' starting with a letter, got "${prefix}"`,
    );
    this.name = 'InvalidPrefixError';
  }
}

export function checkPrefix(prefix: string): void {
  if (!new RegExp(`^[A-Z][A-Z0-9-]{0,${MAX_PREFIX_LENGTH - 1}}$`).test(prefix)) throw new InvalidPrefixError(prefix);
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 10).toUpperCase();

export const svcChain = (prefix: string, p: ServicePort): string => `${prefix}-SVC-${hash(`${p.id}/${p.protocol}`)}`;
export const sepChain = (prefix: string, p: ServicePort, ip: string, port: number): string =>
  `${prefix}-SEP-${hash(`${p.id}/${p.protocol}/${ip}:${port}`)}`;

/**
 * The built-in chain jumps, installed once and checked on every sync. With `podSources` (the
 * CIDRs of this Wharf's pods), PREROUTING sends only their packets, and packets to a local
 * address (node ports), through the Service rules: a pod of another Wharf on the same machine
 * never reaches this one's cluster IPs (10.96.0.1 is every cluster's API). Without, all packets.
 */
export function jumps(prefix: string, podSources?: readonly string[]): Jump[] {
  const j = (table: Table, chain: string, match: string, target: string): Jump => ({
    table,
    chain,
    target,
    rule: `${match}-m comment --comment "wharf ${prefix}" -j ${target}`,
  });
  const isNew = '-m conntrack --ctstate NEW ';
  const prerouting = podSources
    ? [
        ...podSources.map((cidr) => j('nat', 'PREROUTING', `-s ${cidr} `, `${prefix}-SERVICES`)),
        j('nat', 'PREROUTING', '-m addrtype --dst-type LOCAL ', `${prefix}-SERVICES`),
      ]
    : [j('nat', 'PREROUTING', '', `${prefix}-SERVICES`)];
  return [
    ...prerouting,
    j('nat', 'OUTPUT', '', `${prefix}-SERVICES`),
    j('nat', 'POSTROUTING', '', `${prefix}-POSTROUTING`),
    j('filter', 'INPUT', isNew, `${prefix}-EXTERNAL`),
    j('filter', 'FORWARD', isNew, `${prefix}-EXTERNAL`),
    j('filter', 'FORWARD', isNew, `${prefix}-SERVICES`),
    j('filter', 'OUTPUT', isNew, `${prefix}-SERVICES`),
    j('filter', 'INPUT', '', `${prefix}-FIREWALL`),
  ];
}

function portMatch(p: ServicePort, port: number): string {
  const proto = p.protocol.toLowerCase();
  return `-p ${proto} -m ${proto} --dport ${port}`;
}

/** The complete rule set for the given service ports. */
export function buildRuleSet(input: RuleSetInput): RuleSet {
  const P = input.prefix;
  checkPrefix(P);
  const SERVICES = `${P}-SERVICES`;
  const NODEPORTS = `${P}-NODEPORTS`;
  const MARK = `${P}-MARK-MASQ`;
  const POST = `${P}-POSTROUTING`;
  const nat: string[] = [];
  const natChains = new Set([SERVICES, NODEPORTS, MARK, POST]);
  const filter: string[] = [];
  const FSERVICES = `${P}-SERVICES`;
  const FEXTERNAL = `${P}-EXTERNAL`;
  const FIREWALL = `${P}-FIREWALL`;
  const filterChains = new Set([FSERVICES, FEXTERNAL, FIREWALL]);

  nat.push(`-A ${MARK} -j MARK --set-xmark ${MASQ_MARK}`);
  nat.push(`-A ${POST} -m mark ! --mark ${MASQ_MARK} -j RETURN`);
  for (const cidr of input.podCIDRs)
    nat.push(`-A ${POST} -d ${cidr} -m comment --comment "masquerade toward pods" -j MASQUERADE --random-fully`);

  const svcRules: string[] = [];
  const sepRules: string[] = [];
  for (const p of input.ports) {
    const note = (extra = ''): string => `-m comment --comment "${p.id}${extra}"`;
    const comment = note();
    if (p.endpoints.length === 0) {
      filter.push(
        `-A ${FSERVICES} -d ${p.clusterIP}/32 ${portMatch(p, p.port)} ${note(' has no endpoints')} -j REJECT --reject-with icmp-port-unreachable`,
      );
      if (p.nodePort !== undefined) {
        for (const cidr of input.nodePortAddresses) {
          filter.push(
            `-A ${FEXTERNAL} -d ${cidr} ${portMatch(p, p.nodePort)} ${note(' has no endpoints')} -j REJECT --reject-with icmp-port-unreachable`,
          );
        }
      }
      continue;
    }
    const svc = svcChain(P, p);
    natChains.add(svc);
    nat.push(`-A ${SERVICES} -d ${p.clusterIP}/32 ${portMatch(p, p.port)} ${note(' cluster IP')} -j ${svc}`);
    if (p.nodePort !== undefined) {
      nat.push(`-A ${NODEPORTS} ${portMatch(p, p.nodePort)} ${comment} -j ${MARK}`);
      nat.push(`-A ${NODEPORTS} ${portMatch(p, p.nodePort)} ${comment} -j ${svc}`);
    }
    // A pod cannot answer 127.0.0.1: such connections leave with the bridge's address. Other host
    // addresses are answered through the host as they are; masquerading them too would map many
    // short connections onto few bridge-address ports and hit the pod's TIME_WAIT sockets.
    svcRules.push(`-A ${svc} -s 127.0.0.0/8 ${comment} -j ${MARK}`);
    const seps = p.endpoints.map((e) => ({ ...e, chain: sepChain(P, p, e.ip, e.port) }));
    if (p.affinitySeconds !== undefined) {
      for (const e of seps) {
        svcRules.push(
          `-A ${svc} ${comment} -m recent --name ${e.chain} --rcheck --seconds ${p.affinitySeconds} --reap --rsource -j ${e.chain}`,
        );
      }
    }
    seps.forEach((e, i) => {
      const left = seps.length - i;
      const pick = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(10)} ` : '';
      svcRules.push(`-A ${svc} ${note(` -> ${e.ip}:${e.port}`)} ${pick}-j ${e.chain}`);
      natChains.add(e.chain);
      const proto = p.protocol.toLowerCase();
      sepRules.push(`-A ${e.chain} -s ${e.ip}/32 ${comment} -j ${MARK}`);
      const recent = p.affinitySeconds !== undefined ? ` -m recent --name ${e.chain} --set --rsource` : '';
      sepRules.push(
        `-A ${e.chain} ${comment} -p ${proto}${recent} -m ${proto} -j DNAT --to-destination ${e.ip}:${e.port}`,
      );
    });
  }
  for (const cidr of input.nodePortAddresses) {
    nat.push(
      `-A ${SERVICES} -d ${cidr} -m addrtype --dst-type LOCAL -m comment --comment "node ports" -j ${NODEPORTS}`,
    );
  }
  nat.push(...svcRules, ...sepRules);

  if (input.serviceCIDR) {
    // Only what would leave through a non-pod interface: a pod address inside the service CIDR
    // (another cluster's) stays reachable.
    for (const bridge of input.podInterfaces)
      filter.push(`-A ${FSERVICES} -d ${input.serviceCIDR} -o ${bridge} -j RETURN`);
    filter.push(
      `-A ${FSERVICES} -d ${input.serviceCIDR} -m comment --comment "no service at this address" -j REJECT --reject-with icmp-port-unreachable`,
    );
  }
  if (input.localnetGuard) {
    filter.push(
      `-A ${FIREWALL} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    );
  }
  return {
    nat: { chains: [...natChains].sort(), rules: nat },
    filter: { chains: [...filterChains].sort(), rules: filter },
  };
}

/** What iptables-save shows of one table: its chains and `-A` lines. */
export interface SavedTable {
  readonly chains: readonly string[];
  readonly rules: readonly string[];
}

export function parseSave(text: string): Map<string, SavedTable> {
  const tables = new Map<string, { chains: string[]; rules: string[] }>();
  let current: { chains: string[]; rules: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      current = { chains: [], rules: [] };
      tables.set(line.slice(1).trim(), current);
    } else if (!current) {
      continue;
    } else if (line.startsWith(':')) {
      current.chains.push(line.slice(1).split(' ')[0] ?? '');
    } else if (line.startsWith('-A ')) {
      current.rules.push(line);
    }
  }
  return tables;
}

const isOwn = (prefix: string, chain: string): boolean => chain.startsWith(`${prefix}-`);

/**
 * The `iptables-restore --noflush` text that turns what is installed (`saved`) into `set`:
 * every owned chain is declared (which flushes it) and refilled, jumps into owned chains that are
 * no longer wanted (an older form) are deleted, missing built-in jumps (`wanted`) are inserted
 * first in their chains, and owned chains no longer in the set are deleted.
 */
export function restoreText(
  prefix: string,
  set: RuleSet,
  saved: Map<string, SavedTable>,
  wanted: readonly Jump[] = jumps(prefix),
): string {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const want = set[table];
    const have = saved.get(table) ?? { chains: [], rules: [] };
    const stale = have.chains.filter((c) => isOwn(prefix, c) && !want.chains.includes(c));
    out.push(`*${table}`);
    for (const c of [...want.chains, ...stale]) out.push(`:${c} - [0:0]`);
    out.push(...want.rules);
    for (const r of staleJumps(prefix, saved, wanted).filter((x) => x.table === table))
      out.push(`-D ${r.rule.slice(3)}`);
    for (const j of missingJumps(prefix, saved, wanted).filter((x) => x.table === table))
      out.push(`-I ${j.chain} 1 ${j.rule}`);
    for (const c of stale) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return `${out.join('\n')}\n`;
}

const jumpText = (j: Jump): string => `-A ${j.chain} ${j.rule}`;

/**
 * The built-in chain jumps (the proxy's unless `wanted` says otherwise) that are not installed, as iptables-save prints
 * them.
 */
export function missingJumps(
  prefix: string,
  saved: Map<string, SavedTable>,
  wanted: readonly Jump[] = jumps(prefix),
): Jump[] {
  return wanted.filter((j) => !(saved.get(j.table)?.rules ?? []).includes(jumpText(j)));
}

/** Installed jumps from built-in chains into owned chains that `wanted` does not hold (`-A …` rules). */
export function staleJumps(
  prefix: string,
  saved: Map<string, SavedTable>,
  wanted: readonly Jump[] = jumps(prefix),
): { table: Table; rule: string }[] {
  const want = new Set(wanted.map(jumpText));
  const out: { table: Table; rule: string }[] = [];
  for (const table of ['filter', 'nat'] as const) {
    for (const rule of saved.get(table)?.rules ?? []) {
      const m = /^-A (\S+) .*-j (\S+)$/.exec(rule);
      if (m && !isOwn(prefix, m[1] ?? '') && isOwn(prefix, m[2] ?? '') && !want.has(rule)) out.push({ table, rule });
    }
  }
  return out;
}

const SYNC_MARK = 'wharf rule set';

/**
 * The rule set with a mark of its own content: one rule, in a chain nothing jumps to, whose
 * comment carries a hash of everything else. A restarted proxy that finds the mark of the rule
 * set it would write knows the kernel already holds it, and adopts it without rewriting.
 */
export function markRuleSet(prefix: string, set: RuleSet): { set: RuleSet; mark: string } {
  const mark = createHash('sha256').update(JSON.stringify(set)).digest('hex').slice(0, 16);
  const chain = `${prefix}-SYNC`;
  return {
    mark,
    set: {
      ...set,
      nat: {
        chains: [...set.nat.chains, chain].sort(),
        rules: [...set.nat.rules, `-A ${chain} -m comment --comment "${SYNC_MARK} ${mark}" -j RETURN`],
      },
    },
  };
}

/** The mark of the rule set installed under `prefix`, if any. */
export function installedMark(prefix: string, saved: Map<string, SavedTable>): string | undefined {
  const line = saved.get('nat')?.rules.find((r) => r.startsWith(`-A ${prefix}-SYNC `));
  return line ? new RegExp(`${SYNC_MARK} ([0-9a-f]+)`).exec(line)?.[1] : undefined;
}

/** The restore text that removes every rule and chain of `prefix` from what is installed. */
export function cleanupText(prefix: string, saved: Map<string, SavedTable>): string | undefined {
  const out: string[] = [];
  for (const [table, t] of saved) {
    const own = t.chains.filter((c) => isOwn(prefix, c));
    const refs = t.rules.filter((r) => {
      const chain = r.split(' ')[1] ?? '';
      return !isOwn(prefix, chain) && / -j (\S+)/.exec(r)?.[1]?.startsWith(`${prefix}-`);
    });
    if (own.length === 0 && refs.length === 0) continue;
    out.push(`*${table}`);
    for (const r of refs) out.push(`-D ${r.slice(3)}`);
    for (const c of own) out.push(`:${c} - [0:0]`);
    for (const c of own) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.length ? `${out.join('\n')}\n` : undefined;
}
