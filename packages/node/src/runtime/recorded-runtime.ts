// What PodRuntime and ProcessRuntime share: sandbox and container records in the state dir
// (store.ts), containers run by the detached shim (shim.ts), and their status read from the
// shim's files (started.json, pid, exit.json). A subclass supplies what differs: how a sandbox is
// set up and released, what the shim runs, how a container is signalled and exec'd, and what else
// reset() removes. Callers serialize operations per pod, as the kubelet's pod workers do.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { netnsPath } from '../network/netns.js';
import { containerStatus } from './container-status.js';
import { AlreadyExistsError, ContainerStartError, InvalidStateError, NotFoundError } from './errors.js';
import type { ExecStream, ExecStreamOptions } from './exec-stream.js';
import { unmountUnder, type RootfsKind } from './rootfs.js';
import { sandboxId, writeRuntimeKind, type ContainerRuntime, type ExecSyncResult, type RuntimeKind } from './runtime.js';
import { installShim, shimAlive, STDIN_SOCKET, type ShimConfig, type ShimExit, type ShimStarted } from './shim.js';
import { setTerminalSize, shimTerminal } from './terminal.js';
import { readJson, RuntimeStore, type ContainerRecord, type SandboxRecord } from './store.js';
import type { ContainerConfig, ContainerStatus, PodSandbox, PodSandboxConfig } from './types.js';

export interface RecordedRuntimeOptions {
  readonly nodeName: string;
  /** Everything the runtime keeps (see store.ts), e.g. `<data-dir>/nodes/<node>`. */
  readonly stateDir: string;
  /** The Node.js binary that runs container shims. @default process.execPath */
  readonly nodePath?: string;
  /** How long startContainer waits for the container's process to start. @default 30000 */
  readonly startTimeoutMs?: number;
}

/** The part of a shim's config that is the same for every kind: the container and its files. */
export type ShimFiles = Pick<ShimConfig, 'id' | 'logPath' | 'pidFile' | 'startedPath' | 'exitPath' | 'stdin'>;

/** What a runtime records for a new container and how it lays out the container's dir. */
export interface ContainerLayout {
  readonly cgroupsPath: string;
  /** The config as recorded. */
  readonly config: ContainerConfig;
  /** Runs once the record is written; returns the root filesystem it made, if any. */
  prepare(dir: string): Promise<RootfsKind | undefined>;
}

const POLL_MS = 5;

export abstract class RecordedRuntime<O extends RecordedRuntimeOptions> implements ContainerRuntime {
  abstract readonly kind: RuntimeKind;
  protected readonly store: RuntimeStore;
  protected readonly nodePath: string;
  private started = false;

  constructor(
    protected readonly options: O,
    /** Names the class in "start() has not been called". */
    private readonly className: string,
  ) {
    this.store = new RuntimeStore(options.stateDir);
    this.nodePath = options.nodePath ?? process.execPath;
  }

  abstract version(): Promise<string>;
  abstract execSync(id: string, cmd: readonly string[], timeoutSeconds?: number): Promise<ExecSyncResult>;
  abstract execStream(id: string, cmd: readonly string[], opts?: ExecStreamOptions): Promise<ExecStream>;

  /** Creates the state dirs, records the runtime's kind and writes the shim. Running containers are left as they are. */
  async start(): Promise<void> {
    await this.store.init();
    await writeRuntimeKind(this.options.stateDir, this.kind);
    await installShim(this.store.shimPath);
    this.started = true;
  }

  /** Nothing to stop: containers and their shims keep running without the agent (as with the kubelet). */
  async stop(): Promise<void> {
    this.started = false;
  }

