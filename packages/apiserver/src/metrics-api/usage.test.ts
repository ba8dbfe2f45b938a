import { describe, expect, it } from 'vitest';
import { usageQuantities, windowString } from './metrics-api.js';
import { parsePromText } from './prom-text.js';
import { UsageSource } from './usage.js';

/** A /metrics/resource page as the node agent writes it. */
function page(
  at: number,
  nodeCpu: number,
  pods: { ns: string; pod: string; container: string; cpu: number; mem: number }[],
): string {
  const lines = [
    '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
    '# TYPE container_cpu_usage_seconds_total counter',
    ...pods.map(
      (p) =>
        `container_cpu_usage_seconds_total{container="${p.container}",namespace="${p.ns}",pod="${p.pod}"} ${p.cpu} ${at}`,
    ),
    '# TYPE container_memory_working_set_bytes gauge',
    ...pods.map(
      (p) =>
        `container_memory_working_set_bytes{container="${p.container}",namespace="${p.ns}",pod="${p.pod}"} ${p.mem} ${at}`,
    ),
    `node_cpu_usage_seconds_total ${nodeCpu} ${at}`,
    `node_memory_working_set_bytes 2.097152e+09 ${at}`,
    'resource_scrape_error 0',
  ];
  return `${lines.join('\n')}\n`;
}

describe('Prometheus text samples', () => {
  it('reads names, escaped labels, values in Go float form and timestamps; skips comments and junk', () => {
    const text =
      '# HELP x y\nm{a="q\\"uote",b="new\\nline",c="back\\\\slash"} 2.5e+07 1700000000000\nplain 1\nbad line\nn{a="unterminated} 1\ninf +Inf\n';
    expect(parsePromText(text)).toEqual([
      {
        name: 'm',
        labels: { a: 'q"uote', b: 'new\nline', c: 'back\\slash' },
        value: 25_000_000,
        timestampMs: 1_700_000_000_000,
      },
      { name: 'plain', labels: {}, value: 1 },
      { name: 'inf', labels: {}, value: Infinity },
    ]);
  });
});

describe('usage from two scrapes', () => {
  it('scrapes a new node twice, a window apart, and computes rates from the sample timestamps', async () => {
    let now = 1_000_000;
    const pages = [
      page(1_000_000, 100, [{ ns: 'a', pod: 'p', container: 'c', cpu: 10, mem: 1024 * 1024 }]),
      page(1_002_000, 101, [{ ns: 'a', pod: 'p', container: 'c', cpu: 10.4, mem: 2 * 1024 * 1024 }]),
      page(1_012_000, 106, [{ ns: 'a', pod: 'p', container: 'c', cpu: 11.4, mem: 3 * 1024 * 1024 }]),
    ];
    const fetched: number[] = [];
    const src = new UsageSource({
      now: () => now,
      fetch: async (port) => (fetched.push(port), pages.shift()!),
      sleep: async (ms) => void (now += ms * 2),
      firstWindowMs: 1000,
    });
    const first = await src.usage('n1', 4000);
    expect(fetched).toEqual([4000, 4000]);
    expect(first.node).toEqual({ cpuCores: 0.5, memoryBytes: 2_097_152_000, timestampMs: 1_002_000, windowMs: 2000 });
    expect(first.pods.get('a/p')?.containers).toEqual([
      {
        name: 'c',
        cpuCores: expect.closeTo(0.2, 9) as number,
        memoryBytes: 2 * 1024 * 1024,
        timestampMs: 1_002_000,
        windowMs: 2000,
      },
    ]);
    now += 1000;
    await src.usage('n1', 4000);
    expect(fetched.length).toBe(2); // a fresh scrape is reused
    now += 10_000;
    const next = await src.usage('n1', 4000);
    expect(fetched.length).toBe(3);
    expect(next.pods.get('a/p')?.containers[0]?.cpuCores).toBeCloseTo(0.1, 9);
    expect(next.node?.windowMs).toBe(10_000);
  });

  it('leaves out a pod until each of its containers has two samples, and counters that went back', async () => {
    let now = 0;
    const pages = [
      page(0, 1, [
        { ns: 'a', pod: 'p', container: 'c', cpu: 5, mem: 1 },
        { ns: 'a', pod: 'q', container: 'c', cpu: 5, mem: 1 },
      ]),
      page(1000, 2, [
        { ns: 'a', pod: 'p', container: 'c', cpu: 5.1, mem: 1 },
        { ns: 'a', pod: 'p', container: 'new', cpu: 0.1, mem: 1 },
        { ns: 'a', pod: 'q', container: 'c', cpu: 0.2, mem: 1 },
      ]),
    ];
    const src = new UsageSource({
      now: () => now,
      fetch: async () => pages.shift()!,
      sleep: async (ms) => void (now += ms),
    });
    const u = await src.usage('n1', 1);
    expect([...u.pods.keys()]).toEqual([]);
  });

  it('writes quantities and windows as metrics-server does', () => {
    expect(usageQuantities({ cpuCores: 0.187554208, memoryBytes: 20_606_976 })).toEqual({
      cpu: '187554208n',
      memory: '20124Ki',
    });
    expect(usageQuantities({ cpuCores: 0, memoryBytes: 1000 })).toEqual({ cpu: '0n', memory: '1000' });
    expect(windowString(1027)).toBe('1.027s');
    expect(windowString(15_000)).toBe('15s');
    expect(windowString(1500)).toBe('1.5s');
  });
});
