// Real runc and real CNI plugins, as root, with a busybox root filesystem from Debian's
// busybox-static package. Traffic goes only to addresses inside network namespaces this file
// creates; everything it creates is removed in afterAll (and asserted gone), also on failure.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfs } from '@wharf/testing';
import { listNetns } from '../network/netns.js';
import { leftoverCgroups, nodeCgroupsExist } from './cgroups.js';
import { ContainerStartError } from './errors.js';
import { parseCriLogLine } from './cri-log.js';
import { PodRuntime } from './pod-runtime.js';
import { mountsUnder } from './rootfs.js';
import { httpGet, logContents, runToExit, startAndWaitFor, streamContents, waitFor } from './testing/run-container.js';
import type { ContainerConfig, PodSandbox } from './types.js';

const missing = [
  process.getuid?.() !== 0 && 'root',
  !existsSync('/usr/sbin/runc') && 'runc (/usr/sbin/runc)',
  !existsSync('/usr/lib/cni/bridge') && 'CNI plugins (/usr/lib/cni)',
].filter(Boolean);
if (missing.length > 0) console.warn(`skipping pod-runtime.test.ts: needs ${missing.join(', ')}`);

const tag = randomBytes(3).toString('hex');
const nodeName = `wt-${tag}`;
const bridge = `wtb${tag}`;
const podCIDR = `10.213.${randomBytes(1)[0]! % 250}.0/24`;
const podUidPrefix = `77${tag}`;

