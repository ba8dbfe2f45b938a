// What PodRuntime and ProcessRuntime share: sandbox and container records in the state dir
// (store.ts), and containers started and watched by a per-container monitor (monitor.ts: conmon
// for runc, the process shim for host processes) whose files give their status. A subclass
// supplies what differs: how a sandbox is set up and released, the monitor, how a container is
// signalled and exec'd, and what else reset() removes. Callers serialize operations per pod, as
// the kubelet's pod workers do.
import { existsSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { netnsPath } from '../network/netns.js';
import { AlreadyExistsError, InvalidStateError, NotFoundError } from './errors.js';
import type { ExecStream, ExecStreamOptions } from './exec-stream.js';
import type { ContainerMonitor, StdinSink } from './monitor.js';
import { unmountUnder, type RootfsKind } from './rootfs.js';
import {
  sandboxId,
  writeRuntimeKind,
  type ContainerRuntime,
  type ExecSyncResult,
  type RuntimeKind,
} from './runtime.js';
import { RuntimeStore, type ContainerRecord, type SandboxRecord } from './store.js';
import type { ContainerConfig, ContainerStatus, PodSandbox, PodSandboxConfig } from './types.js';

export interface RecordedRuntimeOptions {
  readonly nodeName: string;
  /** Everything the runtime keeps (see store.ts), e.g. `<data-dir>/nodes/<node>`. */
  readonly stateDir: string;
  /** How long startContainer waits for the container's process to start. @default 30000 */
  readonly startTimeoutMs?: number;
}

/** What a runtime records for a new container and how it lays out the container's dir. */
export interface ContainerLayout {
  readonly cgroupsPath: string;
  /** The config as recorded. */
  readonly config: ContainerConfig;
  /** Runs once the record is written; returns the root filesystem it made, if any. */
  prepare(dir: string): Promise<RootfsKind | undefined>;
}

export abstract class RecordedRuntime<O extends RecordedRuntimeOptions> implements ContainerRuntime {
  abstract readonly kind: RuntimeKind;
  protected readonly store: RuntimeStore;
  /** Starts and watches the containers (set by the subclass's constructor). */
  protected abstract readonly monitor: ContainerMonitor;
  private started = false;

  constructor(
    protected readonly options: O,
    /** Names the class in "start() has not been called". */
    private readonly className: string,
  ) {
    this.store = new RuntimeStore(options.stateDir);
  }

  abstract version(): Promise<string>;
  abstract execSync(id: string, cmd: readonly string[], timeoutSeconds?: number): Promise<ExecSyncResult>;
  abstract execStream(id: string, cmd: readonly string[], opts?: ExecStreamOptions): Promise<ExecStream>;

  /**
   * Creates the state dirs and records the runtime's kind. Running containers are left as they are;
   * one still 'created' was being started by an agent that died (kill -9 between `runc create` and
   * started.json): nothing would ever start it, so it is removed and the pod's sync makes it anew,
   * as the kubelet restarts a container it finds in the created state.
   */
  async start(): Promise<void> {
    await this.store.init();
    await writeRuntimeKind(this.options.stateDir, this.kind);
    for (const c of await this.listContainers()) {
      if (c.state === 'created') await this.removeContainer(c.id);
    }
    this.started = true;
  }

  /** Nothing to stop: containers and their monitors keep running without the agent (as with the kubelet). */
  async stop(): Promise<void> {
    this.started = false;
  }

  // --- pod sandboxes ---------------------------------------------------------------------

  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    this.assertStarted();
    if (!config.uid || !config.name || !config.namespace)
      throw new InvalidStateError("pod sandbox needs 'uid', 'name' and 'namespace'");
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
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      mkdirSync(rec0.logDir, { recursive: true });
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
    return (await this.store.sandboxRecords()).map(toSandbox);
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
    this.store.forgetSandbox(id);
    if (rec) await rm(rec.logDir, { recursive: true, force: true });
  }

  // --- containers ------------------------------------------------------------------------

  /** Lays out the container's dir (containerLayout) and records it; the container is then 'created'. */
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
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      mkdirSync(path.dirname(rec.logPath), { recursive: true });
      const rootfsKind = await layout.prepare(dir);
      // Written once, when complete (each file created costs a new inode): a crash before leaves a
      // dir without a record, which removeContainer clears as the agent does before every create.
      await this.store.writeContainer(rootfsKind ? { ...rec, rootfsKind } : rec);
      return id;
    } catch (e) {
      await this.removeContainer(id).catch(() => undefined);
      throw e;
    }
  }

  /** Starts the container under its monitor and returns once the process runs. */
  async startContainer(id: string): Promise<void> {
    this.assertStarted();
    const rec = await this.readContainer(id);
    await this.monitor.start(rec, this.store.containerDir(id));
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.statusOf(await this.readContainer(id));
  }

  /** Every container on disk (running ones keep running across agent restarts). */
  async listContainers(filter: { readonly sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const rec of await this.store.containerRecords(filter.sandboxId)) out.push(await this.statusOf(rec));
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
    if (!(await this.waitExited(rec, 10_000)))
      throw new InvalidStateError(`container ${id} did not exit after SIGKILL`);
  }

  /** Kills the container if it runs, releases it (releaseContainer), removes its dir and its log. Idempotent. */
  async removeContainer(id: string): Promise<void> {
    const rec = await this.store.readContainer(id);
    if (rec && (await this.statusOf(rec)).state === 'running') await this.stopContainer(id, 0);
    await this.releaseContainer(id);
    const dir = this.store.containerDir(id);
    // No record and no dir (every create makes sure first): no monitor, mount or file to look for.
    if (!rec && !existsSync(dir)) return;
    await this.monitor.release(dir);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
    await rm(this.store.layerDir(id), { recursive: true, force: true });
    this.store.forgetContainer(id);
    if (rec) await rm(rec.logPath, { force: true });
  }

  /** Sets the size of a running TTY container's terminal; does nothing for other containers. */
  async resizeContainerTerminal(id: string, width: number, height: number): Promise<void> {
    const rec = await this.readContainer(id);
    if (!rec.config.tty || !(width > 0 && height > 0)) return;
    await this.monitor.resize(rec, this.store.containerDir(id), width, height);
  }

  /** Connects to a running container's stdin (`kubectl attach -i`); refused for a container without `stdin`. */
  async openStdin(id: string): Promise<StdinSink> {
    const rec = await this.readContainer(id);
    if (!rec.config.stdin) throw new InvalidStateError(`container ${id} does not take stdin`);
    if ((await this.statusOf(rec)).state !== 'running') throw new InvalidStateError(`container ${id} is not running`);
    return this.monitor.openStdin(rec, this.store.containerDir(id));
  }

  /** Removes everything the runtime created for its state dir: containers, sandboxes, leftovers, mounts (run/ too). */
  async reset(): Promise<void> {
    for (const id of await this.store.sandboxIds()) await this.removePodSandbox(id).catch(() => undefined);
    for (const id of await this.store.containerIds()) await this.removeContainer(id).catch(() => undefined);
    await this.removeLeftovers();
    await unmountUnder(this.options.stateDir);
    const run = this.store.legacy ? [] : [this.store.runDir]; // the legacy layout's is the state dir itself
    for (const d of [...this.store.dirs, ...run]) await rm(d, { recursive: true, force: true });
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

  private statusOf(rec: ContainerRecord): Promise<ContainerStatus> {
    return this.monitor.status(rec, this.store.containerDir(rec.id));
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
