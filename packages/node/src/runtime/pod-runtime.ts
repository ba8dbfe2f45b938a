// The node agent's pod runtime: pod sandboxes (network namespace from CNI, a shared IPC namespace
// and /dev/shm) and containers run by runc through a per-container shim. All state is on disk
// (store.ts) and running containers do not depend on the agent process, so an agent restart
// re-finds them with listContainers(). Callers serialize operations per pod, as the kubelet's pod
// workers do.
import { spawn } from 'node:child_process';
import { closeSync, constants as fsConstants, existsSync, openSync } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PodNetwork, type PodNetworkOptions, type PodNetworkRequest } from '../network/pod-network.js';
import { exec, run } from '../util/exec.js';
import { currentCapabilities } from './capabilities.js';
import { containerCgroupsPath, CGROUP_ROOT, removeNodeCgroups } from './cgroups.js';
import { containerStatus } from './container-status.js';
import { AlreadyExistsError, ContainerStartError, InvalidStateError, NotFoundError } from './errors.js';
import { startExec, type ExecStream, type ExecStreamOptions } from './exec-stream.js';
import { buildOciSpec, type SandboxPaths } from './oci-spec.js';
import { prepareRootfs, unmountUnder } from './rootfs.js';
import { Runc } from './runc.js';
import { hostsFile, podHostname, resolvConf } from './sandbox-files.js';
import { installShim, shimAlive, type ShimConfig, type ShimExit, type ShimStarted } from './shim.js';
import { readJson, RuntimeStore, type ContainerRecord, type SandboxRecord } from './store.js';
import { sandboxId, writeRuntimeKind, type ContainerRuntime, type ExecSyncResult } from './runtime.js';
import type { ContainerConfig, ContainerStatus, PodSandbox, PodSandboxConfig } from './types.js';

export { sandboxId, type ExecSyncResult };

export interface PodRuntimeOptions {
  readonly nodeName: string;
  /** Everything the runtime keeps (see store.ts), e.g. `<data-dir>/nodes/<node>`. */
  readonly stateDir: string;
  /** The node's pod network (the CNI state goes under stateDir). */
  readonly cni: Omit<PodNetworkOptions, 'nodeName' | 'stateDir'>;
  /** @default '/usr/sbin/runc' */
  readonly runcPath?: string;
  /** The Node.js binary that runs container shims. @default process.execPath */
  readonly nodePath?: string;
  /** How long startContainer waits for runc to start the process. @default 30000 */
  readonly startTimeoutMs?: number;
}

const POLL_MS = 5;

export class PodRuntime implements ContainerRuntime {
  readonly kind = 'runc';
  readonly network: PodNetwork;
  private readonly store: RuntimeStore;
  private readonly runc: Runc;
  private readonly nodePath: string;
  private started = false;
  private readonly hostCapabilities = currentCapabilities();

  constructor(private readonly options: PodRuntimeOptions) {
    this.store = new RuntimeStore(options.stateDir);
    this.network = new PodNetwork({ ...options.cni, nodeName: options.nodeName, stateDir: options.stateDir });
    this.runc = new Runc(options.runcPath ?? '/usr/sbin/runc', this.store.runcRoot);
    this.nodePath = options.nodePath ?? process.execPath;
  }

  /** Creates the state dirs and writes the shim. Running containers are left as they are. */
  async start(): Promise<void> {
    await access(this.runc.binary, fsConstants.X_OK).catch(() => {
      throw new InvalidStateError(`runc not found at ${this.runc.binary}`);
    });
    await this.store.init();
    await writeRuntimeKind(this.options.stateDir, 'runc');
    await installShim(this.store.shimPath);
    this.started = true;
  }

  /** `runc://<runc --version>`. */
  async version(): Promise<string> {
    const r = await exec(this.runc.binary, ['--version']);
    return `runc://${/runc version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown'}`;
  }

  /** Nothing to stop: containers and their shims keep running without the agent (as with the kubelet). */
  async stop(): Promise<void> {
    this.started = false;
  }

