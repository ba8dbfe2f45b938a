// Builds a container's OCI runtime config.json (runtime-spec 1.0) with containerd's defaults:
// its mounts, masked and read-only paths, capabilities and device rules. Pure: no I/O.
import { containerCapabilities } from './capabilities.js';
import { CPU_PERIOD_US, milliCpuToQuota, milliCpuToShares } from './cgroups.js';
import type { ContainerConfig } from './types.js';

export interface OciMount {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options?: readonly string[];
}

/** The subset of the OCI runtime spec Wharf writes. */
export interface OciSpec {
  readonly ociVersion: string;
  readonly process: {
    readonly terminal: boolean;
    readonly user: { readonly uid: number; readonly gid: number; readonly additionalGids?: readonly number[] };
    readonly args: readonly string[];
    readonly env: readonly string[];
    readonly cwd: string;
    readonly capabilities: Readonly<Record<'bounding' | 'effective' | 'permitted', readonly string[]>>;
    readonly noNewPrivileges: boolean;
  };
  readonly root: { readonly path: string; readonly readonly: boolean };
  readonly hostname: string;
  readonly mounts: readonly OciMount[];
  readonly linux: {
    readonly namespaces: readonly { readonly type: string; readonly path?: string }[];
    readonly cgroupsPath: string;
    readonly resources: Record<string, unknown>;
    readonly maskedPaths?: readonly string[];
    readonly readonlyPaths?: readonly string[];
  };
}

/** Where a container's sandbox-provided pieces are on the host. */
export interface SandboxPaths {
  readonly hostname: string;
  readonly netnsPath: string;
  readonly ipcNsPath: string;
  readonly shmPath: string;
  readonly hostsPath: string;
  readonly hostnamePath: string;
  readonly resolvConfPath: string;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** containerd's defaults: hidden from containers unless privileged. */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/** A container config cannot be turned into a runtime spec; names the field. */
export class InvalidContainerConfigError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_INVALID_CONTAINER_CONFIG';
  constructor(field: string, problem: string) {
    super(`'${field}' ${problem}`);
    this.name = 'InvalidContainerConfigError';
  }
}

/** `allCapabilities`: what privileged and `add: [ALL]` grant (the agent's own bounding set). */
export function buildOciSpec(
  c: ContainerConfig,
  sandbox: SandboxPaths,
  cgroupsPath: string,
  allCapabilities?: readonly string[],
): OciSpec {
  validate(c);
  const sc = c.securityContext ?? {};
  const privileged = sc.privileged === true;
  const readOnlyRoot = sc.readOnlyRootFilesystem === true;
  const caps = containerCapabilities(sc.capabilities, privileged, allCapabilities);
  const env = mergeEnv([
    { name: 'PATH', value: DEFAULT_PATH },
    { name: 'HOSTNAME', value: sandbox.hostname },
    // As containerd sets it for a TTY.
    ...(c.tty ? [{ name: 'TERM', value: 'xterm' }] : []),
    ...(c.env ?? []),
  ]);
  return {
    ociVersion: '1.0.2',
    process: {
      // A TTY container's console is made by runc and handed to conmon (conmon -t, its console socket).
      terminal: c.tty === true,
      user: {
        uid: sc.runAsUser ?? 0,
        gid: sc.runAsGroup ?? 0,
        ...(sc.supplementalGroups?.length ? { additionalGids: [...sc.supplementalGroups] } : {}),
      },
      args: [...c.args],
      env,
      cwd: c.workingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: !(privileged || sc.allowPrivilegeEscalation === true),
    },
    root: { path: 'rootfs', readonly: readOnlyRoot },
    hostname: sandbox.hostname,
    mounts: [...defaultMounts(privileged), ...sandboxMounts(sandbox, readOnlyRoot), ...userMounts(c)],
    linux: {
      namespaces: [
        { type: 'pid' },
        { type: 'ipc', path: sandbox.ipcNsPath },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'network', path: sandbox.netnsPath },
      ],
      cgroupsPath,
      resources: resources(c, privileged),
      ...(privileged ? {} : { maskedPaths: MASKED_PATHS, readonlyPaths: READONLY_PATHS }),
    },
  };
}

/** The spec with `mount` first (the root overlay: runc mounts it on root.path before every other mount). */
export function withRootMount(spec: OciSpec, mount: OciMount): OciSpec {
  return { ...spec, mounts: [mount, ...spec.mounts] };
}

