import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseMeminfo,
  parseNetDev,
  parseProcStat,
  readNodeCpuSeconds,
  readNodeMemory,
  readPodInterfaces,
  USER_HZ,
} from './host-stats.js';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     120       2    0    0    0     0          0         0      120       2    0    0    0     0       0          0
  eth0:    2051      24    1    3    0     0          0         0     1198      14    2    4    0     0       0          0
`;

describe('/proc readers', () => {
  it('sums busy CPU time from the cpu line of /proc/stat', () => {
    const text = 'cpu  753704 5 167924 1556992 4985 0 11733 395 7 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n';
    expect(parseProcStat(text)).toBeCloseTo((753704 + 5 + 167924 + 0 + 11733 + 395) / USER_HZ, 6);
    expect(parseProcStat('intr 1\n')).toBeUndefined();
  });

  it('takes the working set from /proc/meminfo as used memory without inactive file pages', () => {
    const m = parseMeminfo(
      'MemTotal:       1000 kB\nMemFree:         200 kB\nInactive(file):  100 kB\nSwapTotal:       50 kB\nSwapFree:        20 kB\nHugePages_Total:       0\n',
    );
    expect(m).toEqual({
      totalBytes: 1000 * 1024,
      usageBytes: 800 * 1024,
      workingSetBytes: 700 * 1024,
      swapUsedBytes: 30 * 1024,
    });
  });

  it('parses interface counters from /proc/net/dev', () => {
    expect(parseNetDev(NET_DEV)[1]).toEqual({
      name: 'eth0',
      rxBytes: 2051,
      rxPackets: 24,
      rxErrors: 1,
      rxDropped: 3,
      txBytes: 1198,
      txPackets: 14,
      txErrors: 2,
      txDropped: 4,
    });
    expect(parseNetDev(readFileSync('/proc/self/net/dev', 'utf8')).some((i) => i.name === 'lo')).toBe(true);
  });

  it('reads the real node CPU and memory', async () => {
    const cpu = await readNodeCpuSeconds();
    const mem = await readNodeMemory();
    expect(cpu).toBeGreaterThan(0);
    expect(mem!.workingSetBytes).toBeGreaterThan(0);
    expect(mem!.workingSetBytes).toBeLessThan(mem!.totalBytes);
  });

  it('reports no pod interfaces for a process in the agent’s own network namespace, or a gone one', async () => {
    expect(await readPodInterfaces(process.pid)).toBeUndefined();
    expect(await readPodInterfaces(2 ** 22 + 1)).toBeUndefined();
  });
});
