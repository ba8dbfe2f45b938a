// The monitoring operator's runner: informers on ServiceMonitors, PodMonitors, PrometheusRules and
// AlertmanagerConfigs; on any change (debounced) one pass renders the desired configuration,
// applies it through the Applier (checked, reloaded, last good kept) and writes each object's
// Accepted condition. start()/stop().
import { join } from 'node:path';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { Informer, KubeClient, componentUserAgent, installCrds, silentLogger, type Logger } from '@wharf/client';
import { Applier, type Verdict } from './apply.js';
import { MONITORING_CRDS, MONITORING_KINDS, kindPath } from './crds.js';
import { desired, objectKey, statusChanged, statusFor, type Observed } from './reconcile.js';
import type { BaseAlertmanagerConfig } from './render-alertmanager.js';
import type { PrometheusSettings } from './render-prometheus.js';
import { realTools, type Tools } from './tools.js';
import type { MonitoringObject } from './types.js';

export interface MonitoringOperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Where prometheus.yml and rules/ are written (what Prometheus reads). */
  readonly configDir: string;
  readonly prometheus: Omit<PrometheusSettings, 'rulesDir'>;
  /** Prometheus's base URL for /-/reload. @default none: files only */
  readonly prometheusUrl?: string;
  /** alertmanager.yml's path. @default none: AlertmanagerConfigs are not applied */
  readonly alertmanagerConfigFile?: string;
  readonly alertmanagerUrl?: string;
  /** @default defaults of renderAlertmanagerConfig */
  readonly alertmanager?: BaseAlertmanagerConfig;
  /** @default realTools() */
  readonly tools?: Tools;
  /** Create the CRDs at start. @default true */
  readonly installCrds?: boolean;
  /** Changes arriving within this window are applied in one pass. @default 300 */
  readonly debounceMs?: number;
  /** @default silentLogger */
  readonly logger?: Logger;
}

type Obj = MonitoringObject<unknown> & KubernetesObject;

export class MonitoringOperator {
  private readonly client: KubeClient;
  private readonly logger: Logger;
  private readonly informers = new Map<string, Informer<Obj>>();
  private readonly applier: Applier;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Passes completed: tests and `wharf up` wait on it. */
  passes = 0;

  constructor(private readonly opts: MonitoringOperatorOptions) {
    this.client = new KubeClient(opts.kubeConfig, { userAgent: componentUserAgent('wharf-monitoring-operator') });
    this.logger = opts.logger ?? silentLogger;
    this.applier = new Applier(
      {
        rulesDir: join(opts.configDir, 'rules'),
        prometheusConfigFile: join(opts.configDir, 'prometheus.yml'),
        ...(opts.prometheusUrl ? { prometheusUrl: opts.prometheusUrl } : {}),
        ...(opts.alertmanagerConfigFile ? { alertmanagerConfigFile: opts.alertmanagerConfigFile } : {}),
        ...(opts.alertmanagerUrl ? { alertmanagerUrl: opts.alertmanagerUrl } : {}),
      },
      opts.tools ?? realTools(),
    );
  }

  async start(): Promise<void> {
    if (this.opts.installCrds !== false) await installCrds(this.client, MONITORING_CRDS);
    for (const k of MONITORING_KINDS) {
      const inf = new Informer<Obj>({
        client: this.client,
        path: kindPath(k),
        onError: (e) => this.logger.warn({ err: e, kind: k.kind }, 'monitoring operator: watch failed; retrying'),
      });
      // Our own status writes come back as updates: only spec changes (generation) and adds/deletes start a pass.
      inf.on((type, obj, old) => {
        if (type === 'update' && old?.metadata?.generation === obj.metadata?.generation) return;
        this.schedule();
      });
      this.informers.set(k.kind, inf);
    }
    await Promise.all([...this.informers.values()].map((i) => i.startSynced()));
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await this.running;
  }

  /** Runs a pass now (after the one in progress); resolves when it is done. */
  resync(): Promise<void> {
    this.running = this.running
      .then(() => this.pass())
      .catch((e: unknown) => this.logger.error({ err: e }, 'monitoring operator: pass failed'));
    return this.running;
  }

  private schedule(ms = this.opts.debounceMs ?? 300): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.resync();
    }, ms);
  }

  private list<T>(kind: string): T[] {
    return (this.informers.get(kind)?.list() ?? []) as unknown as T[];
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    const observed: Observed = {
      serviceMonitors: this.list('ServiceMonitor'),
      podMonitors: this.list('PodMonitor'),
      prometheusRules: this.list('PrometheusRule'),
      alertmanagerConfigs: this.list('AlertmanagerConfig'),
    };
    const d = desired(
      observed,
      { ...this.opts.prometheus, rulesDir: join(this.opts.configDir, 'rules') },
      this.opts.alertmanager ?? {},
    );
    const ruleVerdicts = await this.applier.applyRules(d.rules);
    const promVerdict = await this.applier.applyPrometheus(d.prometheus);
    const amVerdicts = await this.applier.applyAlertmanager(d.alertmanagerKeys, d.renderAlertmanager);
    if (!promVerdict.accepted)
      this.logger.warn(
        { reason: promVerdict.message },
        'prometheus refused the configuration; the last good one stays in force',
      );
    const now = new Date().toISOString();
    const writes: Promise<void>[] = [];
    const verdictOf = (kind: string, key: string): Verdict => {
      if (kind === 'PrometheusRule') {
        const v = ruleVerdicts.get(key) ?? promVerdict;
        return v.accepted ? promVerdict : v;
      }
      if (kind === 'AlertmanagerConfig') return amVerdicts.get(key) ?? { accepted: true, message: '' };
      return promVerdict;
    };
    for (const k of MONITORING_KINDS) {
      for (const obj of this.list<Obj>(k.kind)) {
        const next = statusFor(obj, k.kind, verdictOf(k.kind, objectKey(obj)), now);
        if (!statusChanged(obj, next)) continue;
        const path = `${kindPath(k).replace(/\/[^/]+$/, '')}/namespaces/${obj.metadata.namespace}/${k.plural}/${obj.metadata.name}/status`;
        writes.push(
          this.client
            .patch<unknown>(path, { status: { ...next, ignoredFields: next.ignoredFields ?? null } }, 'merge')
            .then(
              () => undefined,
              (e: unknown) =>
                this.logger.warn(
                  { err: e, kind: k.kind, key: objectKey(obj) },
                  'monitoring operator: status write failed',
                ),
            ),
        );
      }
    }
    await Promise.all(writes);
    this.passes++;
    this.logger.debug({ rules: d.rules.length, accepted: promVerdict.accepted }, 'monitoring configuration applied');
  }
}
