// client-go's workqueue metrics (k8s.io/client-go/util/workqueue, exported by controller-manager
// and scheduler): workqueue_depth, _adds_total, _queue_duration_seconds, _work_duration_seconds,
// _retries_total, _unfinished_work_seconds and _longest_running_processor_seconds, by queue name.
// Registered once per process on prom-client's default registry, which /metrics serves.
import { Counter, Gauge, Histogram, register } from 'prom-client';

/** client-go's buckets: 1 µs to 10 s, ×10. */
const BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10];

interface Families {
  depth: Gauge<'name'>;
  adds: Counter<'name'>;
  latency: Histogram<'name'>;
  work: Histogram<'name'>;
  retries: Counter<'name'>;
}

let families: Families | undefined;
/** Each named queue's running keys and when they started, for the two "now" gauges. */
const running = new Map<string, Map<string, number>>();

function metrics(): Families {
  if (families) return families;
  // Another copy of this module in the process (a bundled test) registered them already.
  if (register.getSingleMetric('workqueue_depth')) register.clear();
  const named = { labelNames: ['name'] as const };
  families = {
    depth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', ...named }),
    adds: new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', ...named }),
    latency: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested.',
      buckets: BUCKETS,
      ...named,
    }),
    work: new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      buckets: BUCKETS,
      ...named,
    }),
    retries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      ...named,
    }),
  };
  new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    ...named,
    help: "How many seconds of work has done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads.",
    collect() {
      const now = performance.now();
      for (const [name, keys] of running)
        this.set(
          { name },
          [...keys.values()].reduce((s, t) => s + (now - t) / 1000, 0),
        );
    },
  });
  new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    ...named,
    help: 'How many seconds has the longest running processor for workqueue been running.',
    collect() {
      const now = performance.now();
      for (const [name, keys] of running)
        this.set({ name }, Math.max(0, ...[...keys.values()].map((t) => (now - t) / 1000)));
    },
  });
  return families;
}

/** What one named queue reports; a queue without a name reports nothing. */
export class QueueMetrics {
  private readonly queued = new Map<string, number>();
  private readonly started: Map<string, number>;
  private readonly f = metrics();

  constructor(private readonly name: string) {
    this.started = running.get(name) ?? new Map<string, number>();
    running.set(name, this.started);
    this.f.depth.set({ name }, 0);
    this.f.adds.inc({ name }, 0);
    this.f.retries.inc({ name }, 0);
  }

  added(key: string, depth: number): void {
    this.f.adds.inc({ name: this.name });
    this.f.depth.set({ name: this.name }, depth);
    if (!this.queued.has(key)) this.queued.set(key, performance.now());
  }

  taken(key: string, depth: number): void {
    const now = performance.now();
    this.f.depth.set({ name: this.name }, depth);
    const at = this.queued.get(key);
    this.queued.delete(key);
    if (at !== undefined) this.f.latency.observe({ name: this.name }, (now - at) / 1000);
    this.started.set(key, now);
  }

  done(key: string): void {
    const at = this.started.get(key);
    this.started.delete(key);
    if (at !== undefined) this.f.work.observe({ name: this.name }, (performance.now() - at) / 1000);
  }

  retried(): void {
    this.f.retries.inc({ name: this.name });
  }
}

/** client-go's leader_election_master_status{name}: 1 while this process leads the named lease. */
export function leaderStatus(name: string, leading: boolean): void {
  const g =
    (register.getSingleMetric('leader_election_master_status') as Gauge<'name'> | undefined) ??
    new Gauge({
      name: 'leader_election_master_status',
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.",
      labelNames: ['name'],
    });
  g.set({ name }, leading ? 1 : 0);
}
