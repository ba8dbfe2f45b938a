import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuStats, memoryStats, parseFlatKeyed, readCgroupStats } from './cgroup-stats.js';
import { writeCgroupFixture } from './testing/cgroup-fixture.js';

describe('cgroup v1 stats', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'wharf-cgroup-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads CPU, throttling, memory (working set = usage − total_inactive_file), OOM kills and pids', async () => {
    await writeCgroupFixture(root, '/wharf/n/c1', {
      usageNanos: 1_223_057_632,
      quotaUs: 20_000,
      throttled: { periods: 60, throttled: 59, nanos: 3_546_970_583 },
      memoryUsage: 26_112_000,
      inactiveFile: 5_246_976,
      rss: 118_784,
      cache: 25_292_800,
      limit: 67_108_864,
      oomKills: 2,
      pids: 2,
    });
    const s = await readCgroupStats('/wharf/n/c1', root);
    expect(s.cpu).toEqual({
      usageNanos: 1_223_057_632,
      userSeconds: 1.17,
      systemSeconds: 0.05,
      periods: 60,
      throttledPeriods: 59,
      throttledNanos: 3_546_970_583,
      quotaUs: 20_000,
      periodUs: 100_000,
      shares: 204,
    });
    expect(s.memory).toEqual({
      usageBytes: 26_112_000,
      workingSetBytes: 26_112_000 - 5_246_976,
      rssBytes: 118_784,
      cacheBytes: 25_292_800,
      maxUsageBytes: 26_116_096,
      limitBytes: 67_108_864,
      failcnt: 0,
      swapBytes: 0,
      oomKills: 2,
    });
    expect(s.threads).toBe(2);
    expect(s.processes).toBe(2);
  });

  it('leaves out what a cgroup does not have, and a missing cgroup is empty', async () => {
    expect(await readCgroupStats('/wharf/n/gone', root)).toEqual({});
    expect(cpuStats(undefined)).toBeUndefined();
    expect(cpuStats('5\n')).toEqual({ usageNanos: 5 });
    expect(memoryStats('100\n', 'total_inactive_file 300\n')?.workingSetBytes).toBe(0);
    expect(memoryStats('garbage')).toBeUndefined();
  });

  it('parses the machine’s own root cgroup', async () => {
    const s = await readCgroupStats('/');
    if (!s.cpu) return; // no cgroup v1 cpuacct hierarchy on this machine
    expect(s.cpu.usageNanos).toBeGreaterThan(0);
    expect(s.memory?.usageBytes).toBeGreaterThan(0);
    expect(s.memory!.workingSetBytes).toBeLessThanOrEqual(s.memory!.usageBytes);
  });

  it('parses key-value files, ignoring other lines', () => {
    expect([...parseFlatKeyed('nr_periods 3\nbad line here\nthrottled_time -1\n\n')]).toEqual([
      ['nr_periods', 3],
      ['throttled_time', -1],
    ]);
  });
});
