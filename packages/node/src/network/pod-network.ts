// A pod's network: a named network namespace (loopback up) plugged into the node's bridge by the
// Debian CNI plugins (bridge + host-local IPAM over the node's pod CIDR; portmap for hostPorts).
// No masquerade: pod traffic is meant to stay on the machine.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { exec } from '../util/exec.js';
import { CniExecutor, type CniConfList, type CniResult, type CniRuntimeConf } from './cni.js';
import { addNetns, deleteNetns, disableHostIpv6, netnsExists, netnsPath, type TmpfsMount } from './netns.js';

export interface PodNetworkOptions {
  /** The node's name: names the CNI network (`wharf-<nodeName>`) and the host-local data dir. */
  readonly nodeName: string;
  /** IPv4 CIDR pod IPs are allocated from, e.g. `10.88.1.0/24`; the first address is the bridge's. */
  readonly podCIDR: string;
  /** Linux bridge of this node (at most 15 characters), e.g. `wharf0`. */
  readonly bridge: string;
  /** The node's state directory; host-local keeps its leases under `<stateDir>/cni`. */
  readonly stateDir: string;
  /** Where the CNI plugin binaries are. @default '/usr/lib/cni' */
  readonly cniBinDir?: string;
}

export interface PortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  /** @default 'tcp' */
  readonly protocol?: 'tcp' | 'udp' | 'sctp';
  /** Host address to bind; @default all addresses */
  readonly hostIP?: string;
}

/** What a pod needs from the network, and what tearDown needs to undo it. */
export interface PodNetworkRequest {
  /** CNI_CONTAINERID: the sandbox id. */
  readonly id: string;
  /** Name of the network namespace to create (`wharf-...`). */
  readonly netnsName: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly portMappings?: readonly PortMapping[];
  /** Also create the pod's IPC namespace, persisted at this file, in the same process. @default none */
  readonly ipcNsFile?: string;
  /** Also mount this tmpfs (the pod's /dev/shm) from the same process. @default none */
  readonly tmpfs?: TmpfsMount;
}

export interface PodNetworkStatus {
  readonly netnsPath: string;
  readonly ip: string;
  /** The CNI ADD result, kept for DEL and CHECK. */
  readonly result: CniResult;
}

/** The pod's network configuration or state is not what it should be. */
export class PodNetworkError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_POD_NETWORK';
  constructor(message: string) {
    super(message);
    this.name = 'PodNetworkError';
  }
}

export const DEFAULT_CNI_BIN_DIR = '/usr/lib/cni';

export class PodNetwork {
  private readonly cni: CniExecutor;
  readonly cniBinDir: string;

  constructor(private readonly options: PodNetworkOptions) {
    validateOptions(options);
    this.cniBinDir = options.cniBinDir ?? DEFAULT_CNI_BIN_DIR;
    this.cni = new CniExecutor(this.cniBinDir);
  }

  get dataDir(): string {
    return path.join(this.options.stateDir, 'cni');
  }

  /** The network configuration list for a pod: portmap only when it asks for host ports. */
  confList(portMappings: readonly PortMapping[] = []): CniConfList {
    const plugins: CniConfList['plugins'][number][] = [
      {
        type: 'bridge',
        bridge: this.options.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: this.options.podCIDR }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: path.join(this.dataDir, 'networks'),
        },
      },
    ];
    if (portMappings.length > 0) plugins.push({ type: 'portmap', capabilities: { portMappings: true }, snat: true });
    return { cniVersion: '1.0.0', name: `wharf-${this.options.nodeName}`, plugins };
  }

  /**
   * Creates the namespace (loopback up, IPv6 off; see addNetns) and runs CNI ADD, then turns IPv6
   * off on the host side too (the veth and the bridge the plugin made); a namespace left over from a
   * crash is torn down first.
   */
  async setUp(req: PodNetworkRequest): Promise<PodNetworkStatus> {
    await mkdir(this.dataDir, { recursive: true });
    if (netnsExists(req.netnsName)) await this.tearDown(req);
    const nsPath = await addNetns(req.netnsName, {
      ...(req.ipcNsFile ? { ipcNsFile: req.ipcNsFile } : {}),
      ...(req.tmpfs ? { tmpfs: req.tmpfs } : {}),
    });
    try {
      const result = await this.cni.addList(this.confList(req.portMappings), this.runtimeConf(req));
      for (const i of result.interfaces ?? []) if (!i.sandbox) disableHostIpv6(i.name);
      return { netnsPath: nsPath, ip: podIP(result), result };
    } catch (e) {
      await this.tearDown(req).catch(() => undefined);
      throw e;
    }
  }

  /** CNI CHECK against the ADD result (interfaces, addresses, routes still in place). */
  async check(req: PodNetworkRequest, result: CniResult): Promise<void> {
    if (!netnsExists(req.netnsName)) throw new PodNetworkError(`network namespace ${req.netnsName} is gone`);
    await this.cni.checkList(this.confList(req.portMappings), this.runtimeConf(req), result);
  }

  /** CNI DEL (releases the IP, removes port mappings) then deletes the namespace. Idempotent. */
  async tearDown(req: PodNetworkRequest, result?: CniResult): Promise<void> {
    let error: unknown;
    try {
      await this.cni.delList(this.confList(req.portMappings), this.runtimeConf(req), result);
    } catch (e) {
      error = e;
    }
    await deleteNetns(req.netnsName);
    if (error) throw error;
  }

  /** Deletes the node's bridge (after every pod is gone). */
  async removeBridge(): Promise<void> {
    await exec('ip', ['link', 'delete', this.options.bridge, 'type', 'bridge']);
  }

  private runtimeConf(req: PodNetworkRequest): CniRuntimeConf {
    return {
      containerId: req.id,
      netns: netnsPath(req.netnsName),
      ifName: 'eth0',
      args: { K8S_POD_NAMESPACE: req.podNamespace, K8S_POD_NAME: req.podName, K8S_POD_INFRA_CONTAINER_ID: req.id },
      runtimeConfig: {
        portMappings: (req.portMappings ?? []).map((p) => ({
          hostPort: p.hostPort,
          containerPort: p.containerPort,
          protocol: p.protocol ?? 'tcp',
          ...(p.hostIP ? { hostIP: p.hostIP } : {}),
        })),
      },
    };
  }
}

/** The pod IP: the first IPv4 address the result gives the sandbox's eth0. */
export function podIP(result: CniResult): string {
  const ifIndex = result.interfaces?.findIndex((i) => i.sandbox) ?? -1;
  const ip = result.ips?.find((a) => a.interface === ifIndex) ?? result.ips?.[0];
  if (!ip) throw new PodNetworkError('CNI result has no IP address');
  return ip.address.split('/')[0] ?? ip.address;
}

function validateOptions(o: PodNetworkOptions): void {
  if (!/^[a-zA-Z0-9][\w.-]{0,14}$/.test(o.bridge))
    throw new PodNetworkError(`'bridge' must be a Linux interface name of at most 15 characters, got "${o.bridge}"`);
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(o.podCIDR);
  if (!m || m.slice(1, 5).some((x) => Number(x) > 255) || Number(m[5]) > 30) {
    throw new PodNetworkError(`'podCIDR' must be an IPv4 CIDR with a prefix of at most /30, got "${o.podCIDR}"`);
  }
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.nodeName))
    throw new PodNetworkError(`'nodeName' must be a DNS subdomain, got "${o.nodeName}"`);
}