  // --- pod sandboxes ---------------------------------------------------------------------

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    this.assertStarted();
    if (!config.uid || !config.name || !config.namespace) throw new InvalidStateError("pod sandbox needs 'uid', 'name' and 'namespace'");
    this.checkSandboxConfig(config);
    const id = sandboxId(config);
    const dir = this.store.sandboxDir(id);
    if (existsSync(dir)) throw new AlreadyExistsError('sandbox', id);
    const rec0: SandboxRecord = {
      id,
      config,
      state: 'notready',
      netnsName: this.netnsName(id),
      ip: '',
      createdAt: new Date().toISOString(),
      logDir: path.join(this.store.logsDir, `${config.namespace}_${config.name}_${config.uid}`),
    };
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await mkdir(rec0.logDir, { recursive: true });
      // Recorded before anything is set up, so a crash half-way leaves something removePodSandbox finds.
      await this.store.writeSandbox(rec0);
      const rec: SandboxRecord = { ...rec0, state: 'ready', ...(await this.setUpSandbox(rec0, dir)) };
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

  /** Kills the sandbox's containers and releases what the runtime set up for it. Idempotent. */
  async stopPodSandbox(id: string): Promise<void> {
    const rec = await this.store.readSandbox(id);
    if (!rec) return;
    for (const c of await this.listContainers({ sandboxId: id })) {
      if (c.state === 'running') await this.stopContainer(c.id, 0);
    }
    await this.releaseSandbox(rec);
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

  /** Records the container and lays out its dir (containerLayout); the container is then 'created'. */
  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    this.assertStarted();
    const sandbox = await this.store.readSandbox(sandboxId);
    if (!sandbox) throw new NotFoundError('sandbox', sandboxId);
    if (sandbox.state !== 'ready') throw new InvalidStateError(`sandbox ${sandboxId} is not ready`);
    const attempt = config.attempt ?? 0;
    const id = `${sandboxId}-${config.name}-${attempt}`;
    const dir = this.store.containerDir(id);
    if (existsSync(dir)) throw new AlreadyExistsError('container', id);
    const layout = this.containerLayout(id, sandbox, config);
    const rec: ContainerRecord = {
      id,
      sandboxId,
      name: config.name,
      attempt,
      createdAt: new Date().toISOString(),
      logPath: path.join(sandbox.logDir, config.name, `${attempt}.log`),
      cgroupsPath: layout.cgroupsPath,
      config: layout.config,
    };
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await this.store.writeContainer(rec);
      await mkdir(path.dirname(rec.logPath), { recursive: true });
      const rootfsKind = await layout.prepare(dir);
      if (rootfsKind) await this.store.writeContainer({ ...rec, rootfsKind });
      return id;
    } catch (e) {
      await this.removeContainer(id).catch(() => undefined);
      throw e;
    }
  }

  /** Starts the container through its shim and returns once the process runs. */
  async startContainer(id: string): Promise<void> {
    this.assertStarted();
    const rec = await this.readContainer(id);
    const dir = this.store.containerDir(id);
    const files: ShimFiles = {
      id,
      logPath: rec.logPath,
      pidFile: path.join(dir, 'pid'),
      startedPath: path.join(dir, 'started.json'),
      exitPath: path.join(dir, 'exit.json'),
      ...(rec.config.stdin ? { stdin: { once: rec.config.stdinOnce ?? false } } : {}),
    };
    if (existsSync(files.startedPath)) throw new InvalidStateError(`container ${id} was started already`);
    const shim = await this.shimConfig(rec, files);
    const shimConfigPath = path.join(dir, 'shim-config.json');
    await writeFile(shimConfigPath, JSON.stringify(shim), { mode: 0o600 });
    const shimLog = openSync(path.join(dir, 'shim.log'), 'a');
    try {
      // Own session (detached) and no pipes to the agent: the shim, and so the container, outlives the agent.
      spawn(this.nodePath, [this.store.shimPath, shimConfigPath], { detached: true, stdio: ['ignore', shimLog, shimLog], cwd: dir }).unref();
    } finally {
      closeSync(shimLog);
    }
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(files.pidFile) && !existsSync(files.exitPath)) {
      if (Date.now() > deadline) {
        throw new ContainerStartError(id, `${shim.kind === 'process' ? 'the process did not start' : 'runc did not start the process'} within ${timeoutMs} ms`);
      }
      await sleep(POLL_MS);
    }
    const exit = await readJson<ShimExit>(files.exitPath);
    if (exit?.startError) throw new ContainerStartError(id, exit.startError);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.statusOf(await this.readContainer(id));
  }

  /** Every container on disk (running ones keep running across agent restarts). */
  async listContainers(filter: { readonly sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    // Container ids start with their sandbox's id: a pod's sync reads only its own records.
    const ids = (await this.store.containerIds()).filter((id) => !filter.sandboxId || id.startsWith(`${filter.sandboxId}-`));
    for (const id of ids) {
      const rec = await this.store.readContainer(id);
      if (rec && (!filter.sandboxId || rec.sandboxId === filter.sandboxId)) out.push(await this.statusOf(rec));
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** SIGTERM, up to `graceSeconds` for the process to exit, then SIGKILL. Returns once it has exited. */
  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const rec = await this.readContainer(id);
    const status = await this.statusOf(rec);
    if (status.state !== 'running') return;
    if (graceSeconds > 0 && (await this.signal(rec, status, 'TERM'))) {
      if (await this.waitExited(rec, graceSeconds * 1000)) return;
    }
    await this.signal(rec, status, 'KILL');
    if (!(await this.waitExited(rec, 10_000))) throw new InvalidStateError(`container ${id} did not exit after SIGKILL`);
  }

  /** Kills the container if it runs, releases it (releaseContainer), removes its dir and its log. Idempotent. */
  async removeContainer(id: string): Promise<void> {
    const rec = await this.store.readContainer(id);
    if (rec && (await this.statusOf(rec)).state === 'running') await this.stopContainer(id, 0);
    await this.releaseContainer(id);
    const dir = this.store.containerDir(id);
    const started = await readJson<ShimStarted>(path.join(dir, 'started.json')).catch(() => undefined);
    if (started?.shimPid && shimAlive(started.shimPid, dir)) process.kill(started.shimPid, 'SIGKILL');
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
    if (rec) await rm(rec.logPath, { force: true });
  }

  /** Sets the size of a running TTY container's terminal (see terminal.ts); does nothing for other containers. */
  async resizeContainerTerminal(id: string, width: number, height: number): Promise<void> {
    const rec = await this.readContainer(id);
    if (!rec.config.tty || !(width > 0 && height > 0)) return;
    const started = await readJson<ShimStarted>(path.join(this.store.containerDir(id), 'started.json'));
    const tty = started ? await shimTerminal(started.shimPid) : undefined;
    if (tty) await setTerminalSize(tty, width, height);
  }

  /** Removes everything the runtime created for its state dir: containers, sandboxes, leftovers, mounts. */
  async reset(): Promise<void> {
    for (const id of await this.store.sandboxIds()) await this.removePodSandbox(id).catch(() => undefined);
    for (const id of await this.store.containerIds()) await this.removeContainer(id).catch(() => undefined);
    await this.removeLeftovers();
    await unmountUnder(this.options.stateDir);
    for (const d of [this.store.sandboxesDir, this.store.containersDir, this.store.logsDir, this.store.runcRoot]) {
      await rm(d, { recursive: true, force: true });
    }
  }

  // --- what each runtime supplies ----------------------------------------------------------

  /** Refuses a sandbox config the runtime cannot honour (before anything is written). */
  protected checkSandboxConfig(_config: PodSandboxConfig): void {}

  /** The network namespace a new sandbox gets ('' for none). */
  protected abstract netnsName(sandboxId: string): string;

  /** Sets up the sandbox recorded (not ready) in `dir`; returns its IP and what else to record. */
  protected abstract setUpSandbox(rec: SandboxRecord, dir: string): Promise<Pick<SandboxRecord, 'ip' | 'cniResult'>>;

  /** Releases what setUpSandbox set up outside the sandbox dir; also for a half set-up sandbox. */
  protected async releaseSandbox(_rec: SandboxRecord): Promise<void> {}

  /** Checks `config` and says how container `id` is recorded and laid out (before anything is written). */
  protected abstract containerLayout(id: string, sandbox: SandboxRecord, config: ContainerConfig): ContainerLayout;

  /** The shim's config for the container; throws ContainerStartError (recorded in `files`) when it cannot start. */
  protected abstract shimConfig(rec: ContainerRecord, files: ShimFiles): Promise<ShimConfig>;

  /** The pid of the container's process when its shim is gone but the process still runs, else undefined. */
  protected abstract orphanPid(rec: ContainerRecord, pidFromFile: number | undefined): Promise<number | undefined>;

  /** Signals the running container; false when there was nothing to signal. */
  protected abstract signal(rec: ContainerRecord, status: ContainerStatus, signal: 'TERM' | 'KILL'): Promise<boolean>;

  /** Releases what the runtime holds for a stopped container outside its dir. Idempotent. */
  protected async releaseContainer(_id: string): Promise<void> {}

  /** Part of reset(): what the runtime created that the records do not name. */
  protected abstract removeLeftovers(): Promise<void>;

  // --- internals -------------------------------------------------------------------------

  /** The record of container `id` if it runs and `cmd` can be exec'd in it. */
  protected async execTarget(id: string, cmd: readonly string[]): Promise<ContainerRecord> {
    const rec = await this.readContainer(id);
    if ((await this.statusOf(rec)).state !== 'running') throw new InvalidStateError(`container ${id} is not running`);
    if (cmd.length === 0) throw new InvalidStateError("exec needs a non-empty 'cmd'");
    return rec;
  }

  protected async readContainer(id: string): Promise<ContainerRecord> {
    const rec = await this.store.readContainer(id);
    if (!rec) throw new NotFoundError('container', id);
    return rec;
  }

  protected assertStarted(): void {
    if (!this.started) throw new InvalidStateError(`${this.className}.start() has not been called`);
  }

  private async statusOf(rec: ContainerRecord): Promise<ContainerStatus> {
    const dir = this.store.containerDir(rec.id);
    const started = await readJson<ShimStarted>(path.join(dir, 'started.json'));
    let exit = await readJson<ShimExit>(path.join(dir, 'exit.json'));
    if (!started || exit) return containerStatus(rec, { started, exit, shimAlive: false });
    const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '')) || undefined;
    if (shimAlive(started.shimPid, dir)) {
      const status = containerStatus(rec, { started, shimAlive: true, ...(pid ? { pid } : {}) });
      // Reached through the shim's cwd, so the path stays short whatever the state dir.
      return {
        ...status,
        ...(rec.config.stdin ? { stdinSocket: `/proc/${started.shimPid}/cwd/${STDIN_SOCKET}` } : {}),
        ...(rec.config.tty ? { tty: true } : {}),
      };
    }
    // The shim is gone: it may have finished meanwhile, else the process may still run without it.
    exit = await readJson<ShimExit>(path.join(dir, 'exit.json'));
    if (exit) return containerStatus(rec, { started, exit, shimAlive: false });
    const orphan = await this.orphanPid(rec, pid);
    return containerStatus(rec, { started, shimAlive: false, runcRunning: orphan !== undefined, ...(orphan ? { pid: orphan } : {}) });
  }

  private async waitExited(rec: ContainerRecord, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.statusOf(rec)).state === 'exited') return true;
      if (Date.now() > deadline) return false;
      await sleep(20);
    }
  }
}

function toSandbox(rec: SandboxRecord): PodSandbox {
  return {
    id: rec.id,
    config: rec.config,
    state: rec.state,
    netnsName: rec.netnsName,
    netnsPath: rec.netnsName ? netnsPath(rec.netnsName) : '',
    ip: rec.ip,
    createdAt: rec.createdAt,
    logDir: rec.logDir,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
