// The gateway's own metrics at GET /metrics, for the in-cluster Prometheus (deploy/notify's
// ServiceMonitor): webhooks received by answer code, delivery attempts by channel type and
// outcome, and how long a whole delivery (retries and fallback included) takes. A registry per
// gateway, so several in one process (tests) do not share counters.
import { Counter, Histogram, Registry } from 'prom-client';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly webhooks = new Counter({
    name: 'wharf_notify_webhooks_total',
    help: 'Alertmanager webhooks received, by answer code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly attempts = new Counter({
    name: 'wharf_notify_delivery_attempts_total',
    help: 'Delivery attempts to channels, by channel type and result (success/failure)',
    labelNames: ['type', 'result'],
    registers: [this.registry],
  });
  readonly deliveries = new Histogram({
    name: 'wharf_notify_delivery_duration_seconds',
    help: 'From a group received to delivered or abandoned, by result (delivered/abandoned)',
    labelNames: ['result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
