// The ConfigSet controller's runner: ConfigSets and their version ConfigMaps from informers,
// the revisions' pins, and the API calls that carry out reconcileConfigSet's actions.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { isStatus, keyOf, QueueController, timestamp, type Informer } from '@wharf/client';
import { COLLECTIONS, labelledInformer, PLATFORM_LABEL_SELECTORS, type PlatformContext } from '../common/context.js';
import { type ApplicationRevision, type ConfigSet, LABELS, paths } from '../types.js';
import { reconcileConfigSet, type ConfigSetAction } from './reconcile.js';

export class ConfigSetController extends QueueController {
  private readonly configSets: Informer<ConfigSet>;
  private readonly configMaps: Informer<V1ConfigMap>;
  private readonly revisions: Informer<ApplicationRevision>;

  constructor(private readonly pctx: PlatformContext) {
    super(pctx, 'configset', 2);
    this.configSets = pctx.informers.for<ConfigSet>(COLLECTIONS.configSets);
    this.revisions = pctx.informers.for<ApplicationRevision>(COLLECTIONS.revisions);
    this.configMaps = labelledInformer<V1ConfigMap>(
      pctx,
      '/api/v1/configmaps',
      PLATFORM_LABEL_SELECTORS.versionConfigMaps,
    );
    this.configSets.on((_t, cs) => this.queue.add(keyOf(cs)));
    this.configMaps.on((_t, cm) => {
      const owner = cm.metadata?.labels?.[LABELS.configSet];
      if (owner) this.queue.add(`${cm.metadata?.namespace}/${owner}`);
    });
  }

  override start(): void {
    this.configMaps.start();
    super.start();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.configMaps.stop();
  }

  get synced(): Promise<void> {
    return this.configMaps.synced;
  }

  protected async sync(key: string): Promise<void> {
    const cs = this.configSets.getByKey(key);
    if (!cs || cs.metadata?.deletionTimestamp) return;
    const ns = cs.metadata?.namespace ?? '';
    const name = cs.metadata?.name ?? '';
    const configMaps = this.configMaps.list(ns).filter((cm) => cm.metadata?.labels?.[LABELS.configSet] === name);
    const pinned = new Set(
      this.revisions
        .list(ns)
        .flatMap((r) => (r.spec.config ?? []).filter((c) => c.configSet === name).map((c) => c.configMap)),
    );
    const actions = reconcileConfigSet(cs, { configMaps, pinned, now: String(timestamp(this.ctx.clock.now())) });
    for (const a of actions) await this.apply(cs, a);
  }

  private async apply(cs: ConfigSet, a: ConfigSetAction): Promise<void> {
    const ns = cs.metadata?.namespace ?? '';
    const c = this.ctx.client;
    switch (a.type) {
      case 'createConfigMap':
        try {
          await c.create(`/api/v1/namespaces/${ns}/configmaps`, a.configMap);
        } catch (e) {
          // Written before a crash or a lost status write: the cache shows it on the next sync.
          if (!isStatus(e, 409)) throw e;
        }
        return;
      case 'deleteConfigMap':
        await c.delete(`/api/v1/namespaces/${ns}/configmaps/${a.name}`).catch((e: unknown) => {
          if (!isStatus(e, 404)) throw e;
        });
        return;
      case 'status':
        await c.replace(`${paths.configSets(ns)}/${cs.metadata?.name}/status`, { ...cs, status: a.status });
        return;
      case 'published': {
        const by = a.version.author ? ` by ${a.version.author}` : '';
        const msg = a.version.message ? `: ${a.version.message}` : '';
        this.pctx.events.emit(
          cs,
          'Normal',
          'Published',
          `version ${a.version.version} published as ConfigMap ${a.version.configMap}${by}${msg}`,
        );
        this.pctx.logger.info(
          { namespace: ns, configSet: cs.metadata?.name, version: a.version.version },
          'config version published',
        );
        return;
      }
    }
  }
}
