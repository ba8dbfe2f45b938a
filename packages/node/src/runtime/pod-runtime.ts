// The node agent's pod runtime: pod sandboxes (network namespace from CNI, a shared IPC namespace
// and /dev/shm) and containers run by runc under conmon (conmon-monitor.ts), as CRI-O runs them.
// Records and container status are shared with the process runtime (recorded-runtime.ts); this
// file holds the runc, CNI, cgroup and overlay parts.
import { constants as fsConstants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { access, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { netnsPath } from '../network/netns.js';
import { PodNetwork, type PodNetworkOptions, type PodNetworkRequest } from '../network/pod-network.js';
import { exec } from '../util/exec.js';
import { HostMounter } from '../volumes/mounter.js';
import { currentCapabilities } from './capabilities.js';
import { containerCgroupsPath, removeNodeCgroups } from './cgroups.js';
import { ConmonMonitor } from './conmon-monitor.js';
import { InvalidStateError } from './errors.js';
import { startExec, type ExecStream, type ExecStreamOptions } from './exec-stream.js';
import { buildOciSpec, withRootMount, type SandboxPaths } from './oci-spec.js';
import { killPid, strayMonitors } from './monitor.js';
import { RecordedRuntime, type ContainerLayout, type RecordedRuntimeOptions } from './recorded-runtime.js';
import { overlayRootMount, overlayWorks, prepareRootfs } from './rootfs.js';
import { Runc } from './runc.js';
import { sandboxId, type ExecSyncResult } from './runtime.js';
import { hostsFile, podHostname, resolvConf } from './sandbox-files.js';
import type { ContainerRecord, SandboxRecord } from './store.js';
import type { ContainerConfig, ContainerStatus } from './types.js';

export { sandboxId, type ExecSyncResult };

export interface PodRuntimeOptions extends RecordedRuntimeOptions {
  /** The node's pod network (the CNI state goes under stateDir). */
  readonly cni: Omit<PodNetworkOptions, 'nodeName' | 'stateDir'>;
  /** @default '/usr/sbin/runc' */
  readonly runcPath?: string;
  /** @default '/usr/bin/conmon' */
  readonly conmonPath?: string;
}

export class PodRuntime extends RecordedRuntime<PodRuntimeOptions> {
  readonly kind = 'runc';
  readonly network: PodNetwork;
  protected readonly monitor: ConmonMonitor;
  private readonly runc: Runc;
  private readonly conmonPath: string;
  private readonly hostCapabilities = currentCapabilities();
  /** Probed once, at the first container: whether the state dir takes overlayfs upper/work dirs. */
  private overlay: Promise<boolean> | undefined;

  constructor(options: PodRuntimeOptions) {
    super(options, 'PodRuntime');
    // The IP leases go with the namespaces they were given for: gone after a reboot, as the records are.
    this.network = new PodNetwork({ ...options.cni, nodeName: options.nodeName, stateDir: this.store.runDir });
    this.runc = new Runc(options.runcPath ?? '/usr/sbin/runc', this.store.runcRoot);
    this.conmonPath = options.conmonPath ?? '/usr/bin/conmon';
    this.monitor = new ConmonMonitor({
      conmon: { conmon: this.conmonPath, runc: this.runc.binary, runcRoot: this.store.runcRoot },
      runc: this.runc,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
    });
  }

  /**
   * Fails when runc or conmon is missing; mounts run/'s tmpfs unless it is (an earlier agent's, kept
   * with its containers); then as RecordedRuntime.start(), and removes the root filesystems of
   * containers whose records are gone (a reboot emptied run/).
   */
  override async start(): Promise<void> {
    for (const [name, file] of [
      ['runc', this.runc.binary],
      ['conmon', this.conmonPath],
    ] as const) {
      await access(file, fsConstants.X_OK).catch(() => {
        throw new InvalidStateError(`${name} not found at ${file}`);
      });
    }
    if (!this.store.legacy) {
      // nosuid,nodev as each memory volume's own tmpfs had: the node's secrets and tokens live here too.
      const dir = path.resolve(this.store.runDir);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      await new HostMounter().mountTmpfs(dir, { mode: '0700' });
    }
    await super.start();
    if (this.store.legacy) return;
    const recorded = new Set(await this.store.containerIds());
    for (const id of await readdir(this.store.layersDir)) {
      if (!recorded.has(id)) await rm(this.store.layerDir(id), { recursive: true, force: true });
    }
  }

  /** conmon's exit files, watched (exit-watch.ts). */
  onContainerExit(listener: (sandboxId: string) => void): () => void {
    return this.monitor.exits.subscribe(listener);
  }

  override async stop(): Promise<void> {
    this.monitor.exits.closeAll();
    await super.stop();
  }

  /** `runc://<runc --version>`. */
  async version(): Promise<string> {
    const r = await exec(this.runc.binary, ['--version']);
    return `runc://${/runc version (\S+)/.exec(r.stdout)?.[1] ?? 'unknown'}`;
  }

  /** `runc exec`: runs a command in the running container as its user, with its env and capabilities. */
  async execSync(id: string, cmd: readonly string[], timeoutSeconds = 60): Promise<ExecSyncResult> {
    await this.execTarget(id, cmd);
    const r = await this.runc.exec(id, cmd, timeoutSeconds * 1000);
    return { exitCode: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  /** `runc exec` with live streams and an optional TTY (kubectl exec); see exec-stream.ts. */
  async execStream(id: string, cmd: readonly string[], opts: ExecStreamOptions = {}): Promise<ExecStream> {
    await this.execTarget(id, cmd);
    return startExec(this.runc, id, cmd, opts, this.store.containerDir(id));
  }

  // --- sandboxes: network namespace, IPC namespace, /dev/shm, /etc files ---------------------

  protected netnsName(sandboxId: string): string {
    return sandboxId;
  }

  protected async setUpSandbox(rec: SandboxRecord, dir: string): Promise<Pick<SandboxRecord, 'ip' | 'cniResult'>> {
    mkdirSync(path.join(dir, 'shm'));
    // The IPC namespace and /dev/shm come from the process that makes the network namespace (one spawn for all).
    const net = await this.network.setUp({
      ...this.networkRequest(rec),
      ipcNsFile: path.join(dir, 'ipc'),
      tmpfs: { dir: path.join(dir, 'shm'), options: 'nosuid,nodev,noexec,mode=1777,size=65536k' },
    });
    const hostname = podHostname(rec.config);
    // Small files on local disk: synchronous writes, not three round trips through the thread pool each.
    const hostResolv = rec.config.dns ? '' : readHostResolvConf();
    writeFileSync(path.join(dir, 'hosts'), hostsFile(hostname, net.ip, rec.config.hostAliases));
    writeFileSync(path.join(dir, 'hostname'), `${hostname}\n`);
    writeFileSync(path.join(dir, 'resolv.conf'), resolvConf(rec.config.dns, hostResolv));
    return { ip: net.ip, cniResult: net.result };
  }

  /** Tears the network down: IP released, netns deleted. */
  protected override async releaseSandbox(rec: SandboxRecord): Promise<void> {
    await this.network.tearDown(this.networkRequest(rec), rec.cniResult);
  }

  // --- containers: OCI bundle, overlay rootfs, cgroups, runc -------------------------------

  /** The OCI bundle (config.json) and the root filesystem (an overlay runc mounts, or a copy; rootfs.ts). */
  protected containerLayout(id: string, sandbox: SandboxRecord, config: ContainerConfig): ContainerLayout {
    const cgroupsPath = containerCgroupsPath(this.options.nodeName, id);
    const spec = buildOciSpec(config, this.sandboxPaths(sandbox), cgroupsPath, this.hostCapabilities);
    return {
      cgroupsPath,
      config,
      prepare: async (dir) => {
        const lower = path.resolve(config.rootfs);
        const layer = path.resolve(this.store.layerDir(id));
        this.overlay ??= overlayWorks(this.options.stateDir);
        const overlay = (await this.overlay) ? overlayRootMount(lower, layer) : undefined;
        const rootfsKind = await prepareRootfs(lower, layer, overlay !== undefined);
        // The bundle is in run/ (memory), the root filesystem on disk: root.path names it absolutely.
        const onDisk = { ...spec, root: { ...spec.root, path: path.join(layer, 'rootfs') } };
        writeFileSync(path.join(dir, 'config.json'), JSON.stringify(overlay ? withRootMount(onDisk, overlay) : onDisk));
        return rootfsKind;
      },
    };
  }

  protected signal(rec: ContainerRecord, _status: ContainerStatus, signal: 'TERM' | 'KILL'): Promise<boolean> {
    return this.runc.kill(rec.id, signal);
  }

  /** Deletes the container from runc, and so its cgroups. */
  protected override async releaseContainer(id: string): Promise<void> {
    await this.runc.delete(id);
  }

  /** conmons and containers runc knows that the records lost, the bridge, the node's cgroups and the CNI leases. */
  protected async removeLeftovers(): Promise<void> {
    for (const pid of strayMonitors(this.store.containersDir)) killPid(pid);
    for (const c of await this.runc.list()) {
      await this.runc.kill(c.id, 'KILL');
      await this.runc.delete(c.id).catch(() => undefined);
    }
    await this.network.removeBridge();
    await removeNodeCgroups(this.options.nodeName);
    await rm(this.network.dataDir, { recursive: true, force: true });
  }

  private sandboxPaths(s: SandboxRecord): SandboxPaths {
    const dir = this.store.sandboxDir(s.id);
    return {
      hostname: podHostname(s.config),
      netnsPath: netnsPath(s.netnsName),
      ipcNsPath: path.join(dir, 'ipc'),
      shmPath: path.join(dir, 'shm'),
      hostsPath: path.join(dir, 'hosts'),
      hostnamePath: path.join(dir, 'hostname'),
      resolvConfPath: path.join(dir, 'resolv.conf'),
    };
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
}

/** The host's resolv.conf, for pods without a DNS config ('' when it cannot be read). */
function readHostResolvConf(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
}
