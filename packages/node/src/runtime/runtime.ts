// What the node agent needs of a container runtime (CRI-shaped): pod sandboxes, containers, exec.
// Two implementations: PodRuntime (runc, CNI, one network namespace per pod) and ProcessRuntime
// (host processes, no isolation), both built on RecordedRuntime (recorded-runtime.ts). Both keep
// their state under a node state dir in the same layout (store.ts) and record their kind there, so
// `wharf reset` knows which one to use.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecStream, ExecStreamOptions } from './exec-stream.js';
import type { StdinSink } from './monitor.js';
import type { ContainerConfig, ContainerStatus, PodSandbox, PodSandboxConfig } from './types.js';

export type RuntimeKind = 'runc' | 'process';

export interface ExecSyncResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ContainerRuntime {
  readonly kind: RuntimeKind;
  /** nodeInfo.containerRuntimeVersion, e.g. `runc://1.1.12` or `process://wharf`. */
  version(): Promise<string>;
  /** Creates the state dirs; running containers are left as they are (re-adopted). */
  start(): Promise<void>;
  /** Containers keep running without the agent. */
  stop(): Promise<void>;

  runPodSandbox(config: PodSandboxConfig): Promise<PodSandbox>;
  podSandboxStatus(id: string): Promise<PodSandbox>;
  listPodSandboxes(): Promise<PodSandbox[]>;
  /** Kills the sandbox's containers and releases its network. Idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Stops the sandbox and removes its containers, files and logs. Idempotent. */
  removePodSandbox(id: string): Promise<void>;

  /** The container is then 'created'; its id is `<sandbox id>-<name>-<attempt>`. */
  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  /** Returns once the process runs; throws ContainerStartError when it could not start. */
  startContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus>;
  listContainers(filter?: { readonly sandboxId?: string }): Promise<ContainerStatus[]>;
  /** SIGTERM, up to `graceSeconds`, then SIGKILL. Returns once the process has exited. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  /** Kills the container if it runs and removes it and its log. Idempotent. */
  removeContainer(id: string): Promise<void>;

  execSync(id: string, cmd: readonly string[], timeoutSeconds?: number): Promise<ExecSyncResult>;
  execStream(id: string, cmd: readonly string[], opts?: ExecStreamOptions): Promise<ExecStream>;
  /** Sets the terminal size of a running container with `tty` (kubectl attach -t); no-op otherwise. */
  resizeContainerTerminal(id: string, width: number, height: number): Promise<void>;
  /** Connects to a running container's stdin (containers with `stdin`; kubectl attach -i). */
  openStdin(id: string): Promise<StdinSink>;

  /** Removes everything the runtime created for its state dir, running containers included. */
  reset(): Promise<void>;

  /**
   * Calls `listener` with the sandbox id soon after a container that containerStatus/listContainers
   * last saw running exits; answers the unsubscribe. Absent: exits are found only by polling.
   */
  onContainerExit?(listener: (sandboxId: string) => void): () => void;
}

/** `wharf-<first 16 hex digits of the pod UID>[-<attempt>]`: also the network namespace's name under runc. */
export function sandboxId(config: PodSandboxConfig): string {
  const hex = config.uid
    .toLowerCase()
    .replace(/[^0-9a-z]/g, '')
    .slice(0, 16);
  return `wharf-${hex}${config.attempt ? `-${config.attempt}` : ''}`;
}

const KIND_FILE = 'runtime';

/** Records which runtime owns a node state dir (written by each runtime's start()). */
export async function writeRuntimeKind(stateDir: string, kind: RuntimeKind): Promise<void> {
  await writeFile(path.join(stateDir, KIND_FILE), `${kind}\n`);
}

/** The runtime that last started on `stateDir`, or undefined when none recorded one. */
export async function readRuntimeKind(stateDir: string): Promise<RuntimeKind | undefined> {
  const text = (await readFile(path.join(stateDir, KIND_FILE), 'utf8').catch(() => '')).trim();
  return text === 'runc' || text === 'process' ? text : undefined;
}
