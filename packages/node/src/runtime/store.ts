// The runtime's state on disk, under the node's state dir, so a restarted agent finds its pods:
//   run/                         runtime state, on a tmpfs the runc runtime mounts (as CRI-O keeps its
//                                own under /run): it outlives the agent, not the machine, like the
//                                containers and namespaces it describes; a file made there costs no
//                                disk inode (on ext4 each new one scans past every inode freed lately)
//     runc/                      runc --root
//     cni/                       host-local IP leases (network/pod-network.ts)
//     sandboxes/<id>/            sandbox.json, hosts, hostname, resolv.conf, ipc (bind-mounted
//                                IPC namespace), shm/ (tmpfs shared as /dev/shm)
//     containers/<id>/           container.json, config.json (OCI bundle), started.json, exit.json,
//                                pid, runc.log, and the monitor's files: conmon.pid, conmon.log,
//                                exits/<id>, attach, ctl (runc) or shim-config.json, shim.log,
//                                stdin.sock (process runtime)
//   layers/<id>/                 rootfs/ upper/ work/: the container's root filesystem, on disk (what
//                                a container writes is not held in memory)
//   runtime                      `runc` or `process`: the runtime that last started here (runtime.ts)
//   logs/<ns>_<pod>_<uid>/<container>/<attempt>.log   CRI logs, as /var/log/pods
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { CniResult } from '../network/cni.js';
import type { RootfsKind } from './rootfs.js';
import type { ContainerConfig, PodSandboxConfig, PodSandboxState } from './types.js';

export interface SandboxRecord {
  readonly id: string;
  readonly config: PodSandboxConfig;
  readonly state: PodSandboxState;
  readonly netnsName: string;
  readonly ip: string;
  readonly createdAt: string;
  readonly logDir: string;
  readonly cniResult?: CniResult;
}

export interface ContainerRecord {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly attempt: number;
  readonly createdAt: string;
  readonly logPath: string;
  readonly cgroupsPath: string;
  readonly rootfsKind?: RootfsKind;
  readonly config: ContainerConfig;
}

/**
 * The records, kept in memory once loaded (init() loads them all: only this store writes them), so a
 * pod's sync reads no JSON and lists no directory; every change is written through at once, so the
 * disk alone is enough for the next agent to adopt its pods. A store never init()ed (the metrics
 * collector's) reads a record from disk on first use.
 */
export class RuntimeStore {
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private loaded = false;

  /**
   * The state dir was laid out by an earlier build and still has pods: its records in `sandboxes/`
   * and `containers/` beside `runc/` and `cni/`, each container's root filesystem in its own dir.
   * It keeps that layout until they are gone (the next agent start after that uses run/): their
   * conmons hold attach sockets, control FIFOs and exit dirs there, which cannot move to another
   * filesystem under them, and their IP leases must stay where host-local looks.
   */
  readonly legacy: boolean;

  constructor(readonly stateDir: string) {
    this.legacy = ['sandboxes', 'containers'].some((d) => hasEntries(path.join(stateDir, d)));
  }

  /** The runtime state that lives as long as the machine's containers (see above). */
  get runDir(): string {
    return this.legacy ? this.stateDir : path.join(this.stateDir, 'run');
  }
  get runcRoot(): string {
    return path.join(this.runDir, 'runc');
  }
  get sandboxesDir(): string {
    return path.join(this.runDir, 'sandboxes');
  }
  get containersDir(): string {
    return path.join(this.runDir, 'containers');
  }
  get layersDir(): string {
    return path.join(this.stateDir, 'layers');
  }
  get logsDir(): string {
    return path.join(this.stateDir, 'logs');
  }
  /** Every dir of the layout, for init() and reset(). */
  get dirs(): string[] {
    return [
      this.runcRoot,
      this.sandboxesDir,
      this.containersDir,
      ...(this.legacy ? [] : [this.layersDir]),
      this.logsDir,
    ];
  }
  sandboxDir(id: string): string {
    return path.join(this.sandboxesDir, id);
  }
  containerDir(id: string): string {
    return path.join(this.containersDir, id);
  }
  /** Where container `id`'s root filesystem is laid out (rootfs.ts): its own dir in the legacy layout. */
  layerDir(id: string): string {
    return this.legacy ? this.containerDir(id) : path.join(this.layersDir, id);
  }

