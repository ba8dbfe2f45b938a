// The kubelet's /metrics/cadvisor: cAdvisor's metric names and help texts, with the labels the
// kubelet gives them (container, id, image, name, namespace, pod). Containers report CPU,
// memory, spec, processes and writable-layer usage; network counters belong to the pod (its
// network namespace), on a series whose id names the sandbox; the root series (id="/") carries
// node totals.
import { nodeCgroupParent } from '../runtime/cgroups.js';
import type { ContainerSample, NodeSample, PodSample } from './collector.js';
import type { MetricFamily, MetricType, Sample } from './exposition.js';
import type { InterfaceStats } from './host-stats.js';

/** cAdvisor reports memory limits past 2^62 (the kernel's "unlimited") as 0. */
const UNLIMITED = 2 ** 62;

const HELP: Record<string, [string, MetricType]> = {
  container_cpu_usage_seconds_total: ['Cumulative cpu time consumed in seconds.', 'counter'],
  container_cpu_user_seconds_total: ['Cumulative user cpu time consumed in seconds.', 'counter'],
  container_cpu_system_seconds_total: ['Cumulative system cpu time consumed in seconds.', 'counter'],
  container_cpu_cfs_periods_total: ['Number of elapsed enforcement period intervals.', 'counter'],
  container_cpu_cfs_throttled_periods_total: ['Number of throttled period intervals.', 'counter'],
  container_cpu_cfs_throttled_seconds_total: ['Total time duration the container has been throttled.', 'counter'],
  container_memory_usage_bytes: [
    'Current memory usage in bytes, including all memory regardless of when it was accessed',
    'gauge',
  ],
  container_memory_working_set_bytes: ['Current working set in bytes.', 'gauge'],
  container_memory_rss: ['Size of RSS in bytes.', 'gauge'],
  container_memory_cache: ['Number of bytes of page cache memory.', 'gauge'],
  container_memory_max_usage_bytes: ['Maximum memory usage recorded in bytes', 'gauge'],
  container_memory_swap: ['Container swap usage in bytes.', 'gauge'],
  container_memory_failcnt: ['Number of memory usage hits limits', 'counter'],
  container_oom_events_total: ['Count of out of memory events observed for the container', 'counter'],
  container_spec_memory_limit_bytes: ['Memory limit for the container.', 'gauge'],
  container_spec_cpu_period: ['CPU period of the container.', 'gauge'],
  container_spec_cpu_quota: ['CPU quota of the container.', 'gauge'],
  container_spec_cpu_shares: ['CPU share of the container.', 'gauge'],
  container_network_receive_bytes_total: ['Cumulative count of bytes received', 'counter'],
  container_network_receive_packets_total: ['Cumulative count of packets received', 'counter'],
  container_network_receive_errors_total: ['Cumulative count of errors encountered while receiving', 'counter'],
  container_network_receive_packets_dropped_total: ['Cumulative count of packets dropped while receiving', 'counter'],
  container_network_transmit_bytes_total: ['Cumulative count of bytes transmitted', 'counter'],
  container_network_transmit_packets_total: ['Cumulative count of packets transmitted', 'counter'],
  container_network_transmit_errors_total: ['Cumulative count of errors encountered while transmitting', 'counter'],
  container_network_transmit_packets_dropped_total: [
    'Cumulative count of packets dropped while transmitting',
    'counter',
  ],
  container_fs_usage_bytes: ['Number of bytes that are consumed by the container on this filesystem.', 'gauge'],
  container_fs_limit_bytes: ['Number of bytes that can be consumed by the container on this filesystem.', 'gauge'],
  container_processes: ['Number of processes running inside the container.', 'gauge'],
  container_threads: ['Number of threads running inside the container', 'gauge'],
  container_last_seen: ['Last time a container was seen by the exporter', 'gauge'],
  container_start_time_seconds: ['Start time of the container since unix epoch in seconds.', 'gauge'],
  container_scrape_error: ['1 if there was an error while getting container metrics, 0 otherwise', 'gauge'],
  machine_cpu_cores: ['Number of logical CPU cores.', 'gauge'],
  machine_memory_bytes: ['Amount of memory installed on the machine.', 'gauge'],
};

const NETWORK: readonly [string, keyof InterfaceStats][] = [
  ['container_network_receive_bytes_total', 'rxBytes'],
  ['container_network_receive_packets_total', 'rxPackets'],
  ['container_network_receive_errors_total', 'rxErrors'],
  ['container_network_receive_packets_dropped_total', 'rxDropped'],
  ['container_network_transmit_bytes_total', 'txBytes'],
  ['container_network_transmit_packets_total', 'txPackets'],
  ['container_network_transmit_errors_total', 'txErrors'],
  ['container_network_transmit_packets_dropped_total', 'txDropped'],
];

type Labels = Record<string, string>;

