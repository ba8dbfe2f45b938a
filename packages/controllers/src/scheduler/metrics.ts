// kube-scheduler's metrics (pkg/scheduler/metrics) under their upstream names, so the scheduler
// dashboards read Wharf's: attempts by result, the attempt latency, pending pods by queue.
// On prom-client's default registry, which the API server's /metrics serves in-process.
import { Counter, Gauge, Histogram, register } from 'prom-client';

const PROFILE = 'default-scheduler';
/** kube-scheduler's exponential buckets: 1 ms ×2, 15 of them. */
const BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

export interface SchedulerMetrics {
  attempt(result: AttemptResult, seconds: number): void;
}

function family<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** The process's scheduler metrics; `pending` is read at scrape time. */
export function schedulerMetrics(pending: () => { active: number; unschedulable: number }): SchedulerMetrics {
  const attempts = family(
    'scheduler_schedule_attempts_total',
    () =>
      new Counter({
        name: 'scheduler_schedule_attempts_total',
        help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
        labelNames: ['result', 'profile'],
      }),
  );
  const latency = family(
    'scheduler_scheduling_attempt_duration_seconds',
    () =>
      new Histogram({
        name: 'scheduler_scheduling_attempt_duration_seconds',
        help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
        labelNames: ['result', 'profile'],
        buckets: BUCKETS,
      }),
  );
  register.removeSingleMetric('scheduler_pending_pods');
  new Gauge({
    name: 'scheduler_pending_pods',
    help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'unschedulable' means number of pods in unschedulablePods.",
    labelNames: ['queue'],
    collect() {
      const p = pending();
      this.set({ queue: 'active' }, p.active);
      this.set({ queue: 'unschedulable' }, p.unschedulable);
    },
  });
  for (const result of ['scheduled', 'unschedulable', 'error'] as const) attempts.inc({ result, profile: PROFILE }, 0);
  return {
    attempt(result, seconds) {
      attempts.inc({ result, profile: PROFILE });
      latency.observe({ result, profile: PROFILE }, seconds);
    },
  };
}