  // --- pod sandboxes ---------------------------------------------------------------------

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    this.assertStarted();
    if (!config.uid || !config.name || !config.namespace) throw new InvalidStateError("pod sandbox needs 'uid', 'name' and 'namespace'");
    const id = sandboxId(config);
    const dir = this.store.sandboxDir(id);
    if (existsSync(dir)) throw new AlreadyExistsError('sandbox', id);
    const rec0: SandboxRecord = {
      id,
      config,
      state: 'notready',
      netnsName: id,
      ip: '',
      createdAt: new Date().toISOString(),
      logDir: path.join(this.store.logsDir, `${config.namespace}_${config.name}_${config.uid}`),
    };
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await mkdir(rec0.logDir, { recursive: true });
      // Recorded before anything is set up, so a crash half-way leaves something removePodSandbox finds.
      await this.store.writeSandbox(rec0);
      await writeFile(path.join(dir, 'ipc'), '');
      await run('unshare', [`--ipc=${path.join(dir, 'ipc')}`, 'true']);
      await mkdir(path.join(dir, 'shm'));
      await run('mount', ['-t', 'tmpfs', '-o', 'nosuid,nodev,noexec,mode=1777,size=65536k', 'shm', path.join(dir, 'shm')]);
      const net = await this.network.setUp(this.networkRequest(rec0));
      const hostname = podHostname(config);
      const hostResolv = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
      await writeFile(path.join(dir, 'hosts'), hostsFile(hostname, net.ip, config.hostAliases));
      await writeFile(path.join(dir, 'hostname'), `${hostname}\n`);
      await writeFile(path.join(dir, 'resolv.conf'), resolvConf(config.dns, hostResolv));
      const rec: SandboxRecord = { ...rec0, state: 'ready', ip: net.ip, cniResult: net.result };
      await this.store.writeSandbox(rec);
      return toSandbox(rec);
    } catch (e) {
      await this.removePodSandbox(id).catch(() => undefined);
      throw e;
    }
  }

  async podSandboxStatus(id: string): Promise<PodSandbox> {
    const rec = await this.store.readSandbox(id);
    if (!rec) throw new NotFoundError('sandbox', id);
    return toSandbox(rec);
  }

  async listPodSandboxes(): Promise<PodSandbox[]> {
    const out: PodSandbox[] = [];
    for (const id of await this.store.sandboxIds()) {
      const rec = await this.store.readSandbox(id);
      if (rec) out.push(toSandbox(rec));
    }
    return out;
  }

  /** Kills the sandbox's containers and tears its network down (IP released, netns deleted). Idempotent. */
  async stopPodSandbox(id: string): Promise<void> {
    const rec = await this.store.readSandbox(id);
    if (!rec) return;
    for (const c of await this.listContainers({ sandboxId: id })) {
      if (c.state === 'running') await this.stopContainer(c.id, 0);
    }
    await this.network.tearDown(this.networkRequest(rec), rec.cniResult);
    if (rec.state !== 'notready') await this.store.writeSandbox({ ...rec, state: 'notready' });
  }

  /** Stops the sandbox, removes its containers, mounts, files and logs. Idempotent. */
  async removePodSandbox(id: string): Promise<void> {
    const rec = await this.store.readSandbox(id);
    for (const c of await this.listContainers({ sandboxId: id })) await this.removeContainer(c.id);
    if (rec) await this.stopPodSandbox(id);
    const dir = this.store.sandboxDir(id);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
    if (rec) await rm(rec.logDir, { recursive: true, force: true });
  }

  // --- containers ------------------------------------------------------------------------

  /** Writes the OCI bundle and prepares the root filesystem; the container is then 'created'. */
  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    this.assertStarted();
    const sandbox = await this.store.readSandbox(sandboxId);
    if (!sandbox) throw new NotFoundError('sandbox', sandboxId);
    if (sandbox.state !== 'ready') throw new InvalidStateError(`sandbox ${sandboxId} is not ready`);
    const attempt = config.attempt ?? 0;
    const id = `${sandboxId}-${config.name}-${attempt}`;
    const dir = this.store.containerDir(id);
    if (existsSync(dir)) throw new AlreadyExistsError('container', id);
    const cgroupsPath = containerCgroupsPath(this.options.nodeName, id);
    const spec = buildOciSpec(config, this.sandboxPaths(sandbox), cgroupsPath, this.hostCapabilities);
    const rec: ContainerRecord = {
      id,
      sandboxId,
      name: config.name,
      attempt,
      createdAt: new Date().toISOString(),
      logPath: path.join(sandbox.logDir, config.name, `${attempt}.log`),
      cgroupsPath,
      config,
    };
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await this.store.writeContainer(rec);
      await mkdir(path.dirname(rec.logPath), { recursive: true });
      const rootfsKind = await prepareRootfs(path.resolve(config.rootfs), dir);
      await writeFile(path.join(dir, 'config.json'), JSON.stringify(spec, null, 1));
      await this.store.writeContainer({ ...rec, rootfsKind });
      return id;
    } catch (e) {
      await this.removeContainer(id).catch(() => undefined);
      throw e;
    }
  }

  /** Starts the container through its shim and returns once runc has started the process. */
  async startContainer(id: string): Promise<void> {
    this.assertStarted();
    const rec = await this.readContainer(id);
    const dir = this.store.containerDir(id);
    if (existsSync(path.join(dir, 'started.json'))) throw new InvalidStateError(`container ${id} was started already`);
    const shim: ShimConfig = {
      runc: this.runc.binary,
      runcRoot: this.store.runcRoot,
      id,
      bundle: dir,
      logPath: rec.logPath,
      runcLogPath: path.join(dir, 'runc.log'),
      pidFile: path.join(dir, 'pid'),
      startedPath: path.join(dir, 'started.json'),
      exitPath: path.join(dir, 'exit.json'),
      oomControlPath: path.join(CGROUP_ROOT, 'memory', rec.cgroupsPath, 'memory.oom_control'),
    };
    const shimConfigPath = path.join(dir, 'shim-config.json');
    await writeFile(shimConfigPath, JSON.stringify(shim));
    const shimLog = openSync(path.join(dir, 'shim.log'), 'a');
    try {
      // Own session (detached) and no pipes to the agent: the shim outlives the agent process.
      const child = spawn(this.nodePath, [this.store.shimPath, shimConfigPath], { detached: true, stdio: ['ignore', shimLog, shimLog], cwd: dir });
      child.unref();
    } finally {
      closeSync(shimLog);
    }
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 30_000);
    while (!existsSync(shim.pidFile) && !existsSync(shim.exitPath)) {
      if (Date.now() > deadline) throw new ContainerStartError(id, `runc did not start the process within ${this.options.startTimeoutMs ?? 30_000} ms`);
      await sleep(POLL_MS);
    }
    const exit = await readJson<ShimExit>(shim.exitPath);
    if (exit?.startError) throw new ContainerStartError(id, exit.startError);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.statusOf(await this.readContainer(id));
  }

  /** Every container on disk (running ones keep running across agent restarts). */
  async listContainers(filter: { readonly sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const id of await this.store.containerIds()) {
      const rec = await this.store.readContainer(id);
      if (rec && (!filter.sandboxId || rec.sandboxId === filter.sandboxId)) out.push(await this.statusOf(rec));
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** SIGTERM, up to `graceSeconds` for the process to exit, then SIGKILL. Returns once it has exited. */
  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const rec = await this.readContainer(id);
    if ((await this.statusOf(rec)).state !== 'running') return;
    if (graceSeconds > 0 && (await this.runc.kill(id, 'TERM'))) {
      if (await this.waitExited(rec, graceSeconds * 1000)) return;
    }
    await this.runc.kill(id, 'KILL');
    if (!(await this.waitExited(rec, 10_000))) throw new InvalidStateError(`container ${id} did not exit after SIGKILL`);
  }

  /** Kills the container if it runs, deletes it from runc (and its cgroups), its rootfs and its log. Idempotent. */
  async removeContainer(id: string): Promise<void> {
    const rec = await this.store.readContainer(id);
    if (rec && (await this.statusOf(rec)).state === 'running') await this.stopContainer(id, 0);
    await this.runc.delete(id);
    const dir = this.store.containerDir(id);
    const started = await readJson<ShimStarted>(path.join(dir, 'started.json')).catch(() => undefined);
    if (started && shimAlive(started.shimPid, dir)) process.kill(started.shimPid, 'SIGKILL');
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
    if (rec) await rm(rec.logPath, { force: true });
  }

  /** `runc exec`: runs a command in the running container as its user, with its env and capabilities. */
  async execSync(id: string, cmd: readonly string[], timeoutSeconds = 60): Promise<ExecSyncResult> {
    const status = await this.containerStatus(id);
    if (status.state !== 'running') throw new InvalidStateError(`container ${id} is not running`);
    if (cmd.length === 0) throw new InvalidStateError("exec needs a non-empty 'cmd'");
    const r = await this.runc.exec(id, cmd, timeoutSeconds * 1000);
    return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  /** `runc exec` with live streams and an optional TTY (kubectl exec); see exec-stream.ts. */
  async execStream(id: string, cmd: readonly string[], opts: ExecStreamOptions = {}): Promise<ExecStream> {
    const status = await this.containerStatus(id);
    if (status.state !== 'running') throw new InvalidStateError(`container ${id} is not running`);
    if (cmd.length === 0) throw new InvalidStateError("exec needs a non-empty 'cmd'");
    return startExec(this.runc, id, cmd, opts);
  }

  /**
   * Removes everything this runtime created on the machine: containers (also ones runc knows but
   * the records lost), sandboxes, network namespaces, mounts, the bridge and the node's cgroups.
   */
  async reset(): Promise<void> {
    for (const id of await this.store.sandboxIds()) await this.removePodSandbox(id).catch(() => undefined);
    for (const id of await this.store.containerIds()) await this.removeContainer(id).catch(() => undefined);
    for (const c of await this.runc.list()) {
      await this.runc.kill(c.id, 'KILL');
      await this.runc.delete(c.id).catch(() => undefined);
    }
    await unmountUnder(this.options.stateDir);
    await this.network.removeBridge();
    await removeNodeCgroups(this.options.nodeName);
    for (const d of [this.store.sandboxesDir, this.store.containersDir, this.store.logsDir, this.store.runcRoot, this.network.dataDir]) {
      await rm(d, { recursive: true, force: true });
    }
  }

  // --- internals -------------------------------------------------------------------------

  private async statusOf(rec: ContainerRecord): Promise<ContainerStatus> {
    const dir = this.store.containerDir(rec.id);
    const started = await readJson<ShimStarted>(path.join(dir, 'started.json'));
    let exit = await readJson<ShimExit>(path.join(dir, 'exit.json'));
    if (!started || exit) return containerStatus(rec, { started, exit, shimAlive: false });
    const alive = shimAlive(started.shimPid, dir);
    const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '')) || undefined;
    if (alive) return containerStatus(rec, { started, shimAlive: true, pid });
    exit = await readJson<ShimExit>(path.join(dir, 'exit.json'));
    const state = exit ? undefined : await this.runc.state(rec.id);
    return containerStatus(rec, { started, exit, shimAlive: false, runcRunning: state?.status === 'running', pid: state?.pid });
  }

  private async waitExited(rec: ContainerRecord, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.statusOf(rec)).state === 'exited') return true;
      if (Date.now() > deadline) return false;
      await sleep(20);
    }
  }

  private async readContainer(id: string): Promise<ContainerRecord> {
    const rec = await this.store.readContainer(id);
    if (!rec) throw new NotFoundError('container', id);
    return rec;
  }

  private sandboxPaths(s: SandboxRecord): SandboxPaths {
    const dir = this.store.sandboxDir(s.id);
    return {
      hostname: podHostname(s.config),
      netnsPath: this.netnsPathOf(s),
      ipcNsPath: path.join(dir, 'ipc'),
      shmPath: path.join(dir, 'shm'),
      hostsPath: path.join(dir, 'hosts'),
      hostnamePath: path.join(dir, 'hostname'),
      resolvConfPath: path.join(dir, 'resolv.conf'),
    };
  }

  private netnsPathOf(s: SandboxRecord): string {
    return path.join('/var/run/netns', s.netnsName);
  }

  private networkRequest(s: SandboxRecord): PodNetworkRequest {
    return {
      id: s.id,
      netnsName: s.netnsName,
      podName: s.config.name,
      podNamespace: s.config.namespace,
      ...(s.config.portMappings ? { portMappings: s.config.portMappings } : {}),
    };
  }

  private assertStarted(): void {
    if (!this.started) throw new InvalidStateError('PodRuntime.start() has not been called');
  }
}

function toSandbox(rec: SandboxRecord): PodSandbox {
  return {
    id: rec.id,
    config: rec.config,
    state: rec.state,
    netnsName: rec.netnsName,
    netnsPath: path.join('/var/run/netns', rec.netnsName),
    ip: rec.ip,
    createdAt: rec.createdAt,
    logDir: rec.logDir,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