export function cadvisorMetrics(n: NodeSample): MetricFamily[] {
  const samples = new Map<string, Sample[]>(Object.keys(HELP).map((k) => [k, []]));
  const put = (name: string, labels: Labels, value: number | undefined, timestampMs?: number): void => {
    if (value === undefined || !Number.isFinite(value)) return;
    samples.get(name)?.push({ labels, value, ...(timestampMs === undefined ? {} : { timestampMs }) });
  };
  const lastSeen = Math.floor(n.at / 1000);

  const root: Labels = { container: '', id: '/', image: '', name: '', namespace: '', pod: '' };
  put('container_cpu_usage_seconds_total', { ...root, cpu: 'total' }, n.cpuSeconds, n.at);
  put('container_memory_usage_bytes', root, n.memory?.usageBytes, n.at);
  put('container_memory_working_set_bytes', root, n.memory?.workingSetBytes, n.at);
  put('container_last_seen', root, lastSeen, n.at);

  for (const p of n.pods) {
    for (const c of p.containers) containerSeries(c, n, put, lastSeen);
    podNetwork(p, n.nodeName, put);
  }
  put('container_scrape_error', {}, n.scrapeError ? 1 : 0);
  put('machine_cpu_cores', {}, n.cpuCount);
  put('machine_memory_bytes', {}, n.memory?.totalBytes);
  return [...samples].map(([name, s]) => ({ name, help: HELP[name]![0], type: HELP[name]![1], samples: s }));
}

function containerSeries(
  c: ContainerSample,
  n: NodeSample,
  put: (name: string, labels: Labels, value: number | undefined, ts?: number) => void,
  lastSeen: number,
): void {
  const l: Labels = {
    container: c.name,
    id: c.cgroupsPath,
    image: c.image,
    name: c.id,
    namespace: c.pod.namespace,
    pod: c.pod.name,
  };
  const { cpu, memory } = c.stats;
  const at = c.at;
  if (cpu) {
    put('container_cpu_usage_seconds_total', { ...l, cpu: 'total' }, cpu.usageNanos / 1e9, at);
    put('container_cpu_user_seconds_total', l, cpu.userSeconds, at);
    put('container_cpu_system_seconds_total', l, cpu.systemSeconds, at);
    // As cAdvisor: CFS figures and the quota only for containers with a CPU limit.
    if (cpu.quotaUs !== undefined && cpu.quotaUs > 0) {
      put('container_cpu_cfs_periods_total', l, cpu.periods, at);
      put('container_cpu_cfs_throttled_periods_total', l, cpu.throttledPeriods, at);
      put(
        'container_cpu_cfs_throttled_seconds_total',
        l,
        cpu.throttledNanos === undefined ? undefined : cpu.throttledNanos / 1e9,
        at,
      );
      put('container_spec_cpu_quota', l, cpu.quotaUs);
    }
    put('container_spec_cpu_period', l, cpu.periodUs);
    put('container_spec_cpu_shares', l, cpu.shares);
  }
  if (memory) {
    put('container_memory_usage_bytes', l, memory.usageBytes, at);
    put('container_memory_working_set_bytes', l, memory.workingSetBytes, at);
    put('container_memory_rss', l, memory.rssBytes, at);
    put('container_memory_cache', l, memory.cacheBytes, at);
    put('container_memory_max_usage_bytes', l, memory.maxUsageBytes, at);
    put('container_memory_swap', l, memory.swapBytes, at);
    put('container_memory_failcnt', l, memory.failcnt, at);
    put('container_oom_events_total', l, memory.oomKills, at);
    put(
      'container_spec_memory_limit_bytes',
      l,
      memory.limitBytes === undefined ? undefined : memory.limitBytes >= UNLIMITED ? 0 : memory.limitBytes,
    );
  }
  if (c.writableLayerBytes !== undefined && n.fs) {
    put('container_fs_usage_bytes', { ...l, device: n.fs.device }, c.writableLayerBytes, at);
    put('container_fs_limit_bytes', { ...l, device: n.fs.device }, n.fs.capacityBytes, at);
  }
  put('container_processes', l, c.stats.processes, at);
  put('container_threads', l, c.stats.threads, at);
  put('container_last_seen', l, lastSeen, at);
  put('container_start_time_seconds', l, c.startTime);
}

function podNetwork(
  p: PodSample,
  nodeName: string,
  put: (name: string, labels: Labels, value: number | undefined, ts?: number) => void,
): void {
  if (!p.interfaces) return;
  const l: Labels = {
    container: '',
    id: `${nodeCgroupParent(nodeName)}/${p.sandboxId}`,
    image: '',
    name: p.sandboxId,
    namespace: p.pod.namespace,
    pod: p.pod.name,
  };
  for (const i of p.interfaces)
    for (const [metric, field] of NETWORK) put(metric, { ...l, interface: i.name }, i[field] as number, p.at);
}
