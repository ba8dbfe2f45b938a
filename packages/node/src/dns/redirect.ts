// iptables nat rules that send DNS traffic for <gateway>:53 to the cluster DNS server's own port.
// Pods' resolv.conf can name no port, and one machine may run several Wharfs (tests do), so each
// server listens on a port of its own and redirects only its nodes' gateway addresses. The rules
// live in one chain per set of gateways, jumped to from PREROUTING (pod traffic) and OUTPUT (the
// host's own queries), so they are removed as a whole and a crashed server's leftovers are
// replaced on the next start.
import { createHash } from 'node:crypto';
import { exec, run } from '../util/exec.js';

const IPTABLES = 'iptables';

export function redirectChain(gateways: readonly string[]): string {
  return `WHARF-DNS-${createHash('sha256')
    .update([...gateways].sort().join(','))
    .digest('hex')
    .slice(0, 10)
    .toUpperCase()}`;
}

const jump = (hook: 'PREROUTING' | 'OUTPUT', chain: string): string[] => [
  hook,
  '-m',
  'comment',
  '--comment',
  'wharf cluster DNS',
  '-j',
  chain,
];

/** (Re)installs the redirect of <gateway>:53 (UDP and TCP) to `port` on this host. */
export async function installRedirect(gateways: readonly string[], port: number): Promise<void> {
  const chain = redirectChain(gateways);
  await exec(IPTABLES, ['-w', '-t', 'nat', '-N', chain]); // fails when it exists: flushed below
  await run(IPTABLES, ['-w', '-t', 'nat', '-F', chain]);
  for (const gw of gateways) {
    for (const proto of ['udp', 'tcp']) {
      await run(IPTABLES, [
        '-w',
        '-t',
        'nat',
        '-A',
        chain,
        '-d',
        `${gw}/32`,
        '-p',
        proto,
        '--dport',
        '53',
        '-j',
        'REDIRECT',
        '--to-ports',
        String(port),
      ]);
    }
  }
  for (const hook of ['PREROUTING', 'OUTPUT'] as const) {
    if ((await exec(IPTABLES, ['-w', '-t', 'nat', '-C', ...jump(hook, chain)])).code !== 0)
      await run(IPTABLES, ['-w', '-t', 'nat', '-A', ...jump(hook, chain)]);
  }
}

/** Removes what installRedirect added; missing pieces are fine. */
export async function removeRedirect(gateways: readonly string[]): Promise<void> {
  const chain = redirectChain(gateways);
  for (const hook of ['PREROUTING', 'OUTPUT'] as const) {
    while ((await exec(IPTABLES, ['-w', '-t', 'nat', '-D', ...jump(hook, chain)])).code === 0) {
      // a jump added twice (two starts racing) is removed twice
    }
  }
  await exec(IPTABLES, ['-w', '-t', 'nat', '-F', chain]);
  await exec(IPTABLES, ['-w', '-t', 'nat', '-X', chain]);
}
