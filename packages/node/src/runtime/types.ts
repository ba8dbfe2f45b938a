// The runtime's nouns, shaped after the CRI (PodSandbox, Container) but with Kubernetes names for
// the fields that come straight from a pod spec.
import type { PortMapping } from '../network/pod-network.js';

export interface DnsConfig {
  readonly servers: readonly string[];
  readonly searches?: readonly string[];
  readonly options?: readonly string[];
}

export interface PodSandboxConfig {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  /** Bumped when the sandbox of the same pod is recreated. @default 0 */
  readonly attempt?: number;
  /** @default the pod name */
  readonly hostname?: string;
  /** Written to the pod's /etc/resolv.conf. @default the host's /etc/resolv.conf */
  readonly dns?: DnsConfig;
  /** hostPort mappings (CNI portmap). @default none */
  readonly portMappings?: readonly PortMapping[];
  /** Extra /etc/hosts entries (pod.spec.hostAliases). @default none */
  readonly hostAliases?: readonly { readonly ip: string; readonly hostnames: readonly string[] }[];
}

export type PodSandboxState = 'ready' | 'notready';

export interface PodSandbox {
  readonly id: string;
  readonly config: PodSandboxConfig;
  readonly state: PodSandboxState;
  readonly netnsName: string;
  readonly netnsPath: string;
  readonly ip: string;
  readonly createdAt: string;
  /** Directory of the pod's CRI log files (`<container>/<attempt>.log`). */
  readonly logDir: string;
}

export interface SecurityContext {
  readonly runAsUser?: number;
  /** @default 0 */
  readonly runAsGroup?: number;
  readonly supplementalGroups?: readonly number[];
  readonly readOnlyRootFilesystem?: boolean;
  readonly privileged?: boolean;
  /** no_new_privs is set unless this is true (or privileged). Kubernetes' own default is true. @default false */
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
}

export interface ContainerResources {
  readonly memoryLimitBytes?: number;
  /** CPU limit in milli-CPUs → CFS quota per 100 ms. */
  readonly cpuLimitMillis?: number;
  /** CPU request in milli-CPUs → cpu.shares. @default 2 shares */
  readonly cpuRequestMillis?: number;
  readonly pidsLimit?: number;
}

export interface BindMount {
  readonly hostPath: string;
  readonly containerPath: string;
  /** @default false */
  readonly readOnly?: boolean;
}

export interface ContainerConfig {
  /** The container's name in the pod (DNS label). */
  readonly name: string;
  /** Restart count: a new attempt is a new container with a new log file. @default 0 */
  readonly attempt?: number;
  /** The image's root filesystem, never written: each container gets an overlay (or a copy) of it. */
  readonly rootfs: string;
  /** The full argv (entrypoint/command and args already resolved, see resolveArgs). */
  readonly args: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  /** @default '/' */
  readonly workingDir?: string;
  readonly securityContext?: SecurityContext;
  readonly resources?: ContainerResources;
  /** Volumes, bind-mounted in this order. @default none */
  readonly mounts?: readonly BindMount[];
  /** Keep stdin open for `attach -i` (the container's `stdin`). @default false */
  readonly stdin?: boolean;
  /** Close stdin when the first attach ends (the container's `stdinOnce`). @default false */
  readonly stdinOnce?: boolean;
  /** Run on a terminal (the container's `tty`): stdout and stderr are one stream. @default false */
  readonly tty?: boolean;
}

export type ContainerState = 'created' | 'running' | 'exited';
export type ContainerReason = 'OOMKilled' | 'Error' | 'Completed' | 'StartError';

export interface ContainerStatus {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly attempt: number;
  readonly state: ContainerState;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly exitCode?: number;
  readonly reason?: ContainerReason;
  readonly message?: string;
  /** Host PID of the container's main process while running. */
  readonly pid?: number;
  readonly logPath: string;
  /** Unix socket that feeds the running container's stdin (containers with `stdin`). */
  readonly stdinSocket?: string;
  /** The container runs on a terminal (its config's `tty`). */
  readonly tty?: boolean;
}
