// The monitoring stack's Wharf parts in one start()/stop(): Prometheus's identity and token, the
// default rules, kube-state-metrics, the HTTP service discovery and the operator, with the
// platform's own scrape jobs for a Prometheus run beside the API server (`wharf up`). When
// kube-state-metrics and the discovery run as Deployments (deploy/monitoring/components.yaml),
// only their addresses are given and the operator points Prometheus at them.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  KubeClient,
  componentUserAgent,
  ensureServingCert,
  installCrds,
  isStatus,
  registerAggregatedApi,
  RequestHeaderAuth,
  silentLogger,
  type Logger,
} from '@wharf/client';
import { KubeStateMetrics } from '../ksm/ksm.js';
import { KubernetesSd, serveSd } from '../sd/server.js';
import { MonitoringOperator } from '../operator/operator.js';
import { MONITORING_CRDS } from '../operator/crds.js';
import { defaultRules } from '../rules/default-rules.js';
import { QUERY_CLUSTER_ROLE, ensureObjects, prometheusRbac, prometheusToken } from './rbac.js';
import { QUERY_GROUP, QUERY_SERVICE, QUERY_VERSION, QueryProxy } from '../query/proxy.js';
import { hostJobs } from './host-jobs.js';

export interface MonitoringStackOptions {
  readonly kubeConfig: KubeConfig;
  /** prometheus.yml, rules/ and the token are written here. */
  readonly configDir: string;
  /** The API server as the host's Prometheus reaches it, and its CA file. */
  readonly apiServer: {
    readonly url: string;
    readonly caFile: string;
    /** @default the token written to configDir */ readonly tokenFile?: string;
    /** The name to verify the certificate for, when url's host is not on it. @default none */
    readonly serverName?: string;
  };
  /** @default 'wharf-monitoring' */
  readonly namespace?: string;
  /** Where kube-state-metrics and the service discovery listen. @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly ksmPort?: number;
  /** @default 0 */
  readonly sdPort?: number;
  /** host:port of a kube-state-metrics run elsewhere (its Deployment): none is started here. @default none */
  readonly kubeStateMetrics?: string;
  /** Base URL of a service discovery run elsewhere (its Deployment): none is started here. @default none */
  readonly discoveryUrl?: string;
  /** Prometheus's base URL (reloads, and its own scrape job). @default none */
  readonly prometheusUrl?: string;
  readonly alertmanagerUrl?: string;
  readonly alertmanagerConfigFile?: string;
  /** @default '30s' */
  readonly scrapeInterval?: string;
  /** Every default alert's `for`, when set (demos, tests). @default each rule's own */
  readonly alertFor?: string;
  /**
   * Prometheus runs in a pod and scrapes the kubelets at their InternalIP:10250 (host-jobs.ts),
   * verified with apiServer.caFile and signed in with its token. @default false: through the API server
   */
  readonly kubeletDirect?: boolean;
  /** host:port of the Ingress gateway's metrics, read at each pass. @default none */
  readonly gatewayMetrics?: () => string | undefined;
  /**
   * Serve the Prometheus API through Wharf's API (query/proxy.ts), with a serving certificate of its own kept in
   * configDir. @default false
   */
  readonly queryProxy?: boolean;
  /** @default silentLogger */
  readonly logger?: Logger;
}

export class MonitoringStack {
  /** The in-process kube-state-metrics (none when opts.kubeStateMetrics names one elsewhere). */
  readonly ksm: KubeStateMetrics | undefined;
  readonly operator: MonitoringOperator;
  private query: QueryProxy | undefined;
  private sdServer: { readonly port: number; stop(): Promise<void> } | undefined;
  private readonly client: KubeClient;
  private readonly logger: Logger;
  private readonly namespace: string;

