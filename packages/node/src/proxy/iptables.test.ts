// The generated rule set against the real iptables of this machine: it loads, re-syncs without
// duplicating jumps, drops stale chains, and cleanup() leaves nothing. Installs rules only; sends
// no traffic. Needs root and iptables (skipped with the reason otherwise).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServicePort } from './model.js';
import { cleanup, iptablesBackend, restore, saveTables } from './iptables.js';
import { buildRuleSet, restoreText, svcChain, type RuleSetInput } from './rules.js';

const hasIptables = (() => {
  try {
    execFileSync('iptables-save', ['-t', 'nat'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = process.getuid?.() !== 0 ? 'not root' : !hasIptables ? 'no usable iptables' : '';
const P = `WHT-${randomBytes(3).toString('hex').toUpperCase()}`;
const save = (): string => execFileSync('iptables-save', { encoding: 'utf8' });
const own = (): string[] =>
  save()
    .split('\n')
    .filter((l) => l.includes(P));

const web: ServicePort = {
  id: 'default/web:http',
  clusterIP: '10.96.7.7',
  port: 80,
  protocol: 'TCP',
  nodePort: 30999,
  affinitySeconds: 60,
  endpoints: [
    { ip: '10.64.200.2', port: 8080 },
    { ip: '10.64.200.3', port: 8080 },
  ],
};
const empty: ServicePort = {
  id: 'default/empty:',
  clusterIP: '10.96.7.8',
  port: 80,
  protocol: 'UDP',
  nodePort: 30998,
  endpoints: [],
};
const input = (ports: ServicePort[]): RuleSetInput => ({
  prefix: P,
  ports,
  podCIDRs: ['10.64.200.0/24'],
  nodePortAddresses: ['127.0.0.1/32'],
  serviceCIDR: '10.96.0.0/12',
  podInterfaces: ['wh+'],
  localnetGuard: true,
});

describe.skipIf(skip !== '')(`iptables rule sets ${skip}`, () => {
  afterAll(async () => {
    await cleanup(P);
  });

  it('finds the iptables backend', async () => {
    expect(['nf_tables', 'legacy']).toContain(await iptablesBackend());
  });

  it('loads the rule set in one transaction, then re-syncs without duplicating jumps', async () => {
    for (let i = 0; i < 2; i++) await restore(restoreText(P, buildRuleSet(input([web, empty])), await saveTables()));
    const lines = own();
    expect(
      lines.filter(
        (l) =>
          l.startsWith('-A PREROUTING ') ||
          l.startsWith('-A OUTPUT ') ||
          l.startsWith('-A POSTROUTING ') ||
          l.startsWith('-A INPUT ') ||
          l.startsWith('-A FORWARD '),
      ),
    ).toHaveLength(8);
    expect(lines.filter((l) => l.includes('-j DNAT --to-destination'))).toHaveLength(2);
    expect(lines.some((l) => l.includes('--probability 0.5'))).toBe(true);
    expect(lines.some((l) => l.includes('-d 10.96.7.8/32 -p udp') && l.includes('-j REJECT'))).toBe(true);
    expect(lines.some((l) => l.includes('--rcheck --seconds 60 --reap'))).toBe(true);
  });

  it('deletes the chains of a removed service', async () => {
    await restore(restoreText(P, buildRuleSet(input([empty])), await saveTables()));
    const lines = own();
    expect(lines.some((l) => l.includes(svcChain(P, web)))).toBe(false);
    expect(lines.some((l) => l.includes('-SEP-'))).toBe(false);
  });

  it('cleanup removes every chain and jump of the prefix, and only those', async () => {
    const before = save()
      .split('\n')
      .filter((l) => l.startsWith('-A ') && !l.includes(P)).length;
    expect(await cleanup(P)).toBe(true);
    expect(own()).toEqual([]);
    expect(
      save()
        .split('\n')
        .filter((l) => l.startsWith('-A ') && !l.includes(P)).length,
    ).toBe(before);
    expect(await cleanup(P)).toBe(false);
  });
});
