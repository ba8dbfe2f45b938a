// Linux capabilities of a container: containerd's default set, with securityContext add/drop
// applied in containerd's order (ALL first, then individual names), every capability only when
// privileged. "Every" means every one the agent itself holds (containerd's
// WithAllCurrentCapabilities): runc cannot grant what its caller lacks.
import { readFileSync } from 'node:fs';

/** The set containerd gives every non-privileged container. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability Linux knows (0..40, up to CAP_CHECKPOINT_RESTORE). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

export interface CapabilitiesSpec {
  /** Names as Kubernetes writes them (`NET_ADMIN`; `CAP_NET_ADMIN` and any case also accepted; `ALL`). */
  readonly add?: readonly string[];
  readonly drop?: readonly string[];
}

/** A capability name in securityContext is not a Linux capability. */
export class UnknownCapabilityError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_UNKNOWN_CAPABILITY';
  constructor(field: string, name: string) {
    super(`${field}: unknown capability "${name}"`);
    this.name = 'UnknownCapabilityError';
  }
}

/** The effective/permitted/bounding set for a container, sorted. `all` is what ALL and privileged mean. */
export function containerCapabilities(
  caps: CapabilitiesSpec | undefined,
  privileged = false,
  all: readonly string[] = ALL_CAPABILITIES,
): string[] {
  if (privileged) return [...all].sort();
  const add = normalize(caps?.add ?? [], 'securityContext.capabilities.add');
  const drop = normalize(caps?.drop ?? [], 'securityContext.capabilities.drop');
  let set = new Set(DEFAULT_CAPABILITIES);
  if (add.includes('ALL')) set = new Set(all);
  if (drop.includes('ALL')) set = new Set();
  for (const c of add) if (c !== 'ALL') set.add(c);
  for (const c of drop) if (c !== 'ALL') set.delete(c);
  return [...set].sort();
}

function normalize(names: readonly string[], field: string): string[] {
  return names.map((raw, i) => {
    const upper = raw.trim().toUpperCase();
    if (upper === 'ALL') return 'ALL';
    const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!ALL_CAPABILITIES.includes(name)) throw new UnknownCapabilityError(`${field}[${i}]`, raw);
    return name;
  });
}

/** The capabilities in this process's bounding set (from /proc/self/status). */
export function currentCapabilities(): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m?.[1]) return [...ALL_CAPABILITIES];
  const mask = BigInt(`0x${m[1]}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}
