// The Node object the agent registers and keeps current: capacity from the machine, labels,
// addresses, nodeInfo and the four conditions; plus the Lease in kube-node-lease it renews as
// its heartbeat.
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import os from 'node:os';

export interface NodeFacts {
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly memoryAvailableBytes: number;
  readonly diskBytes: number;
  readonly diskAvailableBytes: number;
  readonly osImage: string;
  readonly kernelVersion: string;
  readonly arch: string;
  /** nodeInfo.containerRuntimeVersion (the runtime's version()). */
  readonly containerRuntimeVersion: string;
  readonly hostname: string;
  readonly bootID: string;
  readonly machineID: string;
}

/** nodeInfo.kubeletVersion of an agent started for Kubernetes `version` (X.Y.Z): `vX.Y.Z-wharf`. */
export const kubeletVersionFor = (version: string): string => `v${version}-wharf`;
/** What an agent reports when nobody says which Kubernetes version it serves. */
export const KUBELET_VERSION = kubeletVersionFor('1.32.0');
/** Reserved as the kubelet's default hard eviction thresholds (memory.available, nodefs.available). */
const MEMORY_RESERVED = 100 * 1024 * 1024;
const DISK_RESERVED_FRACTION = 0.1;

export async function nodeFacts(stateDir: string, containerRuntimeVersion: string): Promise<NodeFacts> {
  const fs = await statfs(stateDir);
  const osRelease = readText('/etc/os-release');
  return {
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    memoryAvailableBytes: memAvailable() ?? os.freemem(),
    diskBytes: fs.blocks * fs.bsize,
    diskAvailableBytes: fs.bavail * fs.bsize,
    osImage: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? 'Linux',
    kernelVersion: os.release(),
    arch:
      ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[
        process.arch
      ] ?? process.arch,
    containerRuntimeVersion,
    hostname: os.hostname(),
    bootID: readText('/proc/sys/kernel/random/boot_id').trim(),
    machineID: readText('/etc/machine-id').trim(),
  };
}

export interface NodeSpecInput {
  readonly nodeName: string;
  readonly zone?: string;
  readonly podCIDR: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export function nodeObject(i: NodeSpecInput, facts: NodeFacts): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: i.nodeName,
      labels: {
        'kubernetes.io/hostname': i.nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': facts.arch,
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': facts.arch,
        ...(i.zone ? { 'topology.kubernetes.io/zone': i.zone } : {}),
        ...i.labels,
      },
    },
    spec: { podCIDR: i.podCIDR, podCIDRs: [i.podCIDR] },
  };
}

export interface NodeStatusInput {
  readonly nodeName: string;
  readonly facts: NodeFacts;
  readonly logsPort: number;
  /** Where pods reach the node's kubelet port (127.0.0.1 when they do not). */
  readonly internalIP: string;
  /** Conditions as last written, to keep lastTransitionTime. */
  readonly previous?: readonly Record<string, unknown>[];
  readonly now: string;
  /** nodeInfo.kubeletVersion (kubeletVersionFor). */
  readonly kubeletVersion: string;
}

export function nodeStatus(i: NodeStatusInput): Record<string, unknown> {
  const f = i.facts;
  const capacity = {
    cpu: String(f.cpus),
    memory: `${Math.floor(f.memoryBytes / 1024)}Ki`,
    pods: '110',
    'ephemeral-storage': `${Math.floor(f.diskBytes / 1024)}Ki`,
  };
  const allocatable = {
    cpu: String(f.cpus),
    memory: `${Math.floor(Math.max(0, f.memoryBytes - MEMORY_RESERVED) / 1024)}Ki`,
    pods: '110',
    'ephemeral-storage': String(Math.floor(f.diskBytes * (1 - DISK_RESERVED_FRACTION))),
  };
  const memoryPressure = f.memoryAvailableBytes < MEMORY_RESERVED;
  const diskPressure = f.diskAvailableBytes < f.diskBytes * DISK_RESERVED_FRACTION;
  const cond = (type: string, status: boolean, reason: string, message: string): Record<string, unknown> => {
    const s = status ? 'True' : 'False';
    const prev = i.previous?.find((c) => c.type === type);
    return {
      type,
      status: s,
      lastHeartbeatTime: i.now,
      lastTransitionTime: prev?.status === s ? (prev.lastTransitionTime ?? i.now) : i.now,
      reason,
      message,
    };
  };
  return {
    capacity,
    allocatable,
    conditions: [
      cond(
        'MemoryPressure',
        memoryPressure,
        memoryPressure ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory',
        memoryPressure ? 'kubelet has insufficient memory available' : 'kubelet has sufficient memory available',
      ),
      cond(
        'DiskPressure',
        diskPressure,
        diskPressure ? 'KubeletHasDiskPressure' : 'KubeletHasNoDiskPressure',
        diskPressure ? 'kubelet has disk pressure' : 'kubelet has no disk pressure',
      ),
      cond('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      cond('Ready', true, 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: i.internalIP },
      { type: 'Hostname', address: i.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: i.logsPort } },
    nodeInfo: {
      machineID: f.machineID,
      systemUUID: f.machineID,
      bootID: f.bootID,
      kernelVersion: f.kernelVersion,
      osImage: f.osImage,
      containerRuntimeVersion: f.containerRuntimeVersion,
      kubeletVersion: i.kubeletVersion,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: f.arch,
    },
  };
}

/** MicroTime: RFC 3339 with microseconds, as Lease.spec.renewTime is serialized. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * How long to wait before renewing the Lease again after `failures` failed renewals in a row: 200 ms,
 * doubling up to 7 s, as the kubelet's lease controller backs off. Not the renewal period: a node is seen
 * alive again soon after its API server answers again (a control plane restarted for an upgrade).
 */
export function leaseRetryMs(failures: number): number {
  return Math.min(7_000, 100 * 2 ** Math.max(1, Math.min(failures, 7)));
}

export function leaseObject(
  nodeName: string,
  nodeUid: string | undefined,
  durationSeconds: number,
  now: Date,
): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) },
  };
}

function memAvailable(): number | undefined {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readText('/proc/meminfo'));
  return m ? Number(m[1]) * 1024 : undefined;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
