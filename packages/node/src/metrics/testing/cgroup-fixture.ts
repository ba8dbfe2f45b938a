// Test helper: a cgroup v1 tree in a temp dir with the files of one container, in the exact
// format the kernel writes them (copied from a real /sys/fs/cgroup/*/wharf/<node>/<id>).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface CgroupFixture {
  readonly usageNanos?: number;
  readonly quotaUs?: number;
  readonly throttled?: { periods: number; throttled: number; nanos: number };
  readonly memoryUsage?: number;
  readonly inactiveFile?: number;
  readonly rss?: number;
  readonly cache?: number;
  readonly limit?: number;
  readonly oomKills?: number;
  readonly pids?: number;
}

export async function writeCgroupFixture(root: string, cgroupsPath: string, f: CgroupFixture): Promise<void> {
  const put = async (controller: string, file: string, text: string): Promise<void> => {
    const dir = path.join(root, controller, cgroupsPath);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, file), text);
  };
  const t = f.throttled ?? { periods: 0, throttled: 0, nanos: 0 };
  await put('cpuacct', 'cpuacct.usage', `${f.usageNanos ?? 0}\n`);
  await put('cpuacct', 'cpuacct.stat', 'user 117\nsystem 5\n');
  await put(
    'cpu',
    'cpu.stat',
    `nr_periods ${t.periods}\nnr_throttled ${t.throttled}\nthrottled_time ${t.nanos}\nnr_bursts 0\nburst_time 0\n`,
  );
  await put('cpu', 'cpu.cfs_quota_us', `${f.quotaUs ?? -1}\n`);
  await put('cpu', 'cpu.cfs_period_us', '100000\n');
  await put('cpu', 'cpu.shares', '204\n');
  await put('cpu', 'cgroup.procs', '4242\n4250\n');
  const usage = f.memoryUsage ?? 0;
  await put('memory', 'memory.usage_in_bytes', `${usage}\n`);
  await put('memory', 'memory.max_usage_in_bytes', `${usage + 4096}\n`);
  await put('memory', 'memory.limit_in_bytes', `${f.limit ?? 9223372036854771712}\n`);
  await put('memory', 'memory.failcnt', '0\n');
  await put('memory', 'memory.memsw.usage_in_bytes', `${usage}\n`);
  await put('memory', 'memory.oom_control', `oom_kill_disable 0\nunder_oom 0\noom_kill ${f.oomKills ?? 0}\n`);
  await put(
    'memory',
    'memory.stat',
    [
      `cache ${f.cache ?? 36864}`,
      `rss ${f.rss ?? 53248}`,
      'rss_huge 0',
      'shmem 0',
      'mapped_file 0',
      'dirty 0',
      'writeback 0',
      'swap 0',
      'pgpgin 532',
      'pgpgout 510',
      'pgfault 837',
      'pgmajfault 0',
      'inactive_anon 49152',
      'active_anon 4096',
      `inactive_file ${f.inactiveFile ?? 12288}`,
      'active_file 24576',
      'unevictable 0',
      'hierarchical_memory_limit 9223372036854771712',
      'hierarchical_memsw_limit 9223372036854771712',
      `total_cache ${f.cache ?? 36864}`,
      `total_rss ${f.rss ?? 53248}`,
      'total_rss_huge 0',
      'total_shmem 0',
      'total_swap 0',
      'total_inactive_anon 49152',
      'total_active_anon 4096',
      `total_inactive_file ${f.inactiveFile ?? 12288}`,
      'total_active_file 24576',
      'total_unevictable 0',
      '',
    ].join('\n'),
  );
  await put('pids', 'pids.current', `${f.pids ?? 3}\n`);
}
