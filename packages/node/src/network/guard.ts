// The egress guard: packets for Wharf's own address ranges (the service CIDR, the pod ranges of a
// data dir) never follow the machine's default route off the host, whether Wharf runs or not.
// Those ranges are private ranges that belong to some other network out there. Each guarded
// range is routed into `wharf-guard`, a bridge with no ports (nothing sent there can leave), and
// one filter rule rejects what is routed there un-DNATed, so a client gets "connection refused"
// at once instead of a timeout. More specific routes (a node's pod bridge) still win, and DNAT
// (the Service rules) re-routes a packet before it is sent, so live Services and pods are not
// affected. Kernel routes and rules outlive the process; `wharf reset` removes a data dir's pod
// range, and `wharf reset --remove-guard` the shared pieces (the device, the chain, the service range).
import { exec, run } from '../util/exec.js';

/** The port-less bridge the guarded ranges are routed into. */
export const GUARD_DEVICE = 'wharf-guard';
/** The filter chain (jumped to from OUTPUT and FORWARD) that rejects what is routed there. */
export const GUARD_CHAIN = 'WHARF-GUARD';
const COMMENT = 'wharf: nothing for its ranges leaves this machine';

/**
 * `-o` is the device routing chose before NAT in OUTPUT, so a connection to a cluster IP that the
 * Service rules DNATed still shows `-o wharf-guard` here: `! --ctstate DNAT` lets it through, to
 * the pod it was re-routed to.
 */
export function guardRestoreText(): string {
  return [
    '*filter',
    `:${GUARD_CHAIN} - [0:0]`,
    `-A ${GUARD_CHAIN} -o ${GUARD_DEVICE} -m conntrack ! --ctstate DNAT -m comment --comment "${COMMENT}" -j REJECT --reject-with icmp-port-unreachable`,
    'COMMIT',
    '',
  ].join('\n');
}

const jump = (hook: 'OUTPUT' | 'FORWARD'): string[] => [hook, '-m', 'comment', '--comment', COMMENT, '-j', GUARD_CHAIN];

/** Installs (idempotently) the device, the reject rule and a route into it for each CIDR. */
export async function installGuard(cidrs: readonly string[]): Promise<void> {
  if ((await exec('ip', ['link', 'show', GUARD_DEVICE])).code !== 0) {
    const r = await exec('ip', ['link', 'add', GUARD_DEVICE, 'type', 'bridge']);
    if (r.code !== 0 && (await exec('ip', ['link', 'show', GUARD_DEVICE])).code !== 0)
      await run('ip', ['link', 'add', GUARD_DEVICE, 'type', 'bridge']);
  }
  await run('ip', ['link', 'set', GUARD_DEVICE, 'up']);
  await run('iptables-restore', ['--noflush', '-w', '5'], { input: guardRestoreText() });
  for (const hook of ['OUTPUT', 'FORWARD'] as const) {
    if ((await exec('iptables', ['-w', '5', '-C', ...jump(hook)])).code !== 0)
      await run('iptables', ['-w', '5', '-I', hook, '1', ...jump(hook).slice(1)]);
  }
  for (const cidr of cidrs) await run('ip', ['route', 'replace', cidr, 'dev', GUARD_DEVICE]);
}

/** Removes the routes of these CIDRs into the guard (missing ones are fine). */
export async function removeGuardRoutes(cidrs: readonly string[]): Promise<void> {
  for (const cidr of cidrs) await exec('ip', ['route', 'del', cidr, 'dev', GUARD_DEVICE]);
}

/** Removes the guard itself: its jumps, its chain and the device (with every route into it). */
export async function removeGuard(): Promise<void> {
  for (const hook of ['OUTPUT', 'FORWARD'] as const) {
    while ((await exec('iptables', ['-w', '5', '-D', ...jump(hook)])).code === 0) {
      // a jump added twice (two starts racing) is removed twice
    }
  }
  await exec('iptables', ['-w', '5', '-F', GUARD_CHAIN]);
  await exec('iptables', ['-w', '5', '-X', GUARD_CHAIN]);
  await exec('ip', ['link', 'del', GUARD_DEVICE]);
}

/** The CIDRs routed into the guard now (for `wharf reset` and tests). */
export async function guardedRoutes(): Promise<string[]> {
  const r = await exec('ip', ['-o', 'route', 'show', 'dev', GUARD_DEVICE]);
  return r.code === 0
    ? r.stdout
        .split('\n')
        .map((l) => l.trim().split(' ')[0] ?? '')
        .filter(Boolean)
    : [];
}
