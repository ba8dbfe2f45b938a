// No packet for Wharf's ranges leaves the machine by accident: with Wharf crashed (kill -9) and
// after `wharf reset`, a connection to an unused address of the service range is refused on the
// host, from the host and from a network namespace this test creates (forwarded traffic, as a
// pod's); while Wharf runs, so is one to the pod CIDR of a node that failed. Proof is counted
// twice: the guard's REJECT counter rises, and a DROP rule this test puts on the machine's
// outward interface first (so nothing could leave even if the guard failed) counts nothing.
// Needs root, runc, the CNI plugins and iptables.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const tag = randomBytes(3).toString('hex');
const NETNS = `wtg-${tag}`;
const VETH = `wtg${tag}`;
const NET = `10.251.${randomBytes(1)[0]! % 250}`;
const LEAK = `wharf-e2e leak counter ${tag}`;
const UNUSED_SERVICE_IP = '10.111.255.253';
const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
const quiet = (cmd: string, args: string[]): void => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    // already gone
  }
};

/** The devices the machine's default routes leave through: where a leak would go. */
function outwardDevices(): string[] {
  return [
    ...new Set(
      sh('ip', ['-o', 'route', 'show', 'default'])
        .split('\n')
        .map((l) => /\bdev (\S+)/.exec(l)?.[1])
        .filter((d): d is string => !!d),
    ),
  ];
}

/** Packets counted by every rule whose comment contains `text`, in the filter table. */
function counted(text: string): number {
  return sh('iptables-save', ['-c', '-t', 'filter'])
    .split('\n')
    .filter((l) => l.includes(text))
    .reduce((n, l) => n + Number(/^\[(\d+):/.exec(l)?.[1] ?? 0), 0);
}

/** A TCP connect from the host; answers how it ended. */
function connectFromHost(ip: string, port = 80): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port, timeout: 3000 });
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('timeout', () => {
      s.destroy();
      resolve('timeout');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** curl from the test's network namespace; answers its exit code (7: refused, 28: timed out). */
async function curlFromNetns(ip: string): Promise<number> {
  try {
    await run('ip', ['netns', 'exec', NETNS, 'curl', '-s', '-m', '3', `http://${ip}:80/`]);
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}

describe.skipIf(skip !== '')(`the egress guard ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  /** This data dir's pod range (every node's pod CIDR is in it). */
  let podRange = '';

  beforeAll(async () => {
    // The safety net first: from here on nothing for the service range can leave, guard or not.
    for (const dev of outwardDevices()) {
      for (const hook of ['OUTPUT', 'FORWARD'])
        sh('iptables', [
          '-w',
          '5',
          '-I',
          hook,
          '1',
          '-o',
          dev,
          '-d',
          '10.96.0.0/12',
          '-m',
          'comment',
          '--comment',
          LEAK,
          '-j',
          'DROP',
        ]);
    }
    // A client network namespace behind a veth, routed through the host like a pod.
    sh('ip', ['netns', 'add', NETNS]);
    sh('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NETNS]);
    sh('ip', ['addr', 'add', `${NET}.1/30`, 'dev', VETH]);
    sh('ip', ['link', 'set', VETH, 'up']);
    for (const args of [
      ['link', 'set', 'lo', 'up'],
      ['addr', 'add', `${NET}.2/30`, 'dev', 'eth0'],
      ['link', 'set', 'eth0', 'up'],
      ['route', 'add', 'default', 'via', `${NET}.1`],
    ]) {
      sh('ip', ['-n', NETNS, ...args]);
    }
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '2'], readyTimeoutMs: 120_000 });
    k = new Kubectl(wharf.kubeconfig);
  }, 200_000);

  afterAll(async () => {
    await wharf?.kill();
    if (wharf) quiet(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    quiet('ip', ['netns', 'delete', NETNS]);
    quiet('ip', ['link', 'delete', VETH]);
    for (const dev of outwardDevices()) {
      for (const hook of ['OUTPUT', 'FORWARD'])
        quiet('iptables', [
          '-w',
          '5',
          '-D',
          hook,
          '-o',
          dev,
          '-d',
          '10.96.0.0/12',
          '-m',
          'comment',
          '--comment',
          LEAK,
          '-j',
          'DROP',
        ]);
    }
  });

  /** Refused from the host and from the namespace, counted by the guard, and nothing counted outward. */
  async function expectRefusedLocally(ip: string): Promise<void> {
    const before = counted('nothing for its ranges leaves');
    expect(await connectFromHost(ip)).toBe('ECONNREFUSED');
    expect(await curlFromNetns(ip)).toBe(7);
    expect(counted('nothing for its ranges leaves')).toBeGreaterThanOrEqual(before + 2);
    expect(counted(LEAK)).toBe(0);
  }

  it('routes the service range into the guard while Wharf runs', async () => {
    expect(sh('ip', ['route', 'get', UNUSED_SERVICE_IP])).toMatch(/dev wharf-guard /);
    await expectRefusedLocally(UNUSED_SERVICE_IP);
  });

  it('refuses the pod CIDR of a failed node instead of routing it off the machine', async () => {
    const cidr = (await k.ok(['get', 'node', 'node-1', '-o', 'jsonpath={.spec.podCIDR}'])).trim();
    const ip = cidr.replace(/\.0\/24$/, '.77');
    podRange = cidr.replace(/\.\d+\.0\/24$/, '.0.0/16');
    await run(process.execPath, [WHARF_BIN, 'node', 'fail', 'node-1', '--data-dir', wharf.dataDir]);
    await eventually(
      () => (sh('ip', ['route', 'get', ip]).includes('dev wharf-guard ') ? true : undefined),
      10_000,
      `${ip} routed into the guard`,
    );
    const before = counted('nothing for its ranges leaves');
    expect(await connectFromHost(ip)).toBe('ECONNREFUSED');
    expect(counted('nothing for its ranges leaves')).toBeGreaterThan(before);
    await run(process.execPath, [WHARF_BIN, 'node', 'restore', 'node-1', '--data-dir', wharf.dataDir]);
  });

  it('keeps refusing while Wharf is crashed (kill -9)', async () => {
    await wharf.kill();
    expect(sh('ip', ['route', 'get', UNUSED_SERVICE_IP])).toMatch(/dev wharf-guard /);
    await expectRefusedLocally(UNUSED_SERVICE_IP);
  });

  it("keeps refusing after wharf reset, which removes the data dir's own pod range", async () => {
    expect(sh('ip', ['-o', 'route', 'show', 'dev', 'wharf-guard'])).toContain(podRange);
    const { stdout } = await run(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    expect(stdout).toContain('reset 2 node(s)');
    const routes = sh('ip', ['-o', 'route', 'show', 'dev', 'wharf-guard']);
    expect(routes).toContain('10.96.0.0/12');
    expect(routes).not.toContain(podRange);
    await expectRefusedLocally(UNUSED_SERVICE_IP);
  });
});
