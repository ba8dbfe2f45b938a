import { describe, expect, it } from 'vitest';
import type { ServicePort } from './model.js';
import {
  buildRuleSet,
  cleanupText,
  installedMark,
  InvalidPrefixError,
  jumps,
  markRuleSet,
  missingJumps,
  parseSave,
  restoreText,
  sepChain,
  staleJumps,
  svcChain,
  type RuleSetInput,
} from './rules.js';

const P = 'WHARF-ABC123';
const web: ServicePort = {
  id: 'default/web:',
  clusterIP: '10.96.0.10',
  port: 80,
  protocol: 'TCP',
  endpoints: [
    { ip: '10.64.0.2', port: 8080 },
    { ip: '10.64.1.2', port: 8080 },
    { ip: '10.64.1.3', port: 8080 },
  ],
};
const input = (ports: ServicePort[], extra: Partial<RuleSetInput> = {}): RuleSetInput => ({
  prefix: P,
  ports,
  podCIDRs: ['10.64.0.0/24', '10.64.1.0/24'],
  nodePortAddresses: ['127.0.0.1/32'],
  serviceCIDR: '10.96.0.0/12',
  podInterfaces: ['wh+'],
  localnetGuard: true,
  ...extra,
});

describe('buildRuleSet', () => {
  it('sends a cluster IP:port to a per-service chain that picks each endpoint with equal probability', () => {
    const { nat } = buildRuleSet(input([web]));
    const svc = svcChain(P, web);
    expect(nat.rules).toContain(
      `-A ${P}-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web: cluster IP" -j ${svc}`,
    );
    const picks = nat.rules.filter((r) => r.startsWith(`-A ${svc} `) && r.includes('-SEP-'));
    expect(picks.map((r) => /--probability (\S+)/.exec(r)?.[1] ?? 'last')).toEqual([
      '0.3333333333',
      '0.5000000000',
      'last',
    ]);
    for (const e of web.endpoints) {
      const sep = sepChain(P, web, e.ip, e.port);
      expect(nat.chains).toContain(sep);
      expect(nat.rules).toContain(`-A ${sep} -s ${e.ip}/32 -m comment --comment "default/web:" -j ${P}-MARK-MASQ`);
      expect(nat.rules).toContain(
        `-A ${sep} -m comment --comment "default/web:" -p tcp -m tcp -j DNAT --to-destination ${e.ip}:8080`,
      );
    }
  });

  it('masquerades loopback-sourced and hairpin connections, and only toward pod CIDRs', () => {
    const { nat } = buildRuleSet(input([web]));
    expect(nat.rules).toContain(
      `-A ${svcChain(P, web)} -s 127.0.0.0/8 -m comment --comment "default/web:" -j ${P}-MARK-MASQ`,
    );
    const masq = nat.rules.filter((r) => r.includes('MASQUERADE'));
    expect(masq).toEqual([
      `-A ${P}-POSTROUTING -d 10.64.0.0/24 -m comment --comment "masquerade toward pods" -j MASQUERADE --random-fully`,
      `-A ${P}-POSTROUTING -d 10.64.1.0/24 -m comment --comment "masquerade toward pods" -j MASQUERADE --random-fully`,
    ]);
    expect(buildRuleSet(input([web], { podCIDRs: [] })).nat.rules.some((r) => r.includes('MASQUERADE'))).toBe(false);
  });

  it('rejects ports without endpoints in the filter table, and adds no nat rule for them', () => {
    const empty: ServicePort = {
      ...web,
      id: 'default/empty:',
      clusterIP: '10.96.0.11',
      nodePort: 30001,
      endpoints: [],
    };
    const { nat, filter } = buildRuleSet(input([empty]));
    expect(nat.rules.some((r) => r.includes('10.96.0.11'))).toBe(false);
    expect(filter.rules).toContain(
      `-A ${P}-SERVICES -d 10.96.0.11/32 -p tcp -m tcp --dport 80 -m comment --comment "default/empty: has no endpoints" -j REJECT --reject-with icmp-port-unreachable`,
    );
    expect(filter.rules).toContain(
      `-A ${P}-EXTERNAL -d 127.0.0.1/32 -p tcp -m tcp --dport 30001 -m comment --comment "default/empty: has no endpoints" -j REJECT --reject-with icmp-port-unreachable`,
    );
  });

  it('rejects the rest of the service CIDR, except toward pod bridges', () => {
    const tail = (s: ReturnType<typeof buildRuleSet>): string[] =>
      s.filter.rules.filter((r) => r.includes('-d 10.96.0.0/12'));
    expect(tail(buildRuleSet(input([])))).toEqual([
      `-A ${P}-SERVICES -d 10.96.0.0/12 -o wh+ -j RETURN`,
      `-A ${P}-SERVICES -d 10.96.0.0/12 -m comment --comment "no service at this address" -j REJECT --reject-with icmp-port-unreachable`,
    ]);
    expect(tail(buildRuleSet(input([], { serviceCIDR: undefined })))).toEqual([]);
  });

  it('answers node ports on the given local addresses, masquerading them', () => {
    const np: ServicePort = { ...web, nodePort: 30080 };
    const { nat } = buildRuleSet(input([np], { nodePortAddresses: ['127.0.0.1/32', '10.0.0.5/32'] }));
    expect(nat.rules).toContain(
      `-A ${P}-SERVICES -d 127.0.0.1/32 -m addrtype --dst-type LOCAL -m comment --comment "node ports" -j ${P}-NODEPORTS`,
    );
    expect(nat.rules).toContain(
      `-A ${P}-SERVICES -d 10.0.0.5/32 -m addrtype --dst-type LOCAL -m comment --comment "node ports" -j ${P}-NODEPORTS`,
    );
    expect(nat.rules).toContain(
      `-A ${P}-NODEPORTS -p tcp -m tcp --dport 30080 -m comment --comment "default/web:" -j ${P}-MARK-MASQ`,
    );
    expect(nat.rules).toContain(
      `-A ${P}-NODEPORTS -p tcp -m tcp --dport 30080 -m comment --comment "default/web:" -j ${svcChain(P, np)}`,
    );
    // node-port dispatch comes after every cluster IP rule
    const services = nat.rules.filter((r) => r.startsWith(`-A ${P}-SERVICES `));
    expect(services.at(-1)).toContain('NODEPORTS');
  });

  it('keeps ClientIP affinity with recent lists checked before the random choice', () => {
    const sticky: ServicePort = { ...web, affinitySeconds: 600 };
    const { nat } = buildRuleSet(input([sticky]));
    const svc = nat.rules.filter((r) => r.startsWith(`-A ${svcChain(P, sticky)} `));
    const sep0 = sepChain(P, sticky, '10.64.0.2', 8080);
    expect(svc[1]).toBe(
      `-A ${svcChain(P, sticky)} -m comment --comment "default/web:" -m recent --name ${sep0} --rcheck --seconds 600 --reap --rsource -j ${sep0}`,
    );
    expect(svc.filter((r) => r.includes('--rcheck'))).toHaveLength(3);
    expect(svc.findIndex((r) => r.includes('statistic'))).toBeGreaterThan(3);
    expect(nat.rules).toContain(
      `-A ${sep0} -m comment --comment "default/web:" -p tcp -m recent --name ${sep0} --set --rsource -m tcp -j DNAT --to-destination 10.64.0.2:8080`,
    );
  });

  it('uses the protocol of the port', () => {
    const dns: ServicePort = {
      ...web,
      id: 'kube-system/dns:dns',
      protocol: 'UDP',
      port: 53,
      endpoints: [{ ip: '10.64.0.7', port: 5353 }],
    };
    const { nat } = buildRuleSet(input([dns]));
    expect(nat.rules).toContain(
      `-A ${P}-SERVICES -d 10.96.0.10/32 -p udp -m udp --dport 53 -m comment --comment "kube-system/dns:dns cluster IP" -j ${svcChain(P, dns)}`,
    );
    expect(nat.rules.filter((r) => r.includes('statistic'))).toEqual([]);
  });

  it('names chains within 28 characters and refuses bad prefixes', () => {
    const { nat, filter } = buildRuleSet(input([{ ...web, nodePort: 30080, affinitySeconds: 1 }]));
    for (const c of [...nat.chains, ...filter.chains]) expect(c.length).toBeLessThanOrEqual(28);
    expect(() => buildRuleSet(input([], { prefix: 'wharf' }))).toThrow(InvalidPrefixError);
    expect(() => buildRuleSet(input([], { prefix: 'WHARF-ABCDEFGH' }))).toThrow(InvalidPrefixError);
  });

  it('is deterministic', () => {
    expect(buildRuleSet(input([web]))).toEqual(buildRuleSet(input([{ ...web }])));
  });
});

