// The process runtime: where runc or root is missing, each container runs as a plain host process
// (no namespaces, no cgroups). A sandbox is only a directory and its IP is the host's, so pods
// share the host's ports. Records, the process shim (shim-monitor.ts), the CRI log, exit.json and
// re-adoption after an agent restart are shared with PodRuntime (recorded-runtime.ts); this file
// holds command resolution, process groups and host exec. Resource limits, securityContext
// capabilities and read-only mounts are not enforced. Volumes stay where the volume plugins set
// them up; WHARF_MOUNTS names a directory in which each volumeMount's path is a symlink to its
// volume (see docs/node-runtime.md).
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ContainerStartError, InvalidStateError } from './errors.js';
import { startCommand, type ExecStream, type ExecStreamOptions } from './exec-stream.js';
import { configuredPath, findExecutable, linkMounts, processEnv, resolveInRoot } from './process-command.js';
import type { MonitorExit, MonitorStarted } from './container-status.js';
import { killPid, strayMonitors } from './monitor.js';
import { RecordedRuntime, type ContainerLayout, type RecordedRuntimeOptions } from './recorded-runtime.js';
import type { ExecSyncResult } from './runtime.js';
import { podHostname } from './sandbox-files.js';
import { startTicks, type HostCommand, type ShimConfig } from './shim.js';
import { ShimMonitor, type ShimFiles } from './shim-monitor.js';
import type { ContainerRecord, SandboxRecord } from './store.js';
import type { ContainerConfig, ContainerStatus, PodSandboxConfig } from './types.js';

export interface ProcessRuntimeOptions extends RecordedRuntimeOptions {
  /** Every pod's IP: pods share the host's network. @default '127.0.0.1' */
  readonly podIP?: string;
  /** Searched for a command after the image. @default the agent's PATH */
  readonly hostPath?: string;
  /** The Node.js binary that runs the container shims. @default process.execPath */
  readonly nodePath?: string;
}

const DEFAULT_HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class ProcessRuntime extends RecordedRuntime<ProcessRuntimeOptions> {
  readonly kind = 'process';
  protected readonly monitor: ShimMonitor;
  private readonly asRoot = process.getuid?.() === 0;

  constructor(options: ProcessRuntimeOptions) {
    super(options, 'ProcessRuntime');
    this.monitor = new ShimMonitor({
      nodePath: options.nodePath ?? process.execPath,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      shimConfig: (rec, files) => this.shimConfig(rec, files),
      orphanPid: (rec, pid) => this.orphanPid(rec, pid),
    });
  }

  async version(): Promise<string> {
    return 'process://wharf';
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
    const rec = await this.execTarget(id, cmd);
    const command = await this.hostCommand(rec, cmd);
    if (typeof command === 'string') return failedExec(command);
    const env = opts.tty ? { ...command.env, TERM: 'xterm' } : command.env;
    return startCommand({ ...command, ...(env ? { env } : {}) }, opts);
  }

  // --- sandboxes: a directory and a record --------------------------------------------------

  protected override checkSandboxConfig(config: PodSandboxConfig): void {
    for (const m of config.portMappings ?? []) {
      if (m.hostPort !== m.containerPort) {
        throw new InvalidStateError(
          `hostPort ${m.hostPort} differs from containerPort ${m.containerPort}: the process runtime cannot map ports (containers listen on the host's ports directly)`,
        );
      }
    }
  }

  /** No network namespace. */
  protected netnsName(): string {
    return '';
  }

  /** Nothing to set up: the pod's IP is the host's. */
  protected async setUpSandbox(): Promise<{ ip: string }> {
    return { ip: this.options.podIP ?? '127.0.0.1' };
  }

  // --- containers: host processes ----------------------------------------------------------

  /** The container's WHARF_MOUNTS directory; nothing is copied. */
  protected containerLayout(_id: string, _sandbox: SandboxRecord, config: ContainerConfig): ContainerLayout {
    if (!existsSync(config.rootfs))
      throw new InvalidStateError(`container ${config.name}: image root ${config.rootfs} does not exist`);
    if (config.args.length === 0) throw new InvalidStateError(`container ${config.name}: 'args' must not be empty`);
    return {
      cgroupsPath: '',
      config: { ...config, rootfs: path.resolve(config.rootfs) },
      prepare: async (dir) => {
        await linkMounts(path.join(dir, 'mounts'), config.mounts ?? []);
        return undefined;
      },
    };
  }

  /** The shim runs the resolved command; a command that cannot be found is recorded as runc records a failed start. */
  private async shimConfig(rec: ContainerRecord, files: ShimFiles): Promise<ShimConfig> {
    const command = await this.hostCommand(rec, rec.config.args);
    if (typeof command === 'string') {
      // Exited, StartError, exit code 128.
      const now = new Date().toISOString();
      await writeFile(files.startedPath, JSON.stringify({ shimPid: 0, startedAt: now } satisfies MonitorStarted));
      await writeFile(
        files.exitPath,
        JSON.stringify({ exitCode: 128, finishedAt: now, oomKilled: false, startError: command } satisfies MonitorExit),
      );
      throw new ContainerStartError(rec.id, command);
    }
    return { ...files, command };
  }

  /** The shim was killed: the process may still run; its start time proves it is ours and not a reused pid. */
  private async orphanPid(rec: ContainerRecord, pid: number | undefined): Promise<number | undefined> {
    const ticks = await readFile(path.join(this.store.containerDir(rec.id), 'pid.start'), 'utf8').catch(() => '');
    return pid !== undefined && ticks !== '' && processStartTicks(pid) === ticks ? pid : undefined;
  }

  /** Signals the container's whole process group. */
  protected async signal(_rec: ContainerRecord, status: ContainerStatus, signal: 'TERM' | 'KILL'): Promise<boolean> {
    return status.pid !== undefined && signalGroup(status.pid, `SIG${signal}`);
  }

  /** Shims whose records are gone. */
  protected async removeLeftovers(): Promise<void> {
    for (const pid of strayMonitors(this.store.containersDir)) killPid(pid);
  }

  /** The host command for `argv` in the container, or why it cannot run (as runc words it). */
  private async hostCommand(rec: ContainerRecord, argv: readonly string[]): Promise<HostCommand | string> {
    const c = rec.config;
    const sandbox = await this.store.readSandbox(rec.sandboxId);
    const workingDir = c.workingDir || '/';
    const cwd = await resolveInRoot(c.rootfs, workingDir);
    // As runc, a missing working dir is created (in the image's root: there is no per-container copy).
    await mkdir(cwd, { recursive: true }).catch(() => undefined);
    const name = argv[0] ?? '';
    const file = await findExecutable(name, {
      rootfs: c.rootfs,
      workingDir,
      path: configuredPath(c),
      hostPath: this.options.hostPath ?? process.env.PATH ?? DEFAULT_HOST_PATH,
    });
    if (!file) return `exec: ${JSON.stringify(name)}: executable file not found in $PATH`;
    const mountsDir = path.join(this.store.containerDir(rec.id), 'mounts');
    const env = await processEnv(c, {
      rootfs: c.rootfs,
      hostname: sandbox ? podHostname(sandbox.config) : rec.name,
      ...((c.mounts ?? []).length > 0 ? { mountsDir } : {}),
    });
    // Only root can run a process as another user; otherwise it runs as the agent's user.
    const user =
      this.asRoot && c.securityContext?.runAsUser !== undefined
        ? { uid: c.securityContext.runAsUser, gid: c.securityContext.runAsGroup ?? 0 }
        : {};
    return { file, args: argv.slice(1), argv0: name, env, cwd, ...user };
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
