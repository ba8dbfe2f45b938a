// A container's usage from its cgroup v1 files (cpuacct, cpu, memory, pids), read as cAdvisor
// reads them. Every controller is optional: a missing directory or file leaves that part out.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CGROUP_ROOT } from '../runtime/cgroups.js';
import { USER_HZ } from './host-stats.js';

export interface CpuStats {
  /** cpuacct.usage: nanoseconds of CPU time. */
  readonly usageNanos: number;
  /** cpuacct.stat user / system, in seconds. */
  readonly userSeconds?: number;
  readonly systemSeconds?: number;
  /** cpu.stat nr_periods / nr_throttled / throttled_time (ns). */
  readonly periods?: number;
  readonly throttledPeriods?: number;
  readonly throttledNanos?: number;
  /** cpu.cfs_quota_us (-1 when unlimited), cpu.cfs_period_us, cpu.shares. */
  readonly quotaUs?: number;
  readonly periodUs?: number;
  readonly shares?: number;
}

export interface MemoryStats {
  readonly usageBytes: number;
  /** usage − total_inactive_file, at least 0 (cAdvisor's and the kubelet's working set). */
  readonly workingSetBytes: number;
  readonly rssBytes: number;
  readonly cacheBytes: number;
  readonly maxUsageBytes?: number;
  /** memory.limit_in_bytes (a huge number when unlimited). */
  readonly limitBytes?: number;
  readonly failcnt?: number;
  /** memsw usage − memory usage, where the kernel accounts swap. */
  readonly swapBytes?: number;
  /** memory.oom_control oom_kill. */
  readonly oomKills: number;
}

export interface CgroupStats {
  readonly cpu?: CpuStats;
  readonly memory?: MemoryStats;
  /** Tasks (threads) in pids.current. */
  readonly threads?: number;
  /** Lines of cgroup.procs. */
  readonly processes?: number;
}

/** `key value` lines (memory.stat, cpu.stat, memory.oom_control) as a map. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(-?\d+)$/.exec(line.trim());
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** A file holding one integer; undefined when it is missing or holds something else. */
export function parseSingle(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
}

export function workingSet(usage: number, inactiveFile: number | undefined): number {
  return Math.max(0, usage - (inactiveFile ?? 0));
}

/** Reads the stats of `cgroupsPath` (e.g. `/wharf/node-0/<id>`) under `root`. */
export async function readCgroupStats(cgroupsPath: string, root = CGROUP_ROOT): Promise<CgroupStats> {
  const file = (controller: string, name: string): Promise<string | undefined> =>
    readFile(path.join(root, controller, cgroupsPath, name), 'utf8').catch(() => undefined);
  const [
    usage,
    acctStat,
    cpuStat,
    quota,
    period,
    shares,
    memUsage,
    memStat,
    memMax,
    memLimit,
    failcnt,
    memsw,
    oom,
    pids,
    procs,
  ] = await Promise.all([
    file('cpuacct', 'cpuacct.usage'),
    file('cpuacct', 'cpuacct.stat'),
    file('cpu', 'cpu.stat'),
    file('cpu', 'cpu.cfs_quota_us'),
    file('cpu', 'cpu.cfs_period_us'),
    file('cpu', 'cpu.shares'),
    file('memory', 'memory.usage_in_bytes'),
    file('memory', 'memory.stat'),
    file('memory', 'memory.max_usage_in_bytes'),
    file('memory', 'memory.limit_in_bytes'),
    file('memory', 'memory.failcnt'),
    file('memory', 'memory.memsw.usage_in_bytes'),
    file('memory', 'memory.oom_control'),
    file('pids', 'pids.current'),
    file('cpu', 'cgroup.procs'),
  ]);
  return {
    ...optional('cpu', cpuStats(usage, acctStat, cpuStat, quota, period, shares)),
    ...optional('memory', memoryStats(memUsage, memStat, memMax, memLimit, failcnt, memsw, oom)),
    ...optional('threads', parseSingle(pids)),
    ...optional('processes', procs === undefined ? undefined : procs.split('\n').filter((l) => l.trim() !== '').length),
  };
}

export function cpuStats(
  usage?: string,
  acctStat?: string,
  stat?: string,
  quota?: string,
  period?: string,
  shares?: string,
): CpuStats | undefined {
  const usageNanos = parseSingle(usage);
  if (usageNanos === undefined) return undefined;
  const s = stat === undefined ? undefined : parseFlatKeyed(stat);
  const a = acctStat === undefined ? undefined : parseFlatKeyed(acctStat);
  const ticks = (k: string): number | undefined => (a?.get(k) === undefined ? undefined : a.get(k)! / USER_HZ);
  return {
    usageNanos,
    ...optional('userSeconds', ticks('user')),
    ...optional('systemSeconds', ticks('system')),
    ...optional('periods', s?.get('nr_periods')),
    ...optional('throttledPeriods', s?.get('nr_throttled')),
    ...optional('throttledNanos', s?.get('throttled_time')),
    ...optional('quotaUs', parseSingle(quota)),
    ...optional('periodUs', parseSingle(period)),
    ...optional('shares', parseSingle(shares)),
  };
}

export function memoryStats(
  usage?: string,
  stat?: string,
  max?: string,
  limit?: string,
  failcnt?: string,
  memsw?: string,
  oom?: string,
): MemoryStats | undefined {
  const usageBytes = parseSingle(usage);
  if (usageBytes === undefined) return undefined;
  const s = stat === undefined ? new Map<string, number>() : parseFlatKeyed(stat);
  const memswBytes = parseSingle(memsw);
  return {
    usageBytes,
    workingSetBytes: workingSet(usageBytes, s.get('total_inactive_file')),
    rssBytes: s.get('total_rss') ?? 0,
    cacheBytes: s.get('total_cache') ?? 0,
    ...optional('maxUsageBytes', parseSingle(max)),
    ...optional('limitBytes', parseSingle(limit)),
    ...optional('failcnt', parseSingle(failcnt)),
    ...optional('swapBytes', memswBytes === undefined ? s.get('total_swap') : Math.max(0, memswBytes - usageBytes)),
    oomKills: oom === undefined ? 0 : (parseFlatKeyed(oom).get('oom_kill') ?? 0),
  };
}

/** `{ [key]: value }` when value is defined, else `{}` (for spreading into readonly objects). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
