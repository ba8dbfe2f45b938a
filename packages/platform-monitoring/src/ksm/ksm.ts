// kube-state-metrics for Wharf: list/watch of the kinds through @wharf/client informers, turned
// into kube-state-metrics v2 families at scrape time (prom-client writes the exposition), served
// on /metrics; /healthz answers once every cache has synced. Talks only to the Kubernetes API, so
// it runs as a Deployment on any cluster or in-process in `wharf up`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { Registry, type Metric } from 'prom-client';
import { Informer, KubeClient, componentUserAgent, silentLogger, type Logger } from '@wharf/client';
import type { Family } from './family.js';
import { podFamilies } from './pods.js';
import { namespaceFamilies, nodeFamilies, pvcFamilies } from './cluster.js';
import { daemonSetFamilies, deploymentFamilies, jobFamilies, statefulSetFamilies } from './workloads.js';
import { applicationFamilies, rollbackSamples, type ApplicationRevisionLike } from './applications.js';

export interface KubeStateMetricsOptions {
  readonly kubeConfig: KubeConfig;
  /** 0 picks a free port. @default 8080 (kube-state-metrics' port) */
  readonly port?: number;
  /** @default '0.0.0.0' */
  readonly host?: string;
  /** @default silentLogger */
  readonly logger?: Logger;
}

interface Source {
  readonly path: string;
  readonly families: readonly Family<never>[];
}

/** Which collection feeds which families. */
const SOURCES: readonly Source[] = [
  { path: '/api/v1/pods', families: podFamilies },
  { path: '/api/v1/nodes', families: nodeFamilies },
  { path: '/api/v1/namespaces', families: namespaceFamilies },
  { path: '/api/v1/persistentvolumeclaims', families: pvcFamilies },
  { path: '/apis/apps/v1/deployments', families: deploymentFamilies },
  { path: '/apis/apps/v1/statefulsets', families: statefulSetFamilies },
  { path: '/apis/apps/v1/daemonsets', families: daemonSetFamilies },
  { path: '/apis/batch/v1/jobs', families: jobFamilies },
  { path: '/apis/platform.wharf.dev/v1alpha1/applications', families: applicationFamilies },
] as readonly Source[];
const REVISIONS = '/apis/platform.wharf.dev/v1alpha1/applicationrevisions';

type Values = { labels: Record<string, string>; value: number }[];

/** A prom-client metric whose samples are computed on each scrape (what registerMetric accepts). */
function computed(name: string, help: string, type: 'gauge' | 'counter', values: () => Values): Metric {
  return {
    name,
    help,
    type,
    get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: values() }),
  } as unknown as Metric; // prom-client's collector shape without its label bookkeeping
}

export class KubeStateMetrics {
  readonly registry = new Registry();
  private readonly informers = new Map<string, Informer<KubernetesObject>>();
  private server: http.Server | undefined;
  private readonly logger: Logger;

  constructor(private readonly opts: KubeStateMetricsOptions) {
    this.logger = opts.logger ?? silentLogger;
    const client = new KubeClient(opts.kubeConfig, { userAgent: componentUserAgent('kube-state-metrics') });
    const informer = (path: string): Informer<KubernetesObject> => {
      const i = new Informer<KubernetesObject>({
        client,
        path,
        onError: (e) => this.logger.debug({ err: e, path }, 'kube-state-metrics: list/watch failed; retrying'),
      });
      this.informers.set(path, i);
      return i;
    };
    for (const source of SOURCES) {
      const inf = informer(source.path);
      for (const f of source.families as readonly Family<KubernetesObject>[]) {
        this.registry.registerMetric(
          computed(f.name, f.help, f.type ?? 'gauge', () =>
            inf.list().flatMap((o) => f.samples(o).map((s) => ({ labels: { ...s.labels }, value: s.value }))),
          ),
        );
      }
    }
    const revisions = informer(REVISIONS);
    this.registry.registerMetric(
      computed(
        'wharf_application_rollbacks_total',
        'Rollbacks of an Application (manual and automatic).',
        'counter',
        () => rollbackSamples(revisions.list() as ApplicationRevisionLike[]),
      ),
    );
  }

  /** The /metrics port after start. */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Whether every list has completed once (a missing CRD's list never does: it is not waited for). */
  private synced = false;

  async start(): Promise<void> {
    for (const i of this.informers.values()) i.start();
    const core = [...this.informers].filter(([p]) => !p.includes('platform.wharf.dev')).map(([, i]) => i.synced);
    void Promise.all(core).then(() => (this.synced = true));
    this.server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz' || path === '/livez' || path === '/readyz') {
        res.writeHead(this.synced || path === '/livez' ? 200 : 503).end(this.synced ? 'OK' : 'caches not synced');
        return;
      }
      if (path !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        (e: unknown) => {
          this.logger.error({ err: e }, 'kube-state-metrics: rendering failed');
          res.writeHead(500).end();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.opts.port ?? 8080, this.opts.host ?? '0.0.0.0', () => resolve());
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    const s = this.server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