/** Kubernetes' rule for the argv: command replaces the image entrypoint (and drops its cmd), args replace cmd. */
export function resolveArgs(
  image: { readonly entrypoint?: readonly string[]; readonly cmd?: readonly string[] },
  container: { readonly command?: readonly string[]; readonly args?: readonly string[] },
): string[] {
  const entry = container.command?.length ? container.command : (image.entrypoint ?? []);
  const args = container.args?.length ? container.args : container.command?.length ? [] : (image.cmd ?? []);
  return [...entry, ...args];
}

function defaultMounts(privileged: boolean): OciMount[] {
  const sysOpts = ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: sysOpts },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...sysOpts, 'relatime'] },
  ];
}

function sandboxMounts(s: SandboxPaths, readOnlyRoot: boolean): OciMount[] {
  const mode = readOnlyRoot ? 'ro' : 'rw';
  return [
    { destination: '/dev/shm', type: 'bind', source: s.shmPath, options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/etc/hosts', type: 'bind', source: s.hostsPath, options: ['rbind', 'rprivate', mode] },
    { destination: '/etc/hostname', type: 'bind', source: s.hostnamePath, options: ['rbind', 'rprivate', mode] },
    { destination: '/etc/resolv.conf', type: 'bind', source: s.resolvConfPath, options: ['rbind', 'rprivate', mode] },
  ];
}

function userMounts(c: ContainerConfig): OciMount[] {
  return (c.mounts ?? []).map((m) => ({
    destination: m.containerPath,
    type: 'bind',
    source: m.hostPath,
    options: ['rbind', 'rprivate', m.readOnly ? 'ro' : 'rw'],
  }));
}

function resources(c: ContainerConfig, privileged: boolean): Record<string, unknown> {
  const r = c.resources ?? {};
  const out: Record<string, unknown> = {
    devices: [{ allow: privileged, access: 'rwm' }],
    cpu: {
      shares: milliCpuToShares(r.cpuRequestMillis),
      ...(r.cpuLimitMillis ? { quota: milliCpuToQuota(r.cpuLimitMillis), period: CPU_PERIOD_US } : {}),
    },
  };
  if (r.memoryLimitBytes) out.memory = { limit: r.memoryLimitBytes };
  if (r.pidsLimit) out.pids = { limit: r.pidsLimit };
  return out;
}

/** Later entries win, keeping the first position of each name (as the kubelet merges env). */
function mergeEnv(vars: readonly { name: string; value: string }[]): string[] {
  const m = new Map<string, string>();
  for (const v of vars) m.set(v.name, v.value);
  return [...m].map(([k, v]) => `${k}=${v}`);
}

function validate(c: ContainerConfig): void {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(c.name))
    throw new InvalidContainerConfigError('name', `must be a DNS label, got "${c.name}"`);
  if (c.args.length === 0)
    throw new InvalidContainerConfigError('args', 'must not be empty (no command and the image has no entrypoint)');
  if (c.workingDir && !c.workingDir.startsWith('/'))
    throw new InvalidContainerConfigError('workingDir', 'must be an absolute path');
  c.env?.forEach((e, i) => {
    if (!e.name || e.name.includes('='))
      throw new InvalidContainerConfigError(`env[${i}].name`, `is not a valid variable name: "${e.name}"`);
  });
  c.mounts?.forEach((m, i) => {
    if (!m.containerPath.startsWith('/'))
      throw new InvalidContainerConfigError(`mounts[${i}].containerPath`, 'must be an absolute path');
    if (!m.hostPath.startsWith('/'))
      throw new InvalidContainerConfigError(`mounts[${i}].hostPath`, 'must be an absolute path');
  });
  const r = c.resources ?? {};
  for (const k of ['memoryLimitBytes', 'cpuLimitMillis', 'cpuRequestMillis', 'pidsLimit'] as const) {
    const v = r[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0))
      throw new InvalidContainerConfigError(`resources.${k}`, `must be a non-negative integer, got ${v}`);
  }
  for (const k of ['runAsUser', 'runAsGroup'] as const) {
    const v = c.securityContext?.[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0))
      throw new InvalidContainerConfigError(`securityContext.${k}`, `must be a non-negative integer, got ${v}`);
  }
}