const saved = (text: string): ReturnType<typeof parseSave> => parseSave(text);

describe('restoreText', () => {
  it('declares owned chains, inserts missing jumps and deletes stale chains', () => {
    const set = buildRuleSet(input([web]));
    const text = restoreText(
      P,
      set,
      saved(
        `*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:${P}-SVC-OLD - [0:0]\n:OTHER-SVC - [0:0]\n-A OUTPUT -m comment --comment "wharf ${P}" -j ${P}-SERVICES\nCOMMIT\n`,
      ),
    );
    const nat = text.slice(text.indexOf('*nat'));
    expect(nat).toContain(`:${P}-SVC-OLD - [0:0]`);
    expect(nat).toContain(`-X ${P}-SVC-OLD`);
    expect(nat).not.toContain('OTHER-SVC');
    expect(nat).toContain(`-I PREROUTING 1 -m comment --comment "wharf ${P}" -j ${P}-SERVICES`);
    expect(nat).not.toContain('-I OUTPUT');
    expect(nat).toContain(`-I POSTROUTING 1 -m comment --comment "wharf ${P}" -j ${P}-POSTROUTING`);
    const filter = text.slice(0, text.indexOf('*nat'));
    expect(filter).toContain(
      `-I OUTPUT 1 -m conntrack --ctstate NEW -m comment --comment "wharf ${P}" -j ${P}-SERVICES`,
    );
    expect(text.match(/^COMMIT$/gm)).toHaveLength(2);
  });
});

