// The CNI driver against the real Debian plugins, as root. Traffic stays inside the network
// namespaces created here and on loopback; namespaces, the bridge and the portmap iptables chains
// this file creates are removed in afterAll, also when a test fails.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CniError, CniExecutor } from './cni.js';
import { listNetns } from './netns.js';
import { PodNetwork, PodNetworkError, podIP, type PodNetworkRequest } from './pod-network.js';

const missing = [
  process.getuid?.() !== 0 && 'root',
  !existsSync('/usr/lib/cni/bridge') && 'CNI plugins (/usr/lib/cni)',
  !existsSync('/usr/bin/curl') && 'curl',
].filter(Boolean);
if (missing.length > 0) console.warn(`skipping pod-network.test.ts: needs ${missing.join(', ')}`);

const tag = randomBytes(3).toString('hex');
const bridge = `wtn${tag}`;
const subnet = `10.214.${randomBytes(1)[0]! % 250}`;
const podCIDR = `${subnet}.0/24`;
const nsPrefix = `wharf-88${tag}`;
const req = (n: number, portMappings?: PodNetworkRequest['portMappings']): PodNetworkRequest => ({
  id: `${nsPrefix}${n}`,
  netnsName: `${nsPrefix}${n}`,
  podName: `pod-${n}`,
  podNamespace: 'default',
  ...(portMappings ? { portMappings } : {}),
});

describe('PodNetwork options', () => {
  const base = { nodeName: 'n1', podCIDR: '10.1.0.0/24', bridge: 'wharf0', stateDir: '/tmp/x' };
  it('names the field that is wrong', () => {
    expect(() => new PodNetwork({ ...base, bridge: 'a-bridge-name-too-long' })).toThrow(/'bridge'/);
    expect(() => new PodNetwork({ ...base, podCIDR: '10.1.0.0' })).toThrow(PodNetworkError);
    expect(() => new PodNetwork({ ...base, podCIDR: '10.1.300.0/24' })).toThrow(/'podCIDR'/);
    expect(() => new PodNetwork({ ...base, nodeName: 'Bad_Name' })).toThrow(/'nodeName'/);
  });
  it('builds the conflist: bridge without masquerade, host-local under the state dir, portmap only for host ports', () => {
    const net = new PodNetwork(base);
    const list = net.confList();
    expect(list.name).toBe('wharf-n1');
    expect(list.plugins).toHaveLength(1);
    expect(list.plugins[0]).toMatchObject({
      type: 'bridge',
      bridge: 'wharf0',
      isGateway: true,
      ipMasq: false,
      hairpinMode: true,
    });
    expect(list.plugins[0]!.ipam).toMatchObject({
      type: 'host-local',
      dataDir: '/tmp/x/cni/networks',
      ranges: [[{ subnet: '10.1.0.0/24' }]],
    });
    expect(net.confList([{ hostPort: 8080, containerPort: 80 }]).plugins.map((p) => p.type)).toEqual([
      'bridge',
      'portmap',
    ]);
  });
  it('reads the pod IP of the sandbox interface from a CNI result', () => {
    const result = {
      cniVersion: '1.0.0',
      interfaces: [{ name: 'cni0' }, { name: 'veth1' }, { name: 'eth0', sandbox: '/var/run/netns/x' }],
      ips: [{ address: '10.1.0.7/24', interface: 2, gateway: '10.1.0.1' }],
    };
    expect(podIP(result)).toBe('10.1.0.7');
    expect(() => podIP({ cniVersion: '1.0.0' })).toThrow(/no IP/);
  });
});

