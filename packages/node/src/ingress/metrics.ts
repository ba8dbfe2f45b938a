// The gateway's request metrics under ingress-nginx's names and labels
// (nginx_ingress_controller_requests, nginx_ingress_controller_request_duration_seconds), so an
// app's QPS, error ratio and latency are the rate() queries its dashboards already use.
// Its own registry: the gateway runs in the dataplane process and serves it on its metrics port.
import { Counter, Histogram, Registry } from 'prom-client';
import type { Backend } from './routes.js';

/** ingress-nginx's default request-duration buckets. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABELS = ['ingress', 'namespace', 'service', 'host', 'method', 'status', 'controller_class'] as const;

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'nginx_ingress_controller_requests',
    help: 'The total number of client requests',
    labelNames: LABELS,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'nginx_ingress_controller_request_duration_seconds',
    help: 'The request processing time in seconds',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [this.registry],
  });

  constructor(private readonly className: string) {}

  /** Records the request when its response ends; `backend` undefined: no rule matched (404, no ingress). */
  track(
    method: string,
    host: string,
    backend: Backend | undefined,
    res: { statusCode: number; once(e: 'close', f: () => void): unknown },
  ): void {
    const started = performance.now();
    res.once('close', () => {
      const [namespace = '', ingress = ''] = backend?.ingress.split('/') ?? [];
      const labels = {
        ingress,
        namespace,
        service: backend?.service ?? '',
        host: host.replace(/:\d+$/, ''),
        method,
        status: String(res.statusCode),
        controller_class: this.className,
      };
      this.requests.inc(labels);
      this.duration.observe(labels, (performance.now() - started) / 1000);
    });
  }
}