describe("PREROUTING for this cluster's pods only", () => {
  const own = jumps(P, ['10.140.0.0/16']);
  const unconditional = `-A PREROUTING -m comment --comment "wharf ${P}" -j ${P}-SERVICES`;

  it('sends routed packets from the pod range, and to local addresses, through the Service rules', () => {
    expect(own.filter((j) => j.chain === 'PREROUTING').map((j) => j.rule)).toEqual([
      `-s 10.140.0.0/16 -m comment --comment "wharf ${P}" -j ${P}-SERVICES`,
      `-m addrtype --dst-type LOCAL -m comment --comment "wharf ${P}" -j ${P}-SERVICES`,
    ]);
  });

  it('replaces the jump of an older build (unconditional) in the same transaction, and leaves other prefixes alone', () => {
    const before = saved(
      `*nat\n:PREROUTING ACCEPT [0:0]\n:${P}-SERVICES - [0:0]\n${unconditional}\n-A PREROUTING -j WHARF-OTHER-SERVICES\nCOMMIT\n*filter\nCOMMIT\n`,
    );
    expect(staleJumps(P, before, own)).toEqual([{ table: 'nat', rule: unconditional }]);
    const text = restoreText(P, buildRuleSet(input([web])), before, own);
    expect(text).toContain(`-D PREROUTING -m comment --comment "wharf ${P}" -j ${P}-SERVICES\n`);
    expect(text).toContain(`-I PREROUTING 1 -s 10.140.0.0/16 -m comment --comment "wharf ${P}" -j ${P}-SERVICES`);
    expect(text).not.toContain('WHARF-OTHER');
    // Once applied, nothing is stale or missing: the next sync rewrites no jump.
    const after = saved(
      text
        .split('\n')
        .filter((l) => !l.startsWith('-A ') && !l.startsWith('-D '))
        .map((l) => l.replace(/^-I (\S+) 1 /, '-A $1 '))
        .join('\n'),
    );
    expect([missingJumps(P, after, own), staleJumps(P, after, own)]).toEqual([[], []]);
  });
});

describe('cleanupText', () => {
  it('removes the jumps into owned chains, then the chains; leaves other prefixes', () => {
    const text = cleanupText(
      P,
      saved(
        `*nat\n:PREROUTING ACCEPT [0:0]\n:${P}-SERVICES - [0:0]\n:${P}-SVC-A - [0:0]\n:WHARF-OTHER-SERVICES - [0:0]\n` +
          `-A PREROUTING -m comment --comment "wharf ${P}" -j ${P}-SERVICES\n-A PREROUTING -j WHARF-OTHER-SERVICES\n-A ${P}-SERVICES -j ${P}-SVC-A\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n`,
      ),
    );
    expect(text).toBe(
      `*nat\n-D PREROUTING -m comment --comment "wharf ${P}" -j ${P}-SERVICES\n:${P}-SERVICES - [0:0]\n:${P}-SVC-A - [0:0]\n-X ${P}-SERVICES\n-X ${P}-SVC-A\nCOMMIT\n`,
    );
    expect(cleanupText(P, saved('*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n'))).toBeUndefined();
  });
});

describe('markRuleSet and installedMark', () => {
  it('marks a rule set with a hash of its content that a restarted proxy reads back', () => {
    const a = markRuleSet(P, buildRuleSet(input([web])));
    const b = markRuleSet(P, buildRuleSet(input([{ ...web, endpoints: web.endpoints.slice(1) }])));
    expect(a.mark).toMatch(/^[0-9a-f]{16}$/);
    expect(b.mark).not.toBe(a.mark);
    expect(markRuleSet(P, buildRuleSet(input([web]))).mark).toBe(a.mark);
    expect(a.set.nat.chains).toContain(`${P}-SYNC`);
    // As iptables-save prints it back.
    const installed = saved(
      `*nat\n:${P}-SYNC - [0:0]\n${a.set.nat.rules.filter((r) => r.startsWith(`-A ${P}-SYNC `)).join('\n')}\nCOMMIT\n`,
    );
    expect(installedMark(P, installed)).toBe(a.mark);
    expect(installedMark('WHARF-OTHER', installed)).toBeUndefined();
  });

  it('lists the jumps into the owned chains that are missing', () => {
    expect(missingJumps(P, saved('*nat\nCOMMIT\n*filter\nCOMMIT\n'))).toHaveLength(8);
    const text = restoreText(P, buildRuleSet(input([web])), saved('*nat\nCOMMIT\n*filter\nCOMMIT\n'));
    // What iptables-save shows once that text is applied: each inserted jump as an -A line.
    const after = saved(
      text
        .split('\n')
        .filter((l) => !l.startsWith('-A '))
        .map((l) => l.replace(/^-I (\S+) 1 /, '-A $1 '))
        .join('\n'),
    );
    expect(missingJumps(P, after)).toEqual([]);
  });
});