  /** Creates the state dirs and loads every record in them. */
  async init(): Promise<void> {
    for (const d of this.dirs) await mkdir(d, { recursive: true, mode: 0o700 });
    this.sandboxes.clear();
    this.containers.clear();
    for (const id of await this.sandboxIds()) {
      const rec = readJsonSync<SandboxRecord>(path.join(this.sandboxDir(id), 'sandbox.json'));
      if (rec) this.sandboxes.set(id, rec);
    }
    for (const id of await this.containerIds()) {
      const rec = readJsonSync<ContainerRecord>(path.join(this.containerDir(id), 'container.json'));
      if (rec) this.containers.set(id, rec);
    }
    this.loaded = true;
  }

  async readSandbox(id: string): Promise<SandboxRecord | undefined> {
    if (this.loaded) return this.sandboxes.get(id);
    return readJsonSync<SandboxRecord>(path.join(this.sandboxDir(id), 'sandbox.json'));
  }
  async writeSandbox(rec: SandboxRecord): Promise<void> {
    writeJsonSync(path.join(this.sandboxDir(rec.id), 'sandbox.json'), rec);
    this.sandboxes.set(rec.id, rec);
  }
  /** Forgets a removed sandbox's record. */
  forgetSandbox(id: string): void {
    this.sandboxes.delete(id);
  }
  /** Every sandbox record (loaded: from memory). */
  async sandboxRecords(): Promise<SandboxRecord[]> {
    if (this.loaded) return [...this.sandboxes.values()];
    const out: SandboxRecord[] = [];
    for (const id of await this.sandboxIds()) {
      const rec = await this.readSandbox(id);
      if (rec) out.push(rec);
    }
    return out;
  }
  async readContainer(id: string): Promise<ContainerRecord | undefined> {
    const cached = this.containers.get(id);
    if (cached || this.loaded) return cached;
    const rec = readJsonSync<ContainerRecord>(path.join(this.containerDir(id), 'container.json'));
    if (rec) this.containers.set(id, rec);
    return rec;
  }
  async writeContainer(rec: ContainerRecord): Promise<void> {
    writeJsonSync(path.join(this.containerDir(rec.id), 'container.json'), rec);
    this.containers.set(rec.id, rec);
  }
  /** Forgets a removed container's record. */
  forgetContainer(id: string): void {
    this.containers.delete(id);
  }
  /** The container records, all or a sandbox's (loaded: from memory). */
  async containerRecords(sandboxId?: string): Promise<ContainerRecord[]> {
    const ids = this.loaded ? [...this.containers.keys()] : await this.containerIds();
    const out: ContainerRecord[] = [];
    // Container ids start with their sandbox's id: a pod's sync reads only its own records.
    for (const id of ids) {
      if (sandboxId && !id.startsWith(`${sandboxId}-`)) continue;
      const rec = await this.readContainer(id);
      if (rec && (!sandboxId || rec.sandboxId === sandboxId)) out.push(rec);
    }
    return out;
  }
  /** The sandbox dirs on disk, with a record or not (a crash may leave one without). */
  sandboxIds(): Promise<string[]> {
    return readdir(this.sandboxesDir).catch(() => [] as string[]);
  }
  /** The container dirs on disk, with a record or not. */
  containerIds(): Promise<string[]> {
    return readdir(this.containersDir).catch(() => [] as string[]);
  }
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  return readJsonSync<T>(file);
}

/**
 * The runtime's files are small and on local disk: one synchronous call each costs less CPU than
 * fs/promises' round trips through the thread pool (open, fstat, read, close each a task and a promise).
 */
export function readJsonSync<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Write-then-rename, so a crash never leaves a half-written record. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  writeJsonSync(file, value);
}

export function writeJsonSync(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value));
  renameSync(`${file}.tmp`, file);
}

function hasEntries(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
