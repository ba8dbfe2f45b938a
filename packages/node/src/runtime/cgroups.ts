// cgroups v1 (this machine's layout; runc's cgroupfs driver creates the directories): containers
// live under /wharf/<nodeName>/<containerId> in every controller, and Kubernetes' CPU arithmetic
// turns milli-CPUs into shares and CFS quota.
import { readFile, readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';
export const CGROUP_PARENT = 'wharf';
export const CPU_PERIOD_US = 100_000;

export function nodeCgroupParent(nodeName: string): string {
  return `/${CGROUP_PARENT}/${nodeName}`;
}

export function containerCgroupsPath(nodeName: string, containerId: string): string {
  return `${nodeCgroupParent(nodeName)}/${containerId}`;
}

/** The kubelet's conversion: 1000m = 1024 shares, at least 2 (also the share of a container with no request). */
export function milliCpuToShares(milliCpu: number | undefined): number {
  if (!milliCpu || milliCpu <= 0) return 2;
  return Math.max(2, Math.floor((milliCpu * 1024) / 1000));
}

/** The kubelet's conversion: quota per 100 ms period, at least 1 ms. */
export function milliCpuToQuota(milliCpu: number, periodUs = CPU_PERIOD_US): number {
  return Math.max(1000, Math.floor((milliCpu * periodUs) / 1000));
}

/** Times the kernel's OOM killer killed a task in the container's memory cgroup. */
export async function oomKillCount(cgroupsPath: string): Promise<number> {
  const text = await readFile(path.join(CGROUP_ROOT, 'memory', cgroupsPath, 'memory.oom_control'), 'utf8').catch(
    () => '',
  );
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Controllers mounted as cgroup v1 hierarchies (memory, cpu, pids...). */
export async function v1Controllers(): Promise<string[]> {
  const entries = await readdir(CGROUP_ROOT, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && e.name !== 'unified').map((e) => e.name);
}

/** Leaf cgroups left under the node's parent, as `<controller>:<path>`. */
export async function leftoverCgroups(nodeName: string): Promise<string[]> {
  const out: string[] = [];
  for (const c of await v1Controllers()) {
    const dir = path.join(CGROUP_ROOT, c, CGROUP_PARENT, nodeName);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) out.push(`${c}:${nodeCgroupParent(nodeName)}/${e.name}`);
  }
  return out;
}

/** Removes the node's (empty) cgroup directories and, when empty, the shared /wharf parent. */
export async function removeNodeCgroups(nodeName: string): Promise<void> {
  for (const c of await v1Controllers()) {
    const dir = path.join(CGROUP_ROOT, c, CGROUP_PARENT, nodeName);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) await rmdir(path.join(dir, e.name)).catch(() => undefined);
    await rmdir(dir).catch(() => undefined);
    await rmdir(path.join(CGROUP_ROOT, c, CGROUP_PARENT)).catch(() => undefined);
  }
}

/** Whether a node cgroup directory still exists in any controller. */
export async function nodeCgroupsExist(nodeName: string): Promise<boolean> {
  for (const c of await v1Controllers()) {
    const ok = await readdir(path.join(CGROUP_ROOT, c, CGROUP_PARENT, nodeName)).then(
      () => true,
      () => false,
    );
    if (ok) return true;
  }
  return false;
}
