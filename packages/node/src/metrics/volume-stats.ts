// The kubelet's kubelet_volume_stats_* families on its /metrics page: one series per
// PersistentVolumeClaim mounted by a pod of this node (labels namespace, persistentvolumeclaim),
// as kube-prometheus' KubePersistentVolumeFillingUp alerts read them. Capacity, available bytes and
// inodes come from the volume directory's filesystem (statfs, as the kubelet's MetricsStatFS);
// used bytes are what the volume's own directory holds (a walk, as MetricsDu), so a node-local
// volume sharing the node's disk reports its own data, not the disk's.
import { statfs } from 'node:fs/promises';
import type { MetricFamily, Sample } from './exposition.js';
import type { DiskUsageCache } from './fs-usage.js';

/** A claim mounted by a pod of the node, and the node directory its pod volume is. */
export interface ClaimVolume {
  readonly namespace: string;
  readonly claim: string;
  readonly dir: string;
}

export interface VolumeStat {
  readonly namespace: string;
  readonly claim: string;
  readonly capacityBytes: number;
  readonly availableBytes: number;
  readonly usedBytes: number;
  readonly inodes: number;
  readonly inodesFree: number;
  readonly inodesUsed: number;
}

/** Stats of each claim (once per claim, however many pods mount it); unreadable directories are skipped. */
export async function volumeStats(
  volumes: readonly ClaimVolume[],
  disk: Pick<DiskUsageCache, 'usage'>,
): Promise<VolumeStat[]> {
  const byClaim = new Map<string, ClaimVolume>();
  for (const v of volumes) byClaim.set(`${v.namespace}/${v.claim}`, v);
  const out: VolumeStat[] = [];
  for (const v of byClaim.values()) {
    const [fs, used] = await Promise.all([statfs(v.dir).catch(() => undefined), disk.usage(v.dir)]);
    if (!fs || used === undefined) continue;
    out.push({
      namespace: v.namespace,
      claim: v.claim,
      capacityBytes: fs.blocks * fs.bsize,
      availableBytes: fs.bavail * fs.bsize,
      usedBytes: used,
      inodes: fs.files,
      inodesFree: fs.ffree,
      inodesUsed: fs.files - fs.ffree,
    });
  }
  return out;
}

const FAMILIES: readonly [string, string, keyof VolumeStat][] = [
  ['kubelet_volume_stats_capacity_bytes', 'Capacity in bytes of the volume', 'capacityBytes'],
  ['kubelet_volume_stats_available_bytes', 'Number of available bytes in the volume', 'availableBytes'],
  ['kubelet_volume_stats_used_bytes', 'Number of used bytes in the volume', 'usedBytes'],
  ['kubelet_volume_stats_inodes', 'Maximum number of inodes in the volume', 'inodes'],
  ['kubelet_volume_stats_inodes_free', 'Number of free inodes in the volume', 'inodesFree'],
  ['kubelet_volume_stats_inodes_used', 'Number of used inodes in the volume', 'inodesUsed'],
];

export function volumeStatsMetrics(stats: readonly VolumeStat[]): MetricFamily[] {
  return FAMILIES.map(([name, text, field]) => ({
    name,
    help: `[ALPHA] ${text}`,
    type: 'gauge' as const,
    samples: stats.map((s): Sample => ({
      labels: { namespace: s.namespace, persistentvolumeclaim: s.claim },
      value: Number(s[field]),
    })),
  }));
}
