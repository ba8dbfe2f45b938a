// The runner of reconcileSharing: shared ConfigSets of the platform namespace, their copies and
// the namespaces, from informers; copies written as ConfigSets in the target namespaces.
import type { V1Namespace } from '@kubernetes/client-node';
import { type Informer, isStatus, QueueController } from '@wharf/client';
import type { PlatformContext } from '../common/context.js';
import { COLLECTIONS } from '../common/context.js';
import { type ConfigSet, LABELS, PLATFORM_NAMESPACE, paths } from '../types.js';
import { reconcileSharing, sharedFromValue } from './sharing.js';

export class SharingController extends QueueController {
  private readonly configSets: Informer<ConfigSet>;
  private readonly namespaces: Informer<V1Namespace>;

  constructor(private readonly pctx: PlatformContext) {
    super(pctx, 'configset-sharing', 1);
    this.configSets = pctx.informers.for<ConfigSet>(COLLECTIONS.configSets);
    this.namespaces = pctx.informers.for<V1Namespace>('/api/v1/namespaces');
    this.configSets.on((_t, cs) => {
      if (cs.metadata?.namespace === PLATFORM_NAMESPACE) this.queue.add(cs.metadata.name ?? '');
      const origin = cs.metadata?.labels?.[LABELS.sharedFrom];
      if (origin?.startsWith(`${PLATFORM_NAMESPACE}.`)) this.queue.add(origin.slice(PLATFORM_NAMESPACE.length + 1));
    });
    this.namespaces.on(() => {
      for (const cs of this.configSets.list(PLATFORM_NAMESPACE))
        if (cs.spec.shareWith) this.queue.add(cs.metadata?.name ?? '');
    });
  }

  protected async sync(name: string): Promise<void> {
    const source = this.configSets.get(PLATFORM_NAMESPACE, name);
    const copies = this.configSets
      .list()
      .filter((c) => c.metadata?.name === name && c.metadata?.namespace !== PLATFORM_NAMESPACE);
    const c = this.ctx.client;
    for (const a of reconcileSharing(name, source, this.namespaces.list(), copies)) {
      switch (a.type) {
        case 'put':
          if (a.configSet.metadata?.resourceVersion)
            await c.replace(`${paths.configSets(a.namespace)}/${name}`, a.configSet);
          else await c.create(paths.configSets(a.namespace), a.configSet);
          this.pctx.logger.info(
            { configSet: name, namespace: a.namespace, sharedFrom: sharedFromValue(name) },
            'shared ConfigSet copied',
          );
          break;
        case 'delete':
          await c.delete(`${paths.configSets(a.namespace)}/${name}`).catch((e: unknown) => {
            if (!isStatus(e, 404)) throw e;
          });
          break;
        case 'conflict':
          if (source) this.pctx.events.emit(source, 'Warning', 'NotShared', a.message);
          break;
      }
    }
  }
}
