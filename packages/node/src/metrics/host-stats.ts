// Node-wide and network usage from /proc: CPU time from /proc/stat, the memory working set and
// swap from /proc/meminfo, and a network namespace's interface counters from /proc/<pid>/net/dev.
import { readFile, readlink } from 'node:fs/promises';

/** Kernel clock ticks per second of /proc/stat (USER_HZ, 100 on every Linux architecture Wharf runs on). */
export const USER_HZ = 100;

export interface InterfaceStats {
  readonly name: string;
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrors: number;
  readonly rxDropped: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrors: number;
  readonly txDropped: number;
}

export interface NodeMemory {
  readonly totalBytes: number;
  /** MemTotal − MemFree. */
  readonly usageBytes: number;
  /** MemTotal − MemFree − Inactive(file): what the kubelet's root-cgroup working set amounts to. */
  readonly workingSetBytes: number;
  readonly swapUsedBytes: number;
}

/**
 * Busy CPU seconds of all CPUs: the `cpu` line of /proc/stat without idle, iowait and the guest columns (already in
 * user/nice).
 */
export function parseProcStat(text: string): number | undefined {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return undefined;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = v;
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}

/** /proc/meminfo in bytes. */
export function parseMeminfo(text: string): NodeMemory | undefined {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (m) kb.set(m[1]!, Number(m[2]) * 1024);
  }
  const total = kb.get('MemTotal');
  if (total === undefined) return undefined;
  const used = total - (kb.get('MemFree') ?? 0);
  return {
    totalBytes: total,
    usageBytes: Math.max(0, used),
    workingSetBytes: Math.max(0, used - (kb.get('Inactive(file)') ?? 0)),
    swapUsedBytes: Math.max(0, (kb.get('SwapTotal') ?? 0) - (kb.get('SwapFree') ?? 0)),
  };
}

/**
 * The interfaces of /proc/net/dev (columns: rx bytes packets errs drop fifo frame compressed multicast, tx bytes
 * packets errs drop ...).
 */
export function parseNetDev(text: string): InterfaceStats[] {
  const out: InterfaceStats[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (!name || f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out.push({
      name,
      rxBytes: f[0]!,
      rxPackets: f[1]!,
      rxErrors: f[2]!,
      rxDropped: f[3]!,
      txBytes: f[8]!,
      txPackets: f[9]!,
      txErrors: f[10]!,
      txDropped: f[11]!,
    });
  }
  return out;
}

export async function readNodeCpuSeconds(): Promise<number | undefined> {
  return parseProcStat(await readFile('/proc/stat', 'utf8').catch(() => ''));
}

export async function readNodeMemory(): Promise<NodeMemory | undefined> {
  return parseMeminfo(await readFile('/proc/meminfo', 'utf8').catch(() => ''));
}

/**
 * The interfaces of the network namespace process `pid` is in, without loopback (as cAdvisor);
 * undefined when the process is gone or shares the agent's own namespace (a host-network pod,
 * or a runtime without pod namespaces), whose counters are the host's, not the pod's.
 */
export async function readPodInterfaces(pid: number): Promise<InterfaceStats[] | undefined> {
  const [theirs, ours] = await Promise.all([
    readlink(`/proc/${pid}/ns/net`).catch(() => undefined),
    readlink('/proc/self/ns/net').catch(() => undefined),
  ]);
  if (!theirs || theirs === ours) return undefined;
  const text = await readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseNetDev(text).filter((i) => i.name !== 'lo');
}
