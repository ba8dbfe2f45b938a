// The process runtime with real host processes from a busybox-static root filesystem: CRI logs,
// exit codes, command lookup, graceful stop of the whole process group, exec, an HTTP server on a
// host port, re-adoption by a new runtime, and reset. Needs neither root nor runc. Everything it
// starts is stopped in afterAll (and asserted gone), also on failure.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfs, freePort, processAlive } from '@wharf/testing';
import { ContainerStartError, InvalidStateError } from './errors.js';
import { ProcessRuntime } from './process-runtime.js';
import { connectUnix } from './shim-monitor.js';
import { readRuntimeKind } from './runtime.js';
import { httpGet, logContents, runToExit, startAndWaitFor, streamContents, waitFor } from './testing/run-container.js';
import type { ContainerConfig, PodSandbox } from './types.js';

describe('ProcessRuntime (host processes)', () => {
  let stateDir: string;
  let hostDir: string;
  let rootfs: string;
  let rt: ProcessRuntime;
  let pod: PodSandbox;

  const config = (name: string, args: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    name,
    rootfs,
    args,
    ...extra,
  });

  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'wharf-prt-'));
    hostDir = await mkdtemp(path.join(os.tmpdir(), 'wharf-prt-host-'));
    rt = new ProcessRuntime({ nodeName: 'proc-0', stateDir });
    await rt.start();
    pod = await rt.runPodSandbox({ uid: '99aa0001-aaaa-bbbb-cccc-dddddddddddd', name: 'web-0', namespace: 'default' });
  }, 120_000);

  afterAll(async () => {
    const errors: unknown[] = [];
    await rt?.reset().catch((e: unknown) => errors.push(e));
    // Whatever reset missed (a bug): kill it by pid, then fail below.
    const stray = stateDir ? processesNaming(stateDir) : [];
    for (const pid of stray) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    if (hostDir) await rm(hostDir, { recursive: true, force: true });
    expect(errors).toEqual([]);
    expect(stray).toEqual([]);
  }, 60_000);

  it('records its kind and version, and gives pods the host IP', async () => {
    expect(await readRuntimeKind(stateDir)).toBe('process');
    expect(await rt.version()).toBe('process://wharf');
    expect(pod).toMatchObject({ state: 'ready', ip: '127.0.0.1', netnsPath: '' });
  });

  it('keeps stdin open for a stdin container and closes it when a stdinOnce attach ends', async () => {
    const id = await rt.createContainer(
      pod.id,
      config('reader', ['sh', '-c', 'while read l; do echo "read: $l"; done; echo eof'], {
        stdin: true,
        stdinOnce: true,
      }),
    );
    await rt.startContainer(id);
    const running = await rt.containerStatus(id);
    expect(running.state).toBe('running');
    expect(running.stdinSocket).toMatch(/^\/proc\/\d+\/cwd\/stdin\.sock$/);
    // The shim listens just after the start: connect as an attach does, waiting for the socket.
    const sock = await connectUnix(running.stdinSocket ?? '');
    sock.end('one\ntwo\n');
    const status = await waitFor(
      () => rt.containerStatus(id),
      (x) => x.state === 'exited',
      15_000,
    );
    expect(status.exitCode).toBe(0);
    expect(await logContents(status.logPath)).toEqual(['read: one', 'read: two', 'eof']);
  });

  it('runs echo hello: CRI log line, exit code 0, Completed', async () => {
    const { status } = await runToExit(rt, pod.id, config('hello', ['echo', 'hello']));
    expect(status).toMatchObject({
      state: 'exited',
      exitCode: 0,
      reason: 'Completed',
      name: 'hello',
      sandboxId: pod.id,
    });
    expect(await readFile(status.logPath, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F hello\n$/);
    expect(status.logPath).toBe(path.join(pod.logDir, 'hello', '0.log'));
  });

  it('passes args and env, runs in the working dir inside the image, stderr is its own stream', async () => {
    const { status } = await runToExit(
      rt,
      pod.id,
      config(
        'env',
        ['sh', '-c', 'echo "$FOO $1 $(pwd) $HOSTNAME"; echo "root=$WHARF_ROOTFS"; echo oops >&2; exit 3', 'sh', 'bar'],
        {
          env: [{ name: 'FOO', value: 'foo' }],
          workingDir: '/tmp',
        },
      ),
    );
    expect(status).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(await streamContents(status.logPath, 'stdout')).toEqual([
      `foo bar ${path.join(rootfs, 'tmp')} web-0`,
      `root=${rootfs}`,
    ]);
    expect(await streamContents(status.logPath, 'stderr')).toEqual(['oops']);
  });

  it('finds argv[0] in the image before the host, and on the host when the image lacks it', async () => {
    const inImage = await runToExit(rt, pod.id, config('which', ['sh', '-c', 'readlink /proc/$$/exe']));
    expect(inImage.lines).toEqual([path.join(rootfs, 'bin/busybox')]);
    const onHost = await runToExit(rt, pod.id, config('host', ['node', '-e', 'console.log(process.execPath)']));
    expect(onHost.lines).toEqual([process.execPath]);
  });

  it('reports a command that cannot be found as StartError, exit code 128', async () => {
    const id = await rt.createContainer(pod.id, config('bad', ['/no/such/binary']));
    await expect(rt.startContainer(id)).rejects.toThrow(ContainerStartError);
    expect(await rt.containerStatus(id)).toMatchObject({
      state: 'exited',
      reason: 'StartError',
      exitCode: 128,
      message: expect.stringContaining('executable file not found'),
    });
  });

  it('serves HTTP on a host port at the pod IP; exec runs with the container env; volumes appear under WHARF_MOUNTS', async () => {
    const port = await freePort();
    const www = path.join(hostDir, 'www');
    await mkdir(www, { recursive: true });
    await writeFile(path.join(www, 'index.html'), 'hello from a process\n');
    const web = await rt.createContainer(
      pod.id,
      config('httpd', ['sh', '-c', `echo serving; exec httpd -f -p 127.0.0.1:${port} -h "$WHARF_MOUNTS/www"`], {
        env: [{ name: 'GREETING', value: 'hi' }],
        mounts: [{ hostPath: www, containerPath: '/www', readOnly: true }],
      }),
    );
    await rt.startContainer(web);
    const body = await waitFor(
      () => httpGet(`http://${pod.ip}:${port}/index.html`).catch(() => ''),
      (b) => b !== '',
      10_000,
    );
    expect(body).toBe('hello from a process\n');
    const status = await rt.containerStatus(web);
    expect(status).toMatchObject({ state: 'running' });
    expect(status.pid).toBeGreaterThan(1);
    const r = await rt.execSync(web, ['sh', '-c', 'echo $GREETING; cat $WHARF_MOUNTS/www/index.html; exit 7']);
    expect(r).toEqual({ exitCode: 7, stdout: 'hi\nhello from a process\n', stderr: '' });
    const missing = await rt.execSync(web, ['no-such-command']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('executable file not found');
    const stream = await rt.execStream(web, ['sh', '-c', 'read x; echo got $x'], { stdin: true });
    let out = '';
    stream.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    stream.stdin!.end('line\n');
    expect(await stream.done).toEqual({ exitCode: 0 });
    expect(out).toBe('got line\n');
    await rt.stopContainer(web, 0);
    expect(await rt.containerStatus(web)).toMatchObject({ state: 'exited', exitCode: 137 });
    await expect(httpGet(`http://${pod.ip}:${port}/index.html`)).rejects.toThrow();
  });

  it('exec with a TTY runs the command on a terminal of the given size', async () => {
    const id = await startAndWaitFor(
      rt,
      pod.id,
      config('tty', ['sh', '-c', 'echo ready; while true; do sleep 0.1; done']),
      'ready',
    );
    const proc = await rt.execStream(id, ['sh', '-c', 'tty; echo $TERM; stty size'], {
      tty: true,
      initialSize: { width: 100, height: 30 },
    });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    expect(await proc.done).toEqual({ exitCode: 0 });
    expect(out.split(/\r?\n/).filter(Boolean)).toEqual([expect.stringMatching(/^\/dev\/pts\/\d+$/), 'xterm', '30 100']);
    await rt.stopContainer(id, 0);
  });

  it('graceful stop sends SIGTERM to the process group first, SIGKILL after the grace period', async () => {
    const data = path.join(hostDir, 'data');
    await mkdir(data, { recursive: true });
    const mounts = [{ hostPath: data, containerPath: '/data' }];
    const polite = await startAndWaitFor(
      rt,
      pod.id,
      config(
        'polite',
        [
          'sh',
          '-c',
          'trap "echo term > $WHARF_MOUNTS/data/term; exit 0" TERM; sleep 1000 & echo $! > $WHARF_MOUNTS/data/child; echo ready; while true; do sleep 0.1; done',
        ],
        { mounts },
      ),
      'ready',
    );
    const child = Number(await readFile(path.join(data, 'child'), 'utf8'));
    expect(processAlive(child)).toBe(true);
    const t0 = Date.now();
    await rt.stopContainer(polite, 10);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(await readFile(path.join(data, 'term'), 'utf8')).toBe('term\n');
    expect(await rt.containerStatus(polite)).toMatchObject({ state: 'exited', exitCode: 0 });
    // The background child was in the group: it got the signal too.
    await waitFor(
      async () => processAlive(child),
      (a) => !a,
      5_000,
    );

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

  it('a process that exits leaves nothing of its group behind', async () => {
    const data = path.join(hostDir, 'left');
    await mkdir(data, { recursive: true });
    const { status } = await runToExit(
      rt,
      pod.id,
      config('leaver', ['sh', '-c', 'sleep 1000 & echo $! > $WHARF_MOUNTS/left/pid; exit 0'], {
        mounts: [{ hostPath: data, containerPath: '/left' }],
      }),
    );
    expect(status.exitCode).toBe(0);
    const pid = Number(await readFile(path.join(data, 'pid'), 'utf8'));
    await waitFor(
      async () => processAlive(pid),
      (a) => !a,
      5_000,
    );
  });

  it('runs as runAsUser/runAsGroup when the agent is root', async () => {
    const { lines } = await runToExit(
      rt,
      pod.id,
      config('user', ['sh', '-c', 'id -u; id -g'], { securityContext: { runAsUser: 65534, runAsGroup: 65534 } }),
    );
    const me = process.getuid?.() === 0 ? ['65534', '65534'] : [String(process.getuid?.()), String(process.getgid?.())];
    expect(lines).toEqual(me);
  });

  it('refuses a hostPort it cannot map', async () => {
    await expect(
      rt.runPodSandbox({
        uid: '99aa0002-aaaa',
        name: 'mapped',
        namespace: 'default',
        portMappings: [{ hostPort: 8081, containerPort: 80, protocol: 'tcp' }],
      }),
    ).rejects.toThrow(InvalidStateError);
  });

  it('a restarted agent finds its running containers and they keep logging', async () => {
    const id = await startAndWaitFor(
      rt,
      pod.id,
      config('ticker', ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done']),
      'tick 0',
    );
    await rt.stop();
    const again = new ProcessRuntime({ nodeName: 'proc-0', stateDir });
    await again.start();
    rt = again;
    const found = (await again.listContainers({ sandboxId: pod.id })).find((c) => c.id === id);
    expect(found).toMatchObject({ state: 'running' });
    expect(found?.pid).toBeGreaterThan(1);
    expect((await again.listPodSandboxes()).map((s) => s.id)).toContain(pod.id);
    await waitFor(
      () => logContents(found!.logPath),
      (l) => l.includes('tick 5'),
      10_000,
    );
    await again.stopContainer(id, 0);
    expect(await again.containerStatus(id)).toMatchObject({ state: 'exited', exitCode: 137 });
  });

  it('still stops a container whose shim was killed', async () => {
    const id = await startAndWaitFor(
      rt,
      pod.id,
      config('orphan', ['sh', '-c', 'echo ready; while true; do sleep 0.1; done']),
      'ready',
    );
    const started = JSON.parse(
      await readFile(path.join(stateDir, 'run', 'containers', id, 'started.json'), 'utf8'),
    ) as {
      shimPid: number;
    };
    const pid = (await rt.containerStatus(id)).pid!;
    process.kill(started.shimPid, 'SIGKILL');
    const s = await waitFor(
      () => rt.containerStatus(id),
      (x) => x.message !== undefined,
      5_000,
    );
    expect(s).toMatchObject({ state: 'running', pid });
    await rt.stopContainer(id, 0);
    expect(processAlive(pid)).toBe(false);
    expect(await rt.containerStatus(id)).toMatchObject({ state: 'exited', exitCode: 255 });
  });

  it('reset stops running containers and removes sandboxes, containers and logs', async () => {
    const other = await rt.runPodSandbox({
      uid: '99aa0003-aaaa-bbbb-cccc-dddddddddddd',
      name: 'other',
      namespace: 'default',
    });
    const id = await rt.createContainer(other.id, config('sleeper', ['sleep', '1000']));
    await rt.startContainer(id);
    const pid = (await rt.containerStatus(id)).pid!;
    expect(processAlive(pid)).toBe(true);
    await rt.reset();
    expect(processAlive(pid)).toBe(false);
    expect(processesNaming(stateDir)).toEqual([]);
    expect(await readdir(stateDir)).not.toContain('run');
    expect(existsSync(other.logDir)).toBe(false);
  });
});

/** Pids whose command line names `dir` (shims of this state dir, their containers). */
function processesNaming(dir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
