// The API server's own /metrics, with kube-apiserver's names and labels so its dashboards and
// alert rules (apiserver_request_total, apiserver_request_duration_seconds, apiserver_storage_objects,
// apiserver_longrunning_requests, etcd_request_duration_seconds for the SQLite log) work unchanged.
// Served together with the process's default prom-client registry, where the in-process
// controllers and scheduler register workqueue_* and scheduler_*.
import { X509Certificate } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, register as processRegistry } from 'prom-client';
import type { RequestInfo } from '../rest/request-info.js';
import type { StoreOperation } from '../storage/index.js';

/** kube-apiserver's request-duration buckets (staging/src/k8s.io/apiserver/pkg/endpoints/metrics). */
const REQUEST_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];
/** etcd3 client buckets: kine's SQLite statements are measured against the same scale. */
const STORAGE_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];
const VERBS: Record<string, string> = { create: 'POST', update: 'PUT' };
const CONNECT = new Set(['exec', 'attach', 'portforward', 'proxy']);
const REQUEST_LABELS = [
  'verb',
  'dry_run',
  'group',
  'version',
  'resource',
  'subresource',
  'scope',
  'component',
] as const;

/** "pods", "deployments.apps": the resource label upstream gives storage metrics. */
export function storageResource(key: string): string {
  const [, , group = '', resource = ''] = key.split('/');
  return group === 'core' || group === '' ? resource : `${resource}.${group}`;
}

/**
 * The label values upstream records for a request: verbs upper-cased, CONNECT for streams, APPLY for server-side apply.
 */
export function requestLabels(
  ri: RequestInfo,
  contentType: string | undefined,
  dryRun: boolean,
): Record<(typeof REQUEST_LABELS)[number], string> {
  const sub = ri.subresource.split('/')[0] ?? '';
  // Upstream reports the HTTP method, told apart as LIST/WATCH/DELETECOLLECTION/APPLY/CONNECT.
  let verb = (VERBS[ri.verb] ?? ri.verb).toUpperCase();
  if (ri.resourceRequest && CONNECT.has(sub)) verb = 'CONNECT';
  else if (verb === 'PATCH' && (contentType ?? '').startsWith('application/apply-patch')) verb = 'APPLY';
  const scope = !ri.resourceRequest
    ? ''
    : ri.name && verb !== 'LIST'
      ? 'resource'
      : ri.namespace
        ? 'namespace'
        : 'cluster';
  return {
    verb,
    dry_run: dryRun ? 'All' : '',
    group: ri.group,
    version: ri.version,
    resource: ri.resource,
    subresource: sub,
    scope,
    component: 'apiserver',
  };
}

export class ApiServerMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    labelNames: [...REQUEST_LABELS, 'code'],
    registers: [this.registry],
  });
  private readonly durations = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    labelNames: REQUEST_LABELS,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  private readonly longRunning = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
    registers: [this.registry],
  });
  private readonly inflight = new Gauge({
    name: 'apiserver_current_inflight_requests',
    help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
    labelNames: ['request_kind'],
    registers: [this.registry],
  });
  private readonly storageLatency = new Histogram({
    name: 'etcd_request_duration_seconds',
    help: 'Etcd request latency in seconds for each operation and object type (here: the SQLite revision log).',
    labelNames: ['operation', 'type'],
    buckets: STORAGE_BUCKETS,
    registers: [this.registry],
  });

  constructor(counts: () => Map<string, number>) {
    // process_* and nodejs_* once per process (the footprint dashboards and benchmarks read).
    if (!processRegistry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
    new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [bucket, n] of counts()) this.set({ resource: storageResource(bucket) }, n);
      },
    });
  }

  /**
   * wharf_certificate_expiration_timestamp_seconds{certificate}: when each PEM certificate expires (the expiry alerts
   * read it).
   */
  certificates(pems: Readonly<Record<string, string>>): void {
    const expiry = Object.entries(pems).map(([certificate, pem]) => ({
      certificate,
      at: Date.parse(new X509Certificate(pem).validTo) / 1000,
    }));
    new Gauge({
      name: 'wharf_certificate_expiration_timestamp_seconds',
      help: 'When a certificate Wharf serves or trusts expires, in seconds since the epoch.',
      labelNames: ['certificate'],
      registers: [this.registry],
      collect() {
        for (const e of expiry) this.set({ certificate: e.certificate }, e.at);
      },
    });
  }

  /** Call when a request starts; the returned function records it when it ends. */
  begin(ri: RequestInfo, contentType: string | undefined, dryRun: boolean): (code: number) => void {
    const started = performance.now();
    const labels = requestLabels(ri, contentType, dryRun);
    const long = labels.verb === 'WATCH' || labels.verb === 'CONNECT';
    const { dry_run: _dry, ...longLabels } = labels;
    const kind =
      ['GET', 'LIST', 'WATCH', 'CONNECT'].includes(labels.verb) || !ri.resourceRequest ? 'readOnly' : 'mutating';
    if (long) this.longRunning.inc(longLabels);
    else this.inflight.inc({ request_kind: kind });
    return (code) => {
      if (long) this.longRunning.dec(longLabels);
      else this.inflight.dec({ request_kind: kind });
      this.requests.inc({ ...labels, code: String(code) });
      this.durations.observe(labels, (performance.now() - started) / 1000);
    };
  }

  storageTiming(operation: StoreOperation, key: string, seconds: number): void {
    this.storageLatency.observe({ operation, type: storageResource(key) }, seconds);
  }

  /** This server's metrics and the process's (controllers, scheduler, Node.js runtime) in one exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([this.registry, processRegistry]);
    return { contentType: this.registry.contentType, body: await merged.metrics() };
  }
}