describe.skipIf(missing.length > 0)('PodRuntime (runc + CNI)', () => {
  let stateDir: string;
  let hostDir: string;
  let rootfs: string;
  let rt: PodRuntime;
  let pod: PodSandbox;
  let ipForward: string;

  const config = (name: string, args: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    name,
    rootfs,
    args,
    ...extra,
  });

  beforeAll(async () => {
    ipForward = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
    rootfs = await busyboxRootfs();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'wharf-rt-'));
    hostDir = await mkdtemp(path.join(os.tmpdir(), 'wharf-rt-host-'));
    rt = new PodRuntime({ nodeName, stateDir, cni: { podCIDR, bridge } });
    await rt.start();
    pod = await rt.runPodSandbox({
      uid: `${podUidPrefix}01-aaaa-bbbb-cccc-dddddddddddd`,
      name: 'web-0',
      namespace: 'default',
    });
  }, 120_000);

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
    await step(() => rt?.reset());
    await step(() => rt?.stop());
    // Whatever reset missed (a bug), by name: still clean the machine, then fail below.
    const strayNetns = await listNetns(`wharf-${podUidPrefix}`);
    for (const ns of strayNetns) await step(() => execFileSync('ip', ['netns', 'delete', ns]));
    await step(() => execFileSync('sh', ['-c', `ip link delete ${bridge} 2>/dev/null || true`]));
    if (ipForward === '0') await step(() => writeFile('/proc/sys/net/ipv4/ip_forward', '0'));
    const strayMounts = stateDir ? await mountsUnder(stateDir) : [];
    for (const m of [...strayMounts].reverse()) await step(() => execFileSync('umount', ['-l', m]));
    if (stateDir) await step(() => rm(stateDir, { recursive: true, force: true }));
    if (hostDir) await step(() => rm(hostDir, { recursive: true, force: true }));
    expect(errors).toEqual([]);
    expect(strayNetns).toEqual([]);
    expect(strayMounts).toEqual([]);
  }, 60_000);

  it('runs echo hello: CRI log line, exit code 0, Completed', async () => {
    const t0 = performance.now();
    const id = await rt.createContainer(pod.id, config('hello', ['echo', 'hello']));
    const t1 = performance.now();
    await rt.startContainer(id);
    const t2 = performance.now();
    console.log(`container create ${(t1 - t0).toFixed(0)} ms, start ${(t2 - t1).toFixed(0)} ms`);
    const status = await waitFor(
      () => rt.containerStatus(id),
      (s) => s.state === 'exited',
      10_000,
    );
    expect(status).toMatchObject({
      state: 'exited',
      exitCode: 0,
      reason: 'Completed',
      name: 'hello',
      sandboxId: pod.id,
    });
    expect(Date.parse(status.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(status.startedAt!));
    const log = await readFile(status.logPath, 'utf8');
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|\+00:00) stdout F hello\n$/);
    expect(status.logPath).toBe(path.join(pod.logDir, 'hello', '0.log'));
  });

  it('passes args, env and workingDir; stderr is its own stream', async () => {
    const { status } = await runToExit(
      rt,
      pod.id,
      config('env', ['sh', '-c', 'echo "$FOO $1 $(pwd) $HOSTNAME"; echo oops >&2; exit 3', 'sh', 'bar'], {
        env: [{ name: 'FOO', value: 'foo' }],
        workingDir: '/tmp',
      }),
    );
    expect(status).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(await streamContents(status.logPath, 'stdout')).toEqual(['foo bar /tmp web-0']);
    expect(await streamContents(status.logPath, 'stderr')).toEqual(['oops']);
  });

  it('runs as runAsUser/runAsGroup', async () => {
    const { lines } = await runToExit(
      rt,
      pod.id,
      config('user', ['sh', '-c', 'id -u; id -g'], { securityContext: { runAsUser: 1000, runAsGroup: 2000 } }),
    );
    expect(lines).toEqual(['1000', '2000']);
  });

  it("exec with a TTY: the command's first look at its terminal sees the client's size, as the container's user", async () => {
    const id = await rt.createContainer(
      pod.id,
      config('ttyexec', ['sleep', '600'], {
        env: [{ name: 'FOO', value: 'foo' }],
        securityContext: { runAsUser: 1000, runAsGroup: 2000 },
      }),
    );
    await rt.startContainer(id);
    // `stty size` reads the size as its first act: before the size went into the process spec,
    // runc set it only after starting the command, and a run now and then printed `0 0`.
    for (let i = 0; i < 10; i++) {
      const proc = await rt.execStream(id, ['stty', 'size'], {
        tty: true,
        initialSize: { width: 100 + i, height: 30 },
      });
      let out = '';
      proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      expect(await proc.done).toEqual({ exitCode: 0 });
      expect(out.trim()).toBe(`30 ${100 + i}`);
    }
    const proc = await rt.execStream(id, ['sh', '-c', 'id -u; echo "$FOO $TERM"'], {
      tty: true,
      initialSize: { width: 80, height: 24 },
    });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    expect(await proc.done).toEqual({ exitCode: 0 });
    // One terminal's line ends: script's terminal must not convert runc's output again (\r\r\n).
    expect(out).toBe('1000\r\nfoo xterm\r\n');
    await rt.stopContainer(id, 0);
  });

  it('readOnlyRootFilesystem makes writes fail', async () => {
    const script = 'touch /x 2>/dev/null && echo root-writable || echo root-readonly';
    const ro = await runToExit(
      rt,
      pod.id,
      config('ro', ['sh', '-c', script], { securityContext: { readOnlyRootFilesystem: true } }),
    );
    expect(ro.lines).toEqual(['root-readonly']);
    const rw = await runToExit(rt, pod.id, config('rw', ['sh', '-c', script]));
    expect(rw.lines).toEqual(['root-writable']);
  });

  it('gives containerd default capabilities, honours drop, and all only when privileged', async () => {
    const caps = 'grep CapEff /proc/self/status; chown 1 /tmp 2>/dev/null && echo chown-ok || echo chown-failed';
    const def = await runToExit(rt, pod.id, config('caps', ['sh', '-c', caps]));
    const eff = BigInt(`0x${def.lines[0]!.split(/\s+/)[1]}`);
    expect(eff & (1n << 21n)).toBe(0n); // CAP_SYS_ADMIN
    expect(eff & (1n << 12n)).toBe(0n); // CAP_NET_ADMIN
    expect(eff & 1n).toBe(1n); // CAP_CHOWN
    expect(def.lines[1]).toBe('chown-ok');
    const dropped = await runToExit(
      rt,
      pod.id,
      config('capdrop', ['sh', '-c', caps], { securityContext: { capabilities: { drop: ['CHOWN'] } } }),
    );
    expect(dropped.lines[1]).toBe('chown-failed');
    const priv = await runToExit(
      rt,
      pod.id,
      config('priv', ['sh', '-c', caps], { securityContext: { privileged: true } }),
    );
    expect(BigInt(`0x${priv.lines[0]!.split(/\s+/)[1]}`) & (1n << 21n)).not.toBe(0n);
  });

  it('ends a container over its memory limit in OOMKilled', async () => {
    const { status } = await runToExit(
      rt,
      pod.id,
      config('hog', ['sh', '-c', 'x=$(head -c 64000000 /dev/zero | tr "\\0" a); sleep 1'], {
        resources: { memoryLimitBytes: 16 * 1024 * 1024 },
      }),
    );
    expect(status).toMatchObject({ state: 'exited', reason: 'OOMKilled' });
  });

  it('applies CPU and pids limits to the cgroup', async () => {
    const id = await rt.createContainer(
      pod.id,
      config('limits', ['sleep', '30'], { resources: { cpuLimitMillis: 250, cpuRequestMillis: 100, pidsLimit: 50 } }),
    );
    await rt.startContainer(id);
    const cg = `/sys/fs/cgroup/%s/wharf/${nodeName}/${id}`;
    const read = (c: string, f: string): Promise<string> =>
      readFile(path.join(cg.replace('%s', c), f), 'utf8').then((s) => s.trim());
    expect(await read('cpu', 'cpu.cfs_quota_us')).toBe('25000');
    expect(await read('cpu', 'cpu.cfs_period_us')).toBe('100000');
    expect(await read('cpu', 'cpu.shares')).toBe('102');
    expect(await read('pids', 'pids.max')).toBe('50');
    await rt.removeContainer(id);
    expect(existsSync(cg.replace('%s', 'cpu'))).toBe(false);
  });

  it('reports a process that cannot start as StartError', async () => {
    const id = await rt.createContainer(pod.id, config('bad', ['/no/such/binary']));
    await expect(rt.startContainer(id)).rejects.toThrow(ContainerStartError);
    expect(await rt.containerStatus(id)).toMatchObject({ state: 'exited', reason: 'StartError', exitCode: 128 });
  });

  it('gives the pod an IP from the CIDR; httpd in it answers the host; a second container reaches it on 127.0.0.1', async () => {
    const prefix = podCIDR.split('.').slice(0, 3).join('.');
    expect(pod.ip.startsWith(`${prefix}.`)).toBe(true);
    const www = path.join(hostDir, 'www');
    await mkdir(www, { recursive: true });
    await writeFile(path.join(www, 'index.html'), 'hello from wharf\n');
    const web = await rt.createContainer(
      pod.id,
      config('httpd', ['httpd', '-f', '-p', '8080', '-h', '/www'], {
        mounts: [{ hostPath: www, containerPath: '/www', readOnly: true }],
      }),
    );
    await rt.startContainer(web);
    const body = await waitFor(
      () => httpGet(`http://${pod.ip}:8080/index.html`).catch(() => ''),
      (b) => b !== '',
      5_000,
    );
    expect(body).toBe('hello from wharf\n');
    const { status, lines } = await runToExit(
      rt,
      pod.id,
      config('client', ['wget', '-qO-', 'http://127.0.0.1:8080/index.html']),
    );
    expect(status.exitCode).toBe(0);
    expect(lines).toEqual(['hello from wharf']);
    // Shared IPC namespace, own PID namespace, hostname = pod name, through execSync.
    const side = await rt.createContainer(pod.id, config('side', ['sleep', '30']));
    await rt.startContainer(side);
    const ipcA = await rt.execSync(web, ['readlink', '/proc/self/ns/ipc']);
    const ipcB = await rt.execSync(side, ['readlink', '/proc/self/ns/ipc']);
    expect(ipcA.exitCode).toBe(0);
    expect(ipcA.stdout).toBe(ipcB.stdout);
    expect((await rt.execSync(side, ['readlink', '/proc/self/ns/pid'])).stdout).not.toBe(
      (await rt.execSync(web, ['readlink', '/proc/self/ns/pid'])).stdout,
    );
    expect((await rt.execSync(side, ['hostname'])).stdout).toBe('web-0\n');
    expect((await rt.execSync(side, ['sh', '-c', 'exit 7'])).exitCode).toBe(7);
    await rt.stopContainer(web, 0);
    await rt.stopContainer(side, 0);
    expect((await rt.containerStatus(web)).exitCode).toBe(137);
  });

  it('graceful stop sends SIGTERM first, SIGKILL after the grace period', async () => {
    const data = path.join(hostDir, 'data');
    await mkdir(data, { recursive: true });
    const polite = await startAndWaitFor(
      rt,
      pod.id,
      config(
        'polite',
        ['sh', '-c', 'trap "echo term > /data/term; exit 0" TERM; echo ready; while true; do sleep 0.1; done'],
        { mounts: [{ hostPath: data, containerPath: '/data' }] },
      ),
      'ready',
    );
    const t0 = Date.now();
    await rt.stopContainer(polite, 10);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(await readFile(path.join(data, 'term'), 'utf8')).toBe('term\n');
    expect(await rt.containerStatus(polite)).toMatchObject({ state: 'exited', exitCode: 0 });

    const stubborn = await startAndWaitFor(
      rt,
      pod.id,
      config('stubborn', ['sh', '-c', 'trap "" TERM; echo ready; while true; do sleep 0.1; done']),
      'ready',
    );
    const t1 = Date.now();
    await rt.stopContainer(stubborn, 1);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(1_000);
    expect(await rt.containerStatus(stubborn)).toMatchObject({ state: 'exited', exitCode: 137, reason: 'Error' });
  });

  it('runs a tty container on a terminal: /dev/pts/N, resizable, stdin reaches it, exit code kept', async () => {
    const id = await rt.createContainer(pod.id, config('shell', ['sh'], { tty: true, stdin: true, stdinOnce: true }));
    await rt.startContainer(id);
    const running = await rt.containerStatus(id);
    expect(running).toMatchObject({ state: 'running', tty: true });
    await rt.resizeContainerTerminal(id, 123, 45);
    // runc copies the size to the container's console when it gets SIGWINCH.
    await waitFor(
      () => rt.execSync(id, ['stty', '-F', '/dev/console', 'size']),
      (r) => r.stdout === '45 123\n',
      5_000,
    );
    expect(running.stdinSocket).toBe(path.join(stateDir, 'run', 'containers', id, 'attach'));
    const sock = await rt.openStdin(id);
    sock.write(Buffer.from('tty; stty size; echo "term=$TERM"; exit 5\n'));
    const status = await waitFor(
      () => rt.containerStatus(id),
      (s) => s.state === 'exited',
      15_000,
    );
    sock.destroy();
    expect(status).toMatchObject({ exitCode: 5, reason: 'Error' });
    // A terminal ends lines with CR LF; the log keeps them as written (stdout only).
    const out = await terminalOutput(status.logPath);
    expect(out).toMatch(/^\/dev\/pts\/\d+\r$/m);
    expect(out).toMatch(/^45 123\r$/m);
    expect(out).toMatch(/^term=xterm\r$/m);
    expect(await streamContents(status.logPath, 'stderr')).toEqual([]);
  });

  it('a tty container without stdin keeps running, and OOM is still reported', async () => {
    const { status, lines } = await runToExit(
      rt,
      pod.id,
      config('ttyhog', ['sh', '-c', 'tty; x=$(head -c 64000000 /dev/zero | tr "\\0" a); sleep 1'], {
        tty: true,
        resources: { memoryLimitBytes: 16 * 1024 * 1024 },
      }),
    );
    expect(lines).toEqual([expect.stringMatching(/^\/dev\/pts\/\d+\r$/)]);
    expect(status).toMatchObject({ state: 'exited', reason: 'OOMKilled' });
  });

  it('a restarted agent finds its running containers and they keep logging', async () => {
    const id = await startAndWaitFor(
      rt,
      pod.id,
      config('ticker', ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done']),
      'tick 0',
    );
    // Created but never started: the agent died in between (nothing would start it later).
    const interrupted = await rt.createContainer(pod.id, config('interrupted', ['sleep', '60']));
    await rt.stop();
    const again = new PodRuntime({ nodeName, stateDir, cni: { podCIDR, bridge } });
    await again.start();
    rt = again;
    // The records are on the tmpfs the first runtime mounted, found there, not hidden by a second one.
    const runDir = path.join(stateDir, 'run');
    expect((await mountsUnder(runDir)).filter((m) => m === runDir)).toHaveLength(1);
    const found = (await again.listContainers({ sandboxId: pod.id })).find((c) => c.id === id);
    expect(found).toMatchObject({ state: 'running' });
    expect(found?.pid).toBeGreaterThan(1);
    expect((await again.listPodSandboxes()).map((s) => s.id)).toContain(pod.id);
    // The interrupted one is gone, so the pod's next sync creates it again under the same id.
    expect((await again.listContainers({ sandboxId: pod.id })).map((c) => c.id)).not.toContain(interrupted);
    await again.createContainer(pod.id, config('interrupted', ['sleep', '60']));
    await again.removeContainer(interrupted);
    await waitFor(
      () => logContents(found!.logPath),
      (l) => l.includes('tick 5'),
      10_000,
    );
    await again.stopContainer(id, 0);
    expect(await again.containerStatus(id)).toMatchObject({ state: 'exited', exitCode: 137 });
  });

  it('removes a sandbox completely: containers, runc state, netns, veth, mounts, cgroups', async () => {
    const other = await rt.runPodSandbox({
      uid: `${podUidPrefix}02-aaaa-bbbb-cccc-dddddddddddd`,
      name: 'other',
      namespace: 'default',
    });
    const id = await rt.createContainer(other.id, config('sleeper', ['sleep', '60']));
    await rt.startContainer(id);
    expect(await listNetns(other.id)).toEqual([other.id]);
    await rt.removePodSandbox(other.id);
    expect(await listNetns(other.id)).toEqual([]);
    expect((await rt.listContainers({ sandboxId: other.id })).length).toBe(0);
    expect(await mountsUnder(path.join(stateDir, 'run', 'sandboxes', other.id))).toEqual([]);
    expect(existsSync(other.logDir)).toBe(false);
    expect(await leftoverCgroups(nodeName)).not.toContain(`memory:/wharf/${nodeName}/${id}`);

    // And reset removes everything else, including the first pod, the bridge and the cgroup parent.
    await rt.reset();
    expect(await listNetns(`wharf-${podUidPrefix}`)).toEqual([]);
    expect(execFileSync('ip', ['-o', 'link', 'show']).toString()).not.toContain(bridge);
    expect(await mountsUnder(stateDir)).toEqual([]);
    expect(await nodeCgroupsExist(nodeName)).toBe(false);
    const left = await readdir(stateDir);
    expect(left).not.toContain('run');
    expect(left).not.toContain('layers');
    expect(
      JSON.parse(
        execFileSync('runc', ['--root', path.join(stateDir, 'run', 'runc'), 'list', '--format', 'json']).toString() ||
          'null',
      ) ?? [],
    ).toEqual([]);
  });
});

/** A TTY container's output as its terminal wrote it: partial (`P`) lines joined, `F` lines ended with LF. */
async function terminalOutput(logPath: string): Promise<string> {
  const lines = (await readFile(logPath, 'utf8')).split('\n').filter(Boolean);
  return lines
    .map((l) => parseCriLogLine(l))
    .map((l) => (l ? `${l.content}${l.partial ? '' : '\n'}` : ''))
    .join('');
}
