// Memory and CPU time of live processes from /proc. RSS (VmRSS) counts every resident page,
// shared ones in full; PSS (smaps_rollup) splits each shared page among the processes mapping it,
// so PSS sums over many copies of one binary (container shims) without counting its code N times.
import { readFileSync, readdirSync } from 'node:fs';

function kb(text, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/** RSS and PSS in MB (PSS is NaN where smaps_rollup is missing); undefined once the process is gone. */
export function memory(pid) {
  try {
    const rssKb = kb(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
    let pssKb = NaN;
    try {
      pssKb = kb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
    } catch {
      // kernels before 4.14, or not allowed to read it
    }
    return { rssMb: rssKb / 1024, pssMb: pssKb / 1024 };
  } catch {
    return undefined;
  }
}

/** Every live process: pid, parent pid, command name and argv. */
export function processTable() {
  const table = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean);
      table.push({ pid: Number(d), ppid, comm, argv });
    } catch {
      // exited while we looked
    }
  }
  return table;
}

/** The processes below `pid` (children, grandchildren, …) in a process table. */
export function descendants(table, pid) {
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    for (const c of table) {
      if (c.ppid === p) {
        out.push(c);
        queue.push(c.pid);
      }
    }
  }
  return out;
}

/** Sums RSS and PSS (MB) over pids; processes that exited meanwhile are skipped and not counted. */
export function sumMemory(pids) {
  let rssMb = 0;
  let pssMb = 0;
  let n = 0;
  for (const pid of pids) {
    const m = memory(pid);
    if (!m) continue;
    rssMb += m.rssMb;
    pssMb += m.pssMb;
    n++;
  }
  return { n, rssMb, pssMb };
}

/** Samples `fn` every `everyMs` for `forMs` and returns the median of each numeric field. */
export async function sampleMedian(fn, { forMs = 5000, everyMs = 250 } = {}) {
  const samples = [];
  const end = performance.now() + forMs;
  while (performance.now() < end) {
    samples.push(fn());
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const med = {};
  for (const k of Object.keys(samples[0] ?? {})) {
    const v = samples.map((s) => s[k]).sort((a, b) => a - b);
    med[k] = v[Math.floor(v.length / 2)];
  }
  return med;
}

const CLK_TCK = 100; // Linux USER_HZ

/**
 * CPU time (ms) of a process: its own, and that of its children it has waited for (exited
 * helpers such as CNI plugins); undefined once the process is gone.
 */
export function cpuTimes(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return {
      selfMs: Math.max(((f[11] + f[12]) * 1000) / CLK_TCK, runtimeMs(pid)),
      childrenMs: ((f[13] + f[14]) * 1000) / CLK_TCK,
    };
  } catch {
    return undefined;
  }
}

/**
 * A process's time on a CPU to the nanosecond (the sum of its live threads' schedstat; 0 when not
 * readable). /proc/PID/stat gives whole clock ticks (10 ms): a process that started meanwhile and
 * used 9 ms reads 0 there, and a mode starts a conmon and a container per pod. The larger of the two
 * is kept (threads that exited are only in the ticks).
 */
function runtimeMs(pid) {
  let ns = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
  return ns / 1e6;
}

/**
 * CPU time of the whole machine (ms, all cores) from /proc/stat: busy (user, nice, system, irq,
 * softirq; guest time is inside user) and stolen by the hypervisor (not this machine's work, but
 * time its processes wanted to run and could not).
 */
export function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = [0, 1, 2, 5, 6].reduce((n, i) => n + (f[i] ?? 0), 0);
  const ms = (ticks) => (ticks * 1000) / CLK_TCK;
  return { busyMs: ms(busy), irqMs: ms((f[5] ?? 0) + (f[6] ?? 0)), stealMs: ms(f[7] ?? 0) };
}

/**
 * CPU time (ms) of every live process on the machine, kernel threads included, keyed by pid and
 * start time (so a reused pid is another process): its own time, its reaped children's, its
 * parent and name. Kernel threads are kthreadd (pid 2) and its children.
 */
export function allProcessCpu() {
  const out = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${d}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' ');
    const pid = Number(d);
    const ppid = Number(f[1]);
    out.set(`${pid}@${f[19]}`, {
      pid,
      ppid,
      comm: stat.slice(stat.indexOf('(') + 1, close),
      kernel: pid === 2 || ppid === 2,
      selfMs: Math.max(((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK, runtimeMs(pid)),
      childrenMs: ((Number(f[13]) + Number(f[14])) * 1000) / CLK_TCK,
    });
  }
  return out;
}

/**
 * Network namespaces the kernel still holds (objects of its `net_namespace` slab cache), deleted
 * ones included until its cleanup work has freed them; NaN where /proc/slabinfo lacks the cache.
 */
export function netnsObjects() {
  try {
    const line = readFileSync('/proc/slabinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('net_namespace '));
    return line ? Number(line.split(/\s+/)[1]) : NaN;
  } catch {
    return NaN;
  }
}
