// The kubelet's /metrics/resource: its stable metric names, help texts and labels (container,
// pod, namespace), sampled values stamped with the time they were read. What metrics-server and
// `kubectl top` consume. Pod values are the sums of the pod's running containers (Wharf has no
// pod-level cgroup).
import type { ContainerSample, NodeSample } from './collector.js';
import type { MetricFamily, Sample } from './exposition.js';

const stable = (text: string): string => `[STABLE] ${text}`;
const alpha = (text: string): string => `[ALPHA] ${text}`;

export function resourceMetrics(n: NodeSample): MetricFamily[] {
  const containers = n.pods.flatMap((p) => p.containers);
  const cl = (c: ContainerSample): Record<string, string> => ({
    container: c.name,
    pod: c.pod.name,
    namespace: c.pod.namespace,
  });
  const each = (pick: (c: ContainerSample) => number | undefined, stamped = true): Sample[] =>
    containers.flatMap((c) => {
      const v = pick(c);
      return v === undefined ? [] : [{ labels: cl(c), value: v, ...(stamped ? { timestampMs: c.at } : {}) }];
    });
  const perPod = (pick: (c: ContainerSample) => number | undefined): Sample[] =>
    n.pods.flatMap((p) => {
      const values = p.containers.map(pick).filter((v): v is number => v !== undefined);
      return values.length
        ? [
            {
              labels: { pod: p.pod.name, namespace: p.pod.namespace },
              value: values.reduce((a, b) => a + b, 0),
              timestampMs: p.at,
            },
          ]
        : [];
    });
  const cpu = (c: ContainerSample): number | undefined => (c.stats.cpu ? c.stats.cpu.usageNanos / 1e9 : undefined);
  const ws = (c: ContainerSample): number | undefined => c.stats.memory?.workingSetBytes;
  const swap = (c: ContainerSample): number | undefined => c.stats.memory?.swapBytes;
  const node = (value: number | undefined): Sample[] =>
    value === undefined ? [] : [{ labels: {}, value, timestampMs: n.at }];
  return [
    {
      name: 'node_cpu_usage_seconds_total',
      help: stable('Cumulative cpu time consumed by the node in core-seconds'),
      type: 'counter',
      samples: node(n.cpuSeconds),
    },
    {
      name: 'node_memory_working_set_bytes',
      help: stable('Current working set of the node in bytes'),
      type: 'gauge',
      samples: node(n.memory?.workingSetBytes),
    },
    {
      name: 'node_swap_usage_bytes',
      help: alpha('Current swap usage of the node in bytes. Reported only on non-windows systems'),
      type: 'gauge',
      samples: node(n.memory?.swapUsedBytes),
    },
    {
      name: 'container_start_time_seconds',
      help: stable('Start time of the container since unix epoch in seconds'),
      type: 'gauge',
      samples: each((c) => c.startTime, false),
    },
    {
      name: 'container_cpu_usage_seconds_total',
      help: stable('Cumulative cpu time consumed by the container in core-seconds'),
      type: 'counter',
      samples: each(cpu),
    },
    {
      name: 'container_memory_working_set_bytes',
      help: stable('Current working set of the container in bytes'),
      type: 'gauge',
      samples: each(ws),
    },
    {
      name: 'container_swap_usage_bytes',
      help: alpha('Current amount of the container swap usage in bytes. Reported only on non-windows systems'),
      type: 'gauge',
      samples: each(swap),
    },
    {
      name: 'pod_cpu_usage_seconds_total',
      help: stable('Cumulative cpu time consumed by the pod in core-seconds'),
      type: 'counter',
      samples: perPod(cpu),
    },
    {
      name: 'pod_memory_working_set_bytes',
      help: stable('Current working set of the pod in bytes'),
      type: 'gauge',
      samples: perPod(ws),
    },
    {
      name: 'pod_swap_usage_bytes',
      help: alpha('Current amount of the pod swap usage in bytes. Reported only on non-windows systems'),
      type: 'gauge',
      samples: perPod(swap),
    },
    {
      name: 'resource_scrape_error',
      help: stable('1 if there was an error while getting container metrics, 0 otherwise'),
      type: 'gauge',
      samples: [{ labels: {}, value: n.scrapeError ? 1 : 0 }],
    },
  ];
}
