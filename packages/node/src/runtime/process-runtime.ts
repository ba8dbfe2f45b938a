// The process runtime: where runc or root is missing, each container runs as a plain host process
// (no namespaces, no cgroups). A sandbox is only a directory and its IP is the host's, so pods
// share the host's ports. Each container runs under the same detached shim as runc containers
// (shim.ts, `kind: 'process'`): the CRI log, exit.json and re-adoption after an agent restart work
// the same way. Resource limits, securityContext capabilities and read-only mounts are not
// enforced. Volumes stay where the volume plugins set them up; WHARF_MOUNTS names a directory in
// which each volumeMount's path is a symlink to its volume (see docs/node-runtime.md).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { containerStatus } from './container-status.js';
import { AlreadyExistsError, ContainerStartError, InvalidStateError, NotFoundError } from './errors.js';
import { startCommand, type ExecStream, type ExecStreamOptions } from './exec-stream.js';
import { configuredPath, findExecutable, linkMounts, processEnv, resolveInRoot } from './process-command.js';
import { unmountUnder } from './rootfs.js';
import { sandboxId, writeRuntimeKind, type ContainerRuntime, type ExecSyncResult } from './runtime.js';
import { podHostname } from './sandbox-files.js';
import { installShim, shimAlive, startTicks, type HostCommand, type ProcessShimConfig, type ShimExit, type ShimStarted } from './shim.js';
import { readJson, RuntimeStore, type ContainerRecord, type SandboxRecord } from './store.js';
import type { ContainerConfig, ContainerStatus, PodSandbox, PodSandboxConfig } from './types.js';

export interface ProcessRuntimeOptions {
  readonly nodeName: string;
  /** Everything the runtime keeps, in store.ts's layout, e.g. `<data-dir>/nodes/<node>`. */
  readonly stateDir: string;
  /** Every pod's IP: pods share the host's network. @default '127.0.0.1' */
  readonly podIP?: string;
  /** Searched for a command after the image. @default the agent's PATH */
  readonly hostPath?: string;
  /** The Node.js binary that runs container shims. @default process.execPath */
  readonly nodePath?: string;
  /** How long startContainer waits for the process to start. @default 30000 */
  readonly startTimeoutMs?: number;
}

