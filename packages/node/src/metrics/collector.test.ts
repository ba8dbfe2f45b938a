import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerStatus, PodSandbox } from '../runtime/types.js';
import { cadvisorMetrics } from './cadvisor-metrics.js';
import { readCgroupStats } from './cgroup-stats.js';
import { MetricsCollector, type MetricsRuntime } from './collector.js';
import { MetricsEndpoint } from './endpoint.js';
import { renderExposition, type MetricFamily } from './exposition.js';
import { resourceMetrics } from './resource-metrics.js';
import { writeCgroupFixture } from './testing/cgroup-fixture.js';

const NODE = 'node-t';
const sandbox = (id: string, name: string): PodSandbox => ({
  id,
  config: { uid: `${id}-uid`, name, namespace: 'team' },
  state: 'ready',
  netnsName: id,
  netnsPath: `/var/run/netns/${id}`,
  ip: '10.0.0.2',
  createdAt: '2025-01-01T00:00:00Z',
  logDir: '/tmp',
});
const container = (
  id: string,
  sandboxId: string,
  name: string,
  extra: Partial<ContainerStatus> = {},
): ContainerStatus => ({
  id,
  sandboxId,
  name,
  attempt: 0,
  state: 'running',
  createdAt: '2025-01-01T00:00:00Z',
  startedAt: '2025-01-01T00:00:01.500Z',
  logPath: '/tmp/x.log',
  ...extra,
});

function series(
  families: MetricFamily[],
  name: string,
): { labels: Record<string, string>; value: number; timestampMs?: number }[] {
  return (families.find((f) => f.name === name)?.samples ?? []).map((s) => ({ ...s, labels: { ...s.labels } }));
}

