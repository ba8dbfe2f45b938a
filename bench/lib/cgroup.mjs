// A cgroup of the benchmark's own for the processes it measures: the kernel counts their CPU to the
// nanosecond, including every process that came and went between two readings (a CNI plugin,
// conmon's `runc create`), which /proc's per-process counts give only in whole clock ticks, if at
// all. cgroup v1's cpuacct hierarchy, or cgroup v2's unified one; none (undefined) elsewhere.
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

const V1 = '/sys/fs/cgroup/cpuacct';
const V2 = '/sys/fs/cgroup';

/** Makes `name` under the CPU accounting hierarchy: { procs, cpuMs(), remove() }, or undefined. */
export function cpuCgroup(name) {
  const v1 = existsSync(join(V1, 'cpuacct.usage'));
  if (!v1 && !existsSync(join(V2, 'cgroup.controllers'))) return undefined;
  const dir = join(v1 ? V1 : V2, name);
  try {
    mkdirSync(dir);
  } catch {
    return undefined; // not root, or a read-only hierarchy
  }
  return {
    procs: join(dir, 'cgroup.procs'),
    /** CPU time of every process that ever ran in it (ms). */
    cpuMs: v1
      ? () => Number(readFileSync(join(dir, 'cpuacct.usage'), 'utf8')) / 1e6
      : () => Number(/^usage_usec (\d+)$/m.exec(readFileSync(join(dir, 'cpu.stat'), 'utf8'))?.[1] ?? NaN) / 1e3,
    /** Removes it once empty; a process still in it (it would move to the parent) is no error. */
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // a conmon still exiting
      }
    },
  };
}