  constructor(private readonly opts: MonitoringStackOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.namespace = opts.namespace ?? 'wharf-monitoring';
    this.client = new KubeClient(opts.kubeConfig, { userAgent: componentUserAgent('wharf-monitoring') });
    this.ksm = opts.kubeStateMetrics
      ? undefined
      : new KubeStateMetrics({
          kubeConfig: opts.kubeConfig,
          port: opts.ksmPort ?? 0,
          host: opts.host ?? '127.0.0.1',
          logger: this.logger,
        });
    const host = opts.host ?? '127.0.0.1';
    const tokenFile = opts.apiServer.tokenFile ?? join(opts.configDir, 'token');
    const prometheusHost = opts.prometheusUrl ? new URL(opts.prometheusUrl).host : undefined;
    // Ports are known after start(); the operator reads them at each pass.
    const sdUrl = (): string => opts.discoveryUrl ?? `http://${host}:${this.sdPort}`;
    const ksmTarget = (): string => opts.kubeStateMetrics ?? `${host}:${this.ksm?.port ?? 0}`;
    this.operator = new MonitoringOperator({
      kubeConfig: opts.kubeConfig,
      configDir: opts.configDir,
      installCrds: false,
      logger: this.logger,
      ...(opts.prometheusUrl ? { prometheusUrl: opts.prometheusUrl } : {}),
      ...(opts.alertmanagerUrl ? { alertmanagerUrl: opts.alertmanagerUrl } : {}),
      ...(opts.alertmanagerConfigFile ? { alertmanagerConfigFile: opts.alertmanagerConfigFile } : {}),
      prometheus: {
        scrapeInterval: opts.scrapeInterval ?? '30s',
        evaluationInterval: opts.scrapeInterval ?? '30s',
        ...(opts.alertmanagerUrl ? { alertmanagers: [new URL(opts.alertmanagerUrl).host] } : {}),
        get discovery() {
          return { httpSd: sdUrl(), httpSdRefresh: '5s' };
        },
        get extraScrapeConfigs() {
          const gateway = opts.gatewayMetrics?.();
          return hostJobs({
            apiServer: opts.apiServer.url,
            caFile: opts.apiServer.caFile,
            tokenFile,
            discovery: this.discovery,
            ...(opts.apiServer.serverName ? { serverName: opts.apiServer.serverName } : {}),
            kubeStateMetrics: ksmTarget(),
            ...(gateway ? { gateway } : {}),
            ...(prometheusHost ? { prometheus: prometheusHost } : {}),
            ...(opts.kubeletDirect ? { kubeletDirect: true } : {}),
          });
        },
      },
    });
  }

  get sdPort(): number {
    return this.sdServer?.port ?? 0;
  }

  async start(): Promise<void> {
    mkdirSync(this.opts.configDir, { recursive: true });
    await installCrds(this.client, MONITORING_CRDS);
    await ensureObjects(this.client, prometheusRbac(this.namespace));
    const tokenFile = join(this.opts.configDir, 'token');
    writeFileSync(tokenFile, await prometheusToken(this.client, this.namespace), { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    await this.applyDefaultRules();
    if (!this.opts.discoveryUrl)
      this.sdServer = await serveSd(
        new KubernetesSd(this.client, this.logger),
        this.opts.host ?? '127.0.0.1',
        this.opts.sdPort ?? 0,
      );
    await this.ksm?.start();
    await this.operator.start();
    if (this.opts.queryProxy && this.opts.prometheusUrl) {
      const tls = ensureServingCert(
        join(this.opts.configDir, 'query-proxy-tls'),
        `${QUERY_SERVICE}.${this.namespace}.svc`,
      );
      this.query = new QueryProxy({
        prometheusUrl: this.opts.prometheusUrl,
        tls,
        auth: await RequestHeaderAuth.load(this.client),
        logger: this.logger,
      });
      await this.query.start();
      await ensureObjects(this.client, [QUERY_CLUSTER_ROLE]);
      await registerAggregatedApi(this.client, {
        group: QUERY_GROUP,
        version: QUERY_VERSION,
        namespace: this.namespace,
        service: QUERY_SERVICE,
        port: this.query.port,
        caBundle: tls.ca,
      });
    }
    this.logger.info(
      { ksmPort: this.ksm?.port, sdPort: this.sdPort, configDir: this.opts.configDir },
      'monitoring stack running',
    );
  }

  private async applyDefaultRules(): Promise<void> {
    const rule = defaultRules({
      namespace: this.namespace,
      ...(this.opts.alertFor ? { forOverride: this.opts.alertFor } : {}),
    });
    const path = `/apis/monitoring.coreos.com/v1/namespaces/${this.namespace}/prometheusrules`;
    try {
      await this.client.create(path, rule);
    } catch (e) {
      if (!isStatus(e, 409)) throw e;
      // Wharf owns this object: bring it to this build's rules (and `for` setting).
      await this.client.patch(`${path}/${rule.metadata.name}`, { spec: rule.spec }, 'merge');
    }
  }

  async stop(): Promise<void> {
    await this.query?.stop();
    await this.operator.stop();
    await this.ksm?.stop();
    await this.sdServer?.stop();
  }
}