describe('node metrics collector', () => {
  let root: string;
  let stateDir: string;
  let list: () => Promise<[PodSandbox[], ContainerStatus[]]>;
  const runtime: MetricsRuntime = {
    listPodSandboxes: async () => (await list())[0],
    listContainers: async () => (await list())[1],
  };
  let collector: MetricsCollector;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'wharf-metrics-'));
    stateDir = path.join(root, 'state');
    await writeCgroupFixture(path.join(root, 'cg'), `/wharf/${NODE}/web-app-0`, {
      usageNanos: 2_500_000_000,
      quotaUs: 20_000,
      throttled: { periods: 10, throttled: 4, nanos: 500_000_000 },
      memoryUsage: 30_000_000,
      inactiveFile: 10_000_000,
      limit: 67_108_864,
      oomKills: 1,
    });
    await writeCgroupFixture(path.join(root, 'cg'), `/wharf/${NODE}/web-side-0`, {
      usageNanos: 500_000_000,
      memoryUsage: 5_000_000,
      inactiveFile: 0,
    });
    // The app container's record and writable layer, as the runc runtime leaves them.
    const dir = path.join(stateDir, 'run', 'containers', 'web-app-0');
    const layer = path.join(stateDir, 'layers', 'web-app-0');
    await mkdir(dir, { recursive: true });
    await mkdir(path.join(layer, 'upper'), { recursive: true });
    await writeFile(path.join(layer, 'upper', 'data'), Buffer.alloc(256 * 1024, 7));
    await writeFile(
      path.join(dir, 'container.json'),
      JSON.stringify({
        id: 'web-app-0',
        sandboxId: 'web',
        name: 'app',
        attempt: 0,
        createdAt: '',
        logPath: '',
        cgroupsPath: `/wharf/${NODE}/web-app-0`,
        rootfsKind: 'overlay',
        config: { name: 'app', rootfs: '/', args: ['x'] },
      }),
    );
    list = async () => [
      [sandbox('web', 'web-1'), sandbox('proc', 'proc-1')],
      [
        container('web-app-0', 'web', 'app', { pid: process.pid }),
        container('web-side-0', 'web', 'side'),
        container('web-old-0', 'web', 'old', { state: 'exited' }),
        // A container of a runtime without cgroups or its own network namespace.
        container('proc-main-0', 'proc', 'main', { pid: process.pid }),
      ],
    ];
    collector = new MetricsCollector({
      nodeName: NODE,
      runtime,
      stateDir,
      clock: () => 1_700_000_000_000,
      imageOf: (ns, pod, c) => (ns === 'team' && pod === 'web-1' && c === 'app' ? 'registry.local/app:1' : undefined),
      readCgroup: (p) => readCgroupStats(p, path.join(root, 'cg')),
    });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reports the kubelet resource metrics of running containers, pods summed, stamped with the read time', async () => {
    const f = resourceMetrics(await collector.collect());
    const labels = { container: 'app', pod: 'web-1', namespace: 'team' };
    expect(series(f, 'container_cpu_usage_seconds_total')).toEqual([
      { labels, value: 2.5, timestampMs: 1_700_000_000_000 },
      { labels: { container: 'side', pod: 'web-1', namespace: 'team' }, value: 0.5, timestampMs: 1_700_000_000_000 },
    ]);
    expect(series(f, 'container_memory_working_set_bytes').map((s) => s.value)).toEqual([20_000_000, 5_000_000]);
    expect(series(f, 'container_start_time_seconds')[0]).toEqual({
      labels,
      value: Date.parse('2025-01-01T00:00:01.500Z') / 1000,
    });
    expect(series(f, 'pod_cpu_usage_seconds_total')).toEqual([
      { labels: { pod: 'web-1', namespace: 'team' }, value: 3, timestampMs: 1_700_000_000_000 },
    ]);
    expect(series(f, 'pod_memory_working_set_bytes')[0]?.value).toBe(25_000_000);
    expect(series(f, 'node_cpu_usage_seconds_total')[0]?.value).toBeGreaterThan(0);
    expect(series(f, 'resource_scrape_error')).toEqual([{ labels: {}, value: 0 }]);
    // The process-runtime container has no cgroup: its start time only, no usage.
    expect(series(f, 'container_start_time_seconds').map((s) => s.labels.container)).toEqual(['app', 'side', 'main']);
    expect(series(f, 'container_cpu_usage_seconds_total').some((s) => s.labels.container === 'main')).toBe(false);
  });

  it('reports cAdvisor metrics with the kubelet labels, the CFS quota only where there is a limit', async () => {
    const f = cadvisorMetrics(await collector.collect());
    const id = `/wharf/${NODE}/web-app-0`;
    const app = {
      container: 'app',
      id,
      image: 'registry.local/app:1',
      name: 'web-app-0',
      namespace: 'team',
      pod: 'web-1',
    };
    expect(series(f, 'container_spec_cpu_quota')).toEqual([{ labels: app, value: 20_000 }]);
    expect(series(f, 'container_spec_cpu_period').length).toBe(2);
    expect(series(f, 'container_cpu_cfs_throttled_periods_total')).toEqual([
      { labels: app, value: 4, timestampMs: 1_700_000_000_000 },
    ]);
    expect(series(f, 'container_cpu_cfs_throttled_seconds_total')[0]?.value).toBe(0.5);
    expect(series(f, 'container_cpu_usage_seconds_total').find((s) => s.labels.id === id)?.labels.cpu).toBe('total');
    expect(series(f, 'container_spec_memory_limit_bytes').map((s) => s.value)).toEqual([67_108_864, 0]);
    expect(series(f, 'container_oom_events_total').map((s) => s.value)).toEqual([1, 0]);
    const fs = series(f, 'container_fs_usage_bytes');
    expect(fs.length).toBe(1);
    expect(fs[0]!.labels.device).toBeTruthy();
    expect(fs[0]!.value).toBeGreaterThanOrEqual(256 * 1024);
    // Both pods' processes share this test's network namespace, which is not a pod's: no network series.
    expect(series(f, 'container_network_receive_bytes_total')).toEqual([]);
    expect(series(f, 'container_memory_usage_bytes').find((s) => s.labels.id === '/')?.value).toBeGreaterThan(0);
  });

  it('renders both pages, sharing one collection between concurrent scrapes', async () => {
    let collections = 0;
    const endpoint = new MetricsEndpoint({ collect: () => (collections++, collector.collect()) });
    const [a, b] = await Promise.all([endpoint.page('/metrics/resource'), endpoint.page('/metrics/cadvisor/')]);
    expect(collections).toBe(1);
    expect(a?.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(a?.body).toContain(
      'container_cpu_usage_seconds_total{container="app",namespace="team",pod="web-1"} 2.5 1700000000000\n',
    );
    expect(b?.body).toContain('# TYPE container_spec_cpu_quota gauge\n');
    expect(await endpoint.page('/metrics/other')).toBeUndefined();
    expect(renderExposition(resourceMetrics(await collector.collect()))).toMatch(
      /^# HELP container_cpu_usage_seconds_total \[STABLE\] /,
    );
  });

  it('reports resource_scrape_error 1 when the runtime cannot list containers', async () => {
    const broken = new MetricsCollector({
      nodeName: NODE,
      stateDir,
      runtime: { listPodSandboxes: () => Promise.reject(new Error('down')), listContainers: async () => [] },
    });
    const f = resourceMetrics(await broken.collect());
    expect(series(f, 'resource_scrape_error')[0]?.value).toBe(1);
    expect(series(f, 'node_memory_working_set_bytes').length).toBe(1);
  });

  const netSkip = process.getuid?.() !== 0 || !existsSync('/usr/sbin/ip');
  it.skipIf(netSkip)('reads a pod’s interface counters from its own network namespace', async () => {
    const ns = `wharf-mtest-${process.pid}`;
    const host = `wmt${process.pid % 100_000}`;
    execFileSync('ip', ['netns', 'add', ns]);
    let child: ChildProcess | undefined;
    try {
      // eth0 in the namespace, its peer up on the host with no address (it drops what arrives).
      execFileSync('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      execFileSync('ip', ['link', 'set', host, 'up']);
      execFileSync('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      execFileSync('ip', ['-n', ns, 'addr', 'add', '10.250.0.1/24', 'dev', 'eth0']);
      execFileSync('ip', ['-n', ns, 'neigh', 'add', '10.250.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'eth0']);
      // Three UDP datagrams out of eth0, then it waits.
      const send =
        "const s=require('dgram').createSocket('udp4');let n=0;const go=()=>s.send('x',9,'10.250.0.9',()=>{if(++n<3)go();else console.log('sent')});go();setTimeout(()=>{},30000)";
      child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', send], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        child!.stdout!.on('data', (d: Buffer) => d.toString().includes('sent') && resolve());
        child!.once('exit', (code) => reject(new Error(`sender exited ${code}`)));
      });
      const c = new MetricsCollector({
        nodeName: NODE,
        stateDir,
        readCgroup: async () => ({}),
        runtime: {
          listPodSandboxes: async () => [sandbox('net', 'net-1')],
          listContainers: async () => [container('net-x-0', 'net', 'x', { pid: child!.pid! })],
        },
      });
      const sample = await c.collect();
      const eth0 = sample.pods[0]?.interfaces?.find((i) => i.name === 'eth0');
      expect(eth0?.txPackets).toBeGreaterThanOrEqual(3);
      expect(eth0?.txBytes).toBeGreaterThan(3 * 28);
      expect(sample.pods[0]?.interfaces?.some((i) => i.name === 'lo')).toBe(false);
      const f = cadvisorMetrics(sample);
      expect(series(f, 'container_network_transmit_packets_total')[0]?.labels).toEqual({
        container: '',
        id: `/wharf/${NODE}/net`,
        image: '',
        interface: 'eth0',
        name: 'net',
        namespace: 'team',
        pod: 'net-1',
      });
    } finally {
      child?.kill('SIGKILL');
      execFileSync('ip', ['netns', 'delete', ns]);
      spawnSync('ip', ['link', 'delete', host], { stdio: 'ignore' });
    }
  });
});
