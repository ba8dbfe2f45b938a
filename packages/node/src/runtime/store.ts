// The runtime's state on disk, under the node's state dir, so a restarted agent finds its pods:
//   runc/                      runc --root
//   cni/                       host-local IP leases
//   runtime                    `runc` or `process`: the runtime that last started here (runtime.ts)
//   sandboxes/<id>/            sandbox.json, hosts, hostname, resolv.conf, ipc (bind-mounted
//                              IPC namespace), shm/ (tmpfs shared as /dev/shm)
//   containers/<id>/           container.json, config.json (OCI bundle), rootfs/ upper/ work/,
//                              started.json, exit.json, pid, runc.log, and the monitor's files:
//                              conmon.pid, conmon.log, exits/<id>, attach, ctl (runc) or
//                              shim-config.json, shim.log, stdin.sock (process runtime)
//   logs/<ns>_<pod>_<uid>/<container>/<attempt>.log   CRI logs, as /var/log/pods
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
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

export class RuntimeStore {
  private readonly containers = new Map<string, ContainerRecord>();

  constructor(readonly stateDir: string) {}

  get runcRoot(): string {
    return path.join(this.stateDir, 'runc');
  }
  get sandboxesDir(): string {
    return path.join(this.stateDir, 'sandboxes');
  }
  get containersDir(): string {
    return path.join(this.stateDir, 'containers');
  }
  get logsDir(): string {
    return path.join(this.stateDir, 'logs');
  }
  sandboxDir(id: string): string {
    return path.join(this.sandboxesDir, id);
  }
  containerDir(id: string): string {
    return path.join(this.containersDir, id);
  }

  async init(): Promise<void> {
    for (const d of [this.runcRoot, this.sandboxesDir, this.containersDir, this.logsDir])
      await mkdir(d, { recursive: true, mode: 0o700 });
  }

  readSandbox(id: string): Promise<SandboxRecord | undefined> {
    return readJson<SandboxRecord>(path.join(this.sandboxDir(id), 'sandbox.json'));
  }
  writeSandbox(rec: SandboxRecord): Promise<void> {
    return writeJson(path.join(this.sandboxDir(rec.id), 'sandbox.json'), rec);
  }
  /**
   * A container's record; kept in memory once read (only this store writes it), so a pod's sync every second reads no
   * JSON.
   */
  async readContainer(id: string): Promise<ContainerRecord | undefined> {
    const cached = this.containers.get(id);
    if (cached) return cached;
    const rec = await readJson<ContainerRecord>(path.join(this.containerDir(id), 'container.json'));
    if (rec) this.containers.set(id, rec);
    return rec;
  }
  async writeContainer(rec: ContainerRecord): Promise<void> {
    await writeJson(path.join(this.containerDir(rec.id), 'container.json'), rec);
    this.containers.set(rec.id, rec);
  }
  /** Forgets a removed container's record. */
  forgetContainer(id: string): void {
    this.containers.delete(id);
  }
  sandboxIds(): Promise<string[]> {
    return readdir(this.sandboxesDir).catch(() => [] as string[]);
  }
  containerIds(): Promise<string[]> {
    return readdir(this.containersDir).catch(() => [] as string[]);
  }
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Write-then-rename, so a crash never leaves a half-written record. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(value, null, 1));
  await rename(`${file}.tmp`, file);
}