const POLL_MS = 5;
const DEFAULT_HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class ProcessRuntime implements ContainerRuntime {
  readonly kind = 'process';
  private readonly store: RuntimeStore;
  private readonly nodePath: string;
  private readonly asRoot = process.getuid?.() === 0;
  private started = false;

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.store = new RuntimeStore(options.stateDir);
    this.nodePath = options.nodePath ?? process.execPath;
  }

  async version(): Promise<string> {
    return 'process://wharf';
  }

  async start(): Promise<void> {
    await this.store.init();
    await writeRuntimeKind(this.options.stateDir, 'process');
    await installShim(this.store.shimPath);
    this.started = true;
  }

  /** Containers and their shims keep running without the agent. */
  async stop(): Promise<void> {
    this.started = false;
  }

  // --- pod sandboxes ---------------------------------------------------------------------

  /** A directory and a record: no network namespace, the pod's IP is the host's. */
  async runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox> {
    this.assertStarted();
    if (!config.uid || !config.name || !config.namespace) throw new InvalidStateError("pod sandbox needs 'uid', 'name' and 'namespace'");
    for (const m of config.portMappings ?? []) {
      if (m.hostPort !== m.containerPort) {
        throw new InvalidStateError(`hostPort ${m.hostPort} differs from containerPort ${m.containerPort}: the process runtime cannot map ports (containers listen on the host's ports directly)`);
      }
    }
    const id = sandboxId(config);
    const dir = this.store.sandboxDir(id);
    if (existsSync(dir)) throw new AlreadyExistsError('sandbox', id);
    const rec: SandboxRecord = {
      id,
      config,
      state: 'ready',
      netnsName: '',
      ip: this.options.podIP ?? '127.0.0.1',
      createdAt: new Date().toISOString(),
      logDir: path.join(this.store.logsDir, `${config.namespace}_${config.name}_${config.uid}`),
    };
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await mkdir(rec.logDir, { recursive: true });
    await this.store.writeSandbox(rec);
    return toSandbox(rec);
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

  async stopPodSandbox(id: string): Promise<void> {
    const rec = await this.store.readSandbox(id);
    if (!rec) return;
    for (const c of await this.listContainers({ sandboxId: id })) {
      if (c.state === 'running') await this.stopContainer(c.id, 0);
    }
    if (rec.state !== 'notready') await this.store.writeSandbox({ ...rec, state: 'notready' });
  }

  async removePodSandbox(id: string): Promise<void> {
    const rec = await this.store.readSandbox(id);
    for (const c of await this.listContainers({ sandboxId: id })) await this.removeContainer(c.id);
    if (rec) await this.stopPodSandbox(id);
    await rm(this.store.sandboxDir(id), { recursive: true, force: true });
    if (rec) await rm(rec.logDir, { recursive: true, force: true });
  }

  // --- containers ------------------------------------------------------------------------

  /** Records the container and lays out its WHARF_MOUNTS directory; nothing is copied. */
  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    this.assertStarted();
    const sandbox = await this.store.readSandbox(sandboxId);
    if (!sandbox) throw new NotFoundError('sandbox', sandboxId);
    if (sandbox.state !== 'ready') throw new InvalidStateError(`sandbox ${sandboxId} is not ready`);
    if (!existsSync(config.rootfs)) throw new InvalidStateError(`container ${config.name}: image root ${config.rootfs} does not exist`);
    if (config.args.length === 0) throw new InvalidStateError(`container ${config.name}: 'args' must not be empty`);
    const attempt = config.attempt ?? 0;
    const id = `${sandboxId}-${config.name}-${attempt}`;
    const dir = this.store.containerDir(id);
    if (existsSync(dir)) throw new AlreadyExistsError('container', id);
    const rec: ContainerRecord = {
      id,
      sandboxId,
      name: config.name,
      attempt,
      createdAt: new Date().toISOString(),
      logPath: path.join(sandbox.logDir, config.name, `${attempt}.log`),
      cgroupsPath: '',
      config: { ...config, rootfs: path.resolve(config.rootfs) },
    };
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await this.store.writeContainer(rec);
      await mkdir(path.dirname(rec.logPath), { recursive: true });
      await linkMounts(path.join(dir, 'mounts'), config.mounts ?? []);
      return id;
    } catch (e) {
      await this.removeContainer(id).catch(() => undefined);
      throw e;
    }
  }

  /** Starts the container's process through its shim; returns once it runs. */
  async startContainer(id: string): Promise<void> {
    this.assertStarted();
    const rec = await this.readContainer(id);
    const dir = this.store.containerDir(id);
    const startedPath = path.join(dir, 'started.json');
    const exitPath = path.join(dir, 'exit.json');
    if (existsSync(startedPath)) throw new InvalidStateError(`container ${id} was started already`);
    const command = await this.hostCommand(rec, rec.config.args);
    if (typeof command === 'string') {
      // Recorded as runc records a failed start: exited, StartError, exit code 128.
      const now = new Date().toISOString();
      await writeFile(startedPath, JSON.stringify({ shimPid: 0, startedAt: now } satisfies ShimStarted));
      await writeFile(exitPath, JSON.stringify({ exitCode: 128, finishedAt: now, oomKilled: false, startError: command } satisfies ShimExit));
      throw new ContainerStartError(id, command);
    }
    const shim: ProcessShimConfig = { kind: 'process', id, command, logPath: rec.logPath, pidFile: path.join(dir, 'pid'), startedPath, exitPath };
    const shimConfigPath = path.join(dir, 'shim-config.json');
    await writeFile(shimConfigPath, JSON.stringify(shim), { mode: 0o600 });
    const shimLog = openSync(path.join(dir, 'shim.log'), 'a');
    try {
      // Own session and no pipes to the agent: the shim (and so the container) outlives the agent.
      spawn(this.nodePath, [this.store.shimPath, shimConfigPath], { detached: true, stdio: ['ignore', shimLog, shimLog], cwd: dir }).unref();
    } finally {
      closeSync(shimLog);
    }
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(shim.pidFile) && !existsSync(exitPath)) {
      if (Date.now() > deadline) throw new ContainerStartError(id, `the process did not start within ${timeoutMs} ms`);
      await sleep(POLL_MS);
    }
    const exit = await readJson<ShimExit>(exitPath);
    if (exit?.startError) throw new ContainerStartError(id, exit.startError);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return this.statusOf(await this.readContainer(id));
  }

  async listContainers(filter: { readonly sandboxId?: string } = {}): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const id of await this.store.containerIds()) {
      const rec = await this.store.readContainer(id);
      if (rec && (!filter.sandboxId || rec.sandboxId === filter.sandboxId)) out.push(await this.statusOf(rec));
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** SIGTERM to the container's process group, up to `graceSeconds`, then SIGKILL to the group. */
  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const rec = await this.readContainer(id);
    const status = await this.statusOf(rec);
    if (status.state !== 'running' || !status.pid) return;
    if (graceSeconds > 0 && signalGroup(status.pid, 'SIGTERM')) {
      if (await this.waitExited(rec, graceSeconds * 1000)) return;
    }
    signalGroup(status.pid, 'SIGKILL');
    if (!(await this.waitExited(rec, 10_000))) throw new InvalidStateError(`container ${id} did not exit after SIGKILL`);
  }

  async removeContainer(id: string): Promise<void> {
    const rec = await this.store.readContainer(id);
    if (rec && (await this.statusOf(rec)).state === 'running') await this.stopContainer(id, 0);
    const dir = this.store.containerDir(id);
    const started = await readJson<ShimStarted>(path.join(dir, 'started.json')).catch(() => undefined);
    if (started?.shimPid && shimAlive(started.shimPid, dir)) process.kill(started.shimPid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
    if (rec) await rm(rec.logPath, { force: true });
  }

  /** Runs a host process with the container's environment, working dir and user; see execStream. */
  async execSync(id: string, cmd: readonly string[], timeoutSeconds = 60): Promise<ExecSyncResult> {
    const proc = await this.execStream(id, cmd);
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => proc.kill(), timeoutSeconds * 1000);
    const r = await proc.done.finally(() => clearTimeout(timer));
    return { exitCode: r.exitCode, stdout, stderr: r.error ? `${stderr}${r.error}\n` : stderr };
  }

  /** `kubectl exec`: a host process (not in the container's process group) with its env and working dir. */
  async execStream(id: string, cmd: readonly string[], opts: ExecStreamOptions = {}): Promise<ExecStream> {
    const rec = await this.readContainer(id);
    if ((await this.statusOf(rec)).state !== 'running') throw new InvalidStateError(`container ${id} is not running`);
    if (cmd.length === 0) throw new InvalidStateError("exec needs a non-empty 'cmd'");
    const command = await this.hostCommand(rec, cmd);
    if (typeof command === 'string') return failedExec(command);
    const env = opts.tty ? { ...command.env, TERM: 'xterm' } : command.env;
    return startCommand({ ...command, ...(env ? { env } : {}) }, opts);
  }

  /**
   * Stops and removes every container and sandbox of the state dir, shims whose records are gone,
   * and the volume mounts (tmpfs, when the agent ran as root) below it.
   */
  async reset(): Promise<void> {
    for (const id of await this.store.sandboxIds()) await this.removePodSandbox(id).catch(() => undefined);
    for (const id of await this.store.containerIds()) await this.removeContainer(id).catch(() => undefined);
    for (const pid of strayShims(this.store.containersDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await unmountUnder(this.options.stateDir);
    for (const d of [this.store.sandboxesDir, this.store.containersDir, this.store.logsDir, this.store.runcRoot]) {
      await rm(d, { recursive: true, force: true });
    }
  }

  // --- internals -------------------------------------------------------------------------

  /** The host command for `argv` in the container, or why it cannot run (as runc words it). */
  private async hostCommand(rec: ContainerRecord, argv: readonly string[]): Promise<HostCommand | string> {
    const c = rec.config;
    const sandbox = await this.store.readSandbox(rec.sandboxId);
    const workingDir = c.workingDir || '/';
    const cwd = await resolveInRoot(c.rootfs, workingDir);
    // As runc, a missing working dir is created (in the image's root: there is no per-container copy).
    await mkdir(cwd, { recursive: true }).catch(() => undefined);
    const name = argv[0] ?? '';
    const file = await findExecutable(name, { rootfs: c.rootfs, workingDir, path: configuredPath(c), hostPath: this.options.hostPath ?? process.env.PATH ?? DEFAULT_HOST_PATH });
    if (!file) return `exec: ${JSON.stringify(name)}: executable file not found in $PATH`;
    const mountsDir = path.join(this.store.containerDir(rec.id), 'mounts');
    const env = await processEnv(c, {
      rootfs: c.rootfs,
      hostname: sandbox ? podHostname(sandbox.config) : rec.name,
      ...((c.mounts ?? []).length > 0 ? { mountsDir } : {}),
    });
    // Only root can run a process as another user; otherwise it runs as the agent's user.
    const user = this.asRoot && c.securityContext?.runAsUser !== undefined ? { uid: c.securityContext.runAsUser, gid: c.securityContext.runAsGroup ?? 0 } : {};
    return { file, args: argv.slice(1), argv0: name, env, cwd, ...user };
  }

  private async statusOf(rec: ContainerRecord): Promise<ContainerStatus> {
    const dir = this.store.containerDir(rec.id);
    const started = await readJson<ShimStarted>(path.join(dir, 'started.json'));
    let exit = await readJson<ShimExit>(path.join(dir, 'exit.json'));
    if (!started || exit) return containerStatus(rec, { started, exit, shimAlive: false });
    const pid = Number(await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '')) || undefined;
    if (shimAlive(started.shimPid, dir)) return containerStatus(rec, { started, shimAlive: true, ...(pid ? { pid } : {}) });
    exit = await readJson<ShimExit>(path.join(dir, 'exit.json'));
    // The shim is gone (killed): the process may still run, orphaned; its start time proves it is ours.
    const ticks = await readFile(path.join(dir, 'pid.start'), 'utf8').catch(() => '');
    const running = !exit && pid !== undefined && ticks !== '' && processStartTicks(pid) === ticks;
    return containerStatus(rec, { started, exit, shimAlive: false, runcRunning: running, ...(running ? { pid } : {}) });
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

  private assertStarted(): void {
    if (!this.started) throw new InvalidStateError('ProcessRuntime.start() has not been called');
  }
}

/** An exec that never started: no output, the error (as runc's failed exec reports it). */
function failedExec(error: string): ExecStream {
  return {
    stdin: undefined,
    stdout: Readable.from([]),
    stderr: Readable.from([]),
    done: Promise.resolve({ exitCode: 127, error }),
    resize: () => undefined,
    kill: () => undefined,
  };
}

function toSandbox(rec: SandboxRecord): PodSandbox {
  return { id: rec.id, config: rec.config, state: rec.state, netnsName: '', netnsPath: '', ip: rec.ip, createdAt: rec.createdAt, logDir: rec.logDir };
}

/** Sends `signal` to the process group led by `pid`; false when there is none. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function processStartTicks(pid: number): string | undefined {
  try {
    return startTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Shim processes whose command line names a container dir below `containersDir`. */
function strayShims(containersDir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`${containersDir}/`)) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
