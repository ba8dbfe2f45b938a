import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatValue, renderExposition } from './exposition.js';
import { DiskUsageCache } from './fs-usage.js';
import { volumeStats, volumeStatsMetrics } from './volume-stats.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wharf-volstats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kubelet_volume_stats_*', () => {
  it("reports each mounted claim once: the filesystem's capacity and free space, the bytes its own directory holds", async () => {
    writeFileSync(path.join(dir, 'data.bin'), Buffer.alloc(3 * 1024 * 1024, 1));
    const stats = await volumeStats(
      [
        { namespace: 'shop', claim: 'data-db-0', dir },
        { namespace: 'shop', claim: 'data-db-0', dir }, // a second pod mounting the same claim
        { namespace: 'shop', claim: 'gone', dir: path.join(dir, 'missing') },
      ],
      new DiskUsageCache(0),
    );
    expect(stats).toHaveLength(1);
    const s = stats[0]!;
    expect(s.usedBytes).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    expect(s.usedBytes).toBeLessThan(4 * 1024 * 1024);
    expect(s.capacityBytes).toBeGreaterThan(s.availableBytes);
    expect(s.inodesUsed).toBe(s.inodes - s.inodesFree);
    const text = renderExposition(volumeStatsMetrics(stats));
    expect(text).toContain(
      `kubelet_volume_stats_used_bytes{namespace="shop",persistentvolumeclaim="data-db-0"} ${formatValue(s.usedBytes)}`,
    );
    expect(text).toContain('# TYPE kubelet_volume_stats_capacity_bytes gauge');
    expect(text).toMatch(
      /^kubelet_volume_stats_inodes_free\{namespace="shop",persistentvolumeclaim="data-db-0"\} [0-9.e+]+$/m,
    );
  });
});
