// One scrape of a node: the node's CPU and memory, and for each running container its cgroup
// stats, writable-layer disk usage and its pod's network counters. Containers without cgroup
// directories, pods without their own network namespace (another runtime, host network) simply
// lack those parts; a scrape never throws for one container.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { containerCgroupsPath } from '../runtime/cgroups.js';
import { RuntimeStore } from '../runtime/store.js';
import type { ContainerStatus, PodSandbox } from '../runtime/types.js';
import { readCgroupStats, type CgroupStats } from './cgroup-stats.js';
import { DiskUsageCache, filesystemOf, type FsInfo } from './fs-usage.js';
import { volumeStats, type ClaimVolume, type VolumeStat } from './volume-stats.js';
import {
  readNodeCpuSeconds,
  readNodeMemory,
  readPodInterfaces,
  type InterfaceStats,
  type NodeMemory,
} from './host-stats.js';

/** What the collector needs of a container runtime. */
export interface MetricsRuntime {
  listPodSandboxes(): Promise<readonly PodSandbox[]>;
  listContainers(): Promise<readonly ContainerStatus[]>;
}

export interface MetricsCollectorOptions {
  readonly nodeName: string;
  readonly runtime: MetricsRuntime;
  /** The runtime's state dir (container records and writable layers under `containers/`). */
  readonly stateDir: string;
  /** The image a pod's container was started from (cAdvisor's `image` label). @default none ("") */
  readonly imageOf?: (namespace: string, pod: string, container: string) => string | undefined;
  /** @default Date.now */
  readonly clock?: () => number;
  /** Reads a cgroup's stats. @default readCgroupStats under /sys/fs/cgroup */
  readonly readCgroup?: (cgroupsPath: string) => Promise<CgroupStats>;
  /** How long a writable layer's disk usage is reused. @default 10000 */
  readonly diskUsageMaxAgeMs?: number;
  /** The claims the node's pods mount, with their directories (kubelet_volume_stats_*). @default none */
  readonly claimVolumes?: () => readonly ClaimVolume[];
}

export interface PodRef {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

export interface ContainerSample {
  readonly id: string;
  readonly name: string;
  readonly pod: PodRef;
  readonly sandboxId: string;
  readonly cgroupsPath: string;
  readonly image: string;
  /** Seconds since the epoch. */
  readonly startTime?: number;
  readonly stats: CgroupStats;
  readonly writableLayerBytes?: number;
  /** Milliseconds since the epoch, when the stats were read. */
  readonly at: number;
}

export interface PodSample {
  readonly pod: PodRef;
  readonly sandboxId: string;
  readonly containers: readonly ContainerSample[];
  /** The pod's own network namespace's interfaces (without lo). */
  readonly interfaces?: readonly InterfaceStats[];
  readonly at: number;
}

export interface NodeSample {
  readonly nodeName: string;
  readonly cpuSeconds?: number;
  readonly memory?: NodeMemory;
  readonly cpuCount: number;
  /** The filesystem holding the writable layers. */
  readonly fs?: FsInfo;
  readonly pods: readonly PodSample[];
  /** Listing the runtime's containers failed. */
  readonly scrapeError: boolean;
  /** The mounted claims' usage. @default none */
  readonly volumes?: readonly VolumeStat[];
  readonly at: number;
}

export class MetricsCollector {
  private readonly store: RuntimeStore;
  private readonly disk: DiskUsageCache;
  private readonly clock: () => number;
  private readonly readCgroup: (cgroupsPath: string) => Promise<CgroupStats>;

  constructor(private readonly o: MetricsCollectorOptions) {
    this.store = new RuntimeStore(o.stateDir);
    this.clock = o.clock ?? Date.now;
    this.disk = new DiskUsageCache(o.diskUsageMaxAgeMs ?? 10_000, this.clock);
    this.readCgroup = o.readCgroup ?? ((p) => readCgroupStats(p));
  }

  async collect(): Promise<NodeSample> {
    const [cpuSeconds, memory, fs, listed] = await Promise.all([
      readNodeCpuSeconds(),
      readNodeMemory(),
      filesystemOf(this.store.layersDir),
      Promise.all([this.o.runtime.listPodSandboxes(), this.o.runtime.listContainers()]).catch(() => undefined),
    ]);
    const at = this.clock();
    const base = {
      nodeName: this.o.nodeName,
      cpuCount: availableParallelism(),
      at,
      ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
      ...(memory ? { memory } : {}),
      ...(fs ? { fs } : {}),
    };
    const claims = this.o.claimVolumes?.() ?? [];
    const volumes = claims.length ? await volumeStats(claims, this.disk) : [];
    if (!listed) return { ...base, pods: [], scrapeError: true, volumes };
    const [sandboxes, containers] = listed;
    const running = containers.filter((c) => c.state === 'running');
    const pods: PodSample[] = [];
    const layers = new Set<string>();
    for (const sandbox of sandboxes) {
      const mine = running.filter((c) => c.sandboxId === sandbox.id);
      if (mine.length === 0) continue;
      const pod: PodRef = { name: sandbox.config.name, namespace: sandbox.config.namespace, uid: sandbox.config.uid };
      const samples = await Promise.all(mine.map((c) => this.container(c, sandbox, pod, layers)));
      const pid = mine.find((c) => c.pid)?.pid;
      const interfaces = pid ? await readPodInterfaces(pid) : undefined;
      pods.push({
        pod,
        sandboxId: sandbox.id,
        containers: samples,
        ...(interfaces ? { interfaces } : {}),
        at: this.clock(),
      });
    }
    for (const c of claims) layers.add(c.dir);
    this.disk.retain(layers);
    return { ...base, pods, scrapeError: false, volumes };
  }

  private async container(
    c: ContainerStatus,
    sandbox: PodSandbox,
    pod: PodRef,
    layers: Set<string>,
  ): Promise<ContainerSample> {
    const rec = await this.store.readContainer(c.id).catch(() => undefined);
    const cgroupsPath = rec?.cgroupsPath ?? containerCgroupsPath(this.o.nodeName, c.id);
    const stats = await this.readCgroup(cgroupsPath).catch(() => ({}) as CgroupStats);
    const at = this.clock();
    // The overlay's upper dir holds what the container wrote; a copied rootfs is all its own.
    const layer = rec?.rootfsKind === 'overlay' ? 'upper' : rec?.rootfsKind === 'copy' ? 'rootfs' : undefined;
    let writableLayerBytes: number | undefined;
    if (layer) {
      const dir = path.join(this.store.layerDir(c.id), layer);
      layers.add(dir);
      writableLayerBytes = await this.disk.usage(dir);
    }
    const started = c.startedAt ? Date.parse(c.startedAt) : NaN;
    return {
      id: c.id,
      name: c.name,
      pod,
      sandboxId: sandbox.id,
      cgroupsPath,
      image: this.o.imageOf?.(pod.namespace, pod.name, c.name) ?? '',
      ...(Number.isNaN(started) ? {} : { startTime: started / 1000 }),
      stats,
      ...(writableLayerBytes === undefined ? {} : { writableLayerBytes }),
      at,
    };
  }
}