describe.skipIf(missing.length > 0)('PodNetwork (real CNI plugins)', () => {
  let stateDir: string;
  let net: PodNetwork;
  let natBefore: string[];
  let ipForward: string;
  const servers: ChildProcess[] = [];

  beforeAll(async () => {
    ipForward = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
    natBefore = natChains();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'wharf-net-'));
    net = new PodNetwork({ nodeName: `wtn-${tag}`, podCIDR, bridge, stateDir });
  });

  afterAll(async () => {
    // Every step runs even when an earlier one fails; failures are reported after cleaning up.
    const errors: unknown[] = [];
    const step = async (fn: () => unknown): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        errors.push(e);
      }
    };
    for (const s of servers) s.kill('SIGKILL');
    for (const ns of await listNetns(nsPrefix))
      await net.tearDown({ ...req(0), id: ns, netnsName: ns }).catch(() => undefined);
    const stray = await listNetns(nsPrefix);
    for (const ns of stray) await step(() => execFileSync('ip', ['netns', 'delete', ns]));
    await step(() => net.removeBridge());
    await step(() => removeNewNatChains(natBefore));
    if (ipForward === '0') await step(() => writeFile('/proc/sys/net/ipv4/ip_forward', '0'));
    await step(() => rm(stateDir, { recursive: true, force: true }));
    expect(errors).toEqual([]);
    expect(stray).toEqual([]);
    expect(execFileSync('ip', ['-o', 'link', 'show']).toString()).not.toContain(bridge);
    expect(natChains()).toEqual(natBefore);
  });

  it('sets up two pods with IPs from the CIDR; they reach each other; teardown releases everything', async () => {
    const a = await net.setUp(req(1));
    const b = await net.setUp(req(2));
    expect(a.ip.startsWith(`${subnet}.`)).toBe(true);
    expect(b.ip.startsWith(`${subnet}.`)).toBe(true);
    expect(a.ip).not.toBe(b.ip);
    expect(a.netnsPath).toBe(`/var/run/netns/${nsPrefix}1`);
    expect(execFileSync('ip', ['-n', `${nsPrefix}1`, '-o', 'addr', 'show', 'eth0']).toString()).toContain(`${a.ip}/24`);
    expect(execFileSync('ip', ['-n', `${nsPrefix}1`, '-o', 'link', 'show', 'lo']).toString()).toMatch(/UP/);
    // IPv4 only: no IPv6 on the pod's eth0 nor on the host side (no DAD/MLD/RS flooding the bridge); lo keeps ::1.
    expect(execFileSync('ip', ['-n', `${nsPrefix}1`, '-6', '-o', 'addr', 'show']).toString()).toMatch(
      /^1: lo +inet6 ::1\/128[^\n]*\n$/,
    );
    const hostSide = a.result.interfaces!.filter((i) => !i.sandbox).map((i) => i.name);
    expect(hostSide).toContain(bridge);
    for (const i of hostSide)
      expect((await readFile(`/proc/sys/net/ipv6/conf/${i}/disable_ipv6`, 'utf8')).trim(), i).toBe('1');
    const leases = path.join(stateDir, 'cni', 'networks', `wharf-wtn-${tag}`);
    expect(await readdir(leases)).toEqual(expect.arrayContaining([a.ip, b.ip]));
    await net.check(req(1), a.result);

    servers.push(
      spawn(
        'ip',
        [
          'netns',
          'exec',
          `${nsPrefix}2`,
          process.execPath,
          '-e',
          "require('http').createServer((q,s)=>s.end('pong')).listen(8080)",
        ],
        { stdio: 'ignore' },
      ),
    );
    const body = await retry(
      () =>
        execFileSync('ip', [
          'netns',
          'exec',
          `${nsPrefix}1`,
          'curl',
          '-sf',
          '--max-time',
          '1',
          `http://${b.ip}:8080/`,
        ]).toString(),
      5_000,
    );
    expect(body).toBe('pong');

    await net.tearDown(req(1), a.result);
    await net.tearDown(req(1), a.result); // idempotent
    expect(await listNetns(`${nsPrefix}1`)).toEqual([]);
    expect(await readdir(leases)).not.toContain(a.ip);
    await net.tearDown(req(2), b.result);
    expect(execFileSync('ip', ['-o', 'link', 'show', 'master', bridge]).toString().trim()).toBe(''); // no veth left
  });

  it('maps a hostPort through portmap (reached on 127.0.0.1) and removes the mapping on teardown', async () => {
    const hostPort = 20000 + (randomBytes(2).readUInt16BE() % 20000);
    const r = req(3, [{ hostPort, containerPort: 8080 }]);
    const s = await net.setUp(r);
    servers.push(
      spawn(
        'ip',
        [
          'netns',
          'exec',
          `${nsPrefix}3`,
          process.execPath,
          '-e',
          "require('http').createServer((q,s)=>s.end('mapped')).listen(8080)",
        ],
        { stdio: 'ignore' },
      ),
    );
    const body = await retry(
      () => execFileSync('curl', ['-sf', '--max-time', '1', `http://127.0.0.1:${hostPort}/`]).toString(),
      5_000,
    );
    expect(body).toBe('mapped');
    expect(execFileSync('iptables', ['-t', 'nat', '-S']).toString()).toContain(`--dport ${hostPort}`);
    await net.tearDown(r, s.result);
    expect(execFileSync('iptables', ['-t', 'nat', '-S']).toString()).not.toContain(`--dport ${hostPort}`);
  });

  it('reports plugin errors with the plugin, command and CNI message', async () => {
    const cni = new CniExecutor('/usr/lib/cni');
    const err = await cni
      .invoke(
        'ADD',
        {
          cniVersion: '1.0.0',
          name: 'x',
          type: 'bridge',
          bridge: bridge,
          ipam: { type: 'host-local', ranges: [[{ subnet: 'nonsense' }]] },
        },
        { containerId: 'x', netns: '/var/run/netns/does-not-exist', ifName: 'eth0' },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniError);
    expect((err as CniError).message).toMatch(/^CNI ADD bridge: /);
    await expect(
      cni.invoke('ADD', { type: '../evil' }, { containerId: 'x', netns: '/x', ifName: 'eth0' }),
    ).rejects.toThrow(/invalid plugin type/);
  });
});

async function retry<T>(fn: () => T, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** `chain:rule` lines of the nat table that mention CNI (portmap's chains and the jumps to them). */
function natChains(): string[] {
  return execFileSync('iptables', ['-t', 'nat', '-S'])
    .toString()
    .split('\n')
    .filter((l) => l.includes('CNI-'))
    .sort();
}

/** Removes nat chains named CNI-* that did not exist before, and the rules jumping to them. */
function removeNewNatChains(before: string[]): void {
  const newChains = natChains()
    .filter((l) => l.startsWith('-N ') && !before.includes(l))
    .map((l) => l.slice(3));
  for (const builtin of ['PREROUTING', 'OUTPUT', 'POSTROUTING', 'INPUT']) {
    const rules = execFileSync('iptables', ['-t', 'nat', '-L', builtin, '--line-numbers', '-n'])
      .toString()
      .split('\n')
      .slice(2);
    const nums = rules
      .map((l) => l.split(/\s+/))
      .filter((f) => f[1] && newChains.includes(f[1]))
      .map((f) => Number(f[0]))
      .sort((x, y) => y - x);
    for (const n of nums) execFileSync('iptables', ['-t', 'nat', '-D', builtin, String(n)]);
  }
  for (const c of newChains) execFileSync('iptables', ['-t', 'nat', '-F', c]);
  for (const c of newChains) execFileSync('iptables', ['-t', 'nat', '-X', c]);
}
