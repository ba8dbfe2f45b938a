// The PersistentVolume binder's runner: claims and volumes from informers, one queue keyed
// `claim:<ns>/<name>` and `volume:<name>`. Binding writes the volume's claimRef first and the
// claim's volumeName second, as upstream, so a crash between them leaves a pre-bound volume that
// the next pass completes; statuses go through the status subresources.
import type { V1Node, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { EventRecorder, isStatus, keyOf, QueueController, type ControllerContext, type Informer } from '@wharf/client';
import { NODES } from '../scheduler/scheduler.js';
import { BIND_COMPLETED, BOUND_BY_CONTROLLER, reconcileClaim, volumePhase, type ClaimAction } from './binder.js';

export const CLAIMS = '/api/v1/persistentvolumeclaims';
export const VOLUMES = '/api/v1/persistentvolumes';
export const STORAGE_CLASSES = '/apis/storage.k8s.io/v1/storageclasses';

export class PersistentVolumeBinder extends QueueController {
  private readonly claims: Informer<V1PersistentVolumeClaim>;
  private readonly volumes: Informer<V1PersistentVolume>;
  private readonly classes: Informer<V1StorageClass>;
  private readonly nodes: Informer<V1Node>;
  private readonly events: EventRecorder;
  /** The last event reason per claim, so a claim that keeps waiting is not reported every pass. */
  private readonly lastReason = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    super(ctx, 'persistentvolume-binder', 2);
    this.claims = ctx.informers.for<V1PersistentVolumeClaim>(CLAIMS);
    this.volumes = ctx.informers.for<V1PersistentVolume>(VOLUMES);
    this.classes = ctx.informers.for<V1StorageClass>(STORAGE_CLASSES);
    this.nodes = ctx.informers.for<V1Node>(NODES);
    this.events = new EventRecorder({
      client: ctx.client,
      component: 'persistentvolume-controller',
      clock: ctx.clock,
      onError: (e) => ctx.logger.warn({ err: e }, 'writing an event failed'),
    });
    this.claims.on((type, c) => {
      this.queue.add(`claim:${keyOf(c)}`);
      if (type === 'delete') this.lastReason.delete(keyOf(c));
      // A claim going away releases its volume.
      if (c.spec?.volumeName) this.queue.add(`volume:${c.spec.volumeName}`);
    });
    this.volumes.on((_type, v) => {
      this.queue.add(`volume:${v.metadata?.name ?? ''}`);
      const ref = v.spec?.claimRef;
      if (ref?.name) this.queue.add(`claim:${ref.namespace ?? ''}/${ref.name}`);
      // A volume appearing or freed may serve a waiting claim.
      if (!ref) for (const c of this.claims.list()) if (!c.spec?.volumeName) this.queue.add(`claim:${keyOf(c)}`);
    });
    this.classes.on(() => {
      for (const c of this.claims.list()) if (!c.spec?.volumeName) this.queue.add(`claim:${keyOf(c)}`);
    });
  }

  protected async sync(key: string): Promise<void> {
    const [kind, rest = ''] = key.split(/:(.*)/s) as [string, string?];
    if (kind === 'volume') return this.syncVolume(rest);
    const claim = this.claims.getByKey(rest);
    if (!claim) return;
    const actions = reconcileClaim(claim, {
      volumes: this.volumes.list(),
      storageClass: (name) => this.classes.get('', name),
      node: (name) => this.nodes.get('', name),
    });
    for (const a of actions) await this.apply(claim, a);
  }

  private async apply(claim: V1PersistentVolumeClaim, a: ClaimAction): Promise<void> {
    const ns = claim.metadata?.namespace ?? '';
    const path = `/api/v1/namespaces/${ns}/persistentvolumeclaims/${claim.metadata?.name ?? ''}`;
    switch (a.type) {
      case 'claim-volume':
        await this.ctx.client.patch(`${VOLUMES}/${a.volume}`, {
          metadata: { annotations: { [BOUND_BY_CONTROLLER]: 'yes' } },
          spec: { claimRef: a.claimRef },
        });
        return;
      case 'bind-claim':
        await this.ctx.client.patch(path, {
          metadata: { annotations: { [BIND_COMPLETED]: 'yes' }, resourceVersion: claim.metadata?.resourceVersion },
          spec: { volumeName: a.volume },
        });
        return;
      case 'claim-status':
        await this.ctx.client.patch(`${path}/status`, { status: a.status }).catch((e: unknown) => {
          if (!isStatus(e, 404)) throw e;
        });
        return;
      case 'annotate-claim':
        await this.ctx.client.patch(path, { metadata: { annotations: a.annotations } });
        return;
      case 'event': {
        const k = keyOf(claim);
        if (this.lastReason.get(k) === a.reason) return;
        this.lastReason.set(k, a.reason);
        this.events.emit(
          { ...claim, apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
          a.warning ? 'Warning' : 'Normal',
          a.reason,
          a.message,
        );
        return;
      }
    }
  }

  private async syncVolume(name: string): Promise<void> {
    const v = this.volumes.get('', name);
    if (!v || v.metadata?.deletionTimestamp) return;
    const ref = v.spec?.claimRef;
    const claim = ref?.name ? this.claims.get(ref.namespace ?? '', ref.name) : undefined;
    // The informer may lag behind a claim just created: a Released verdict is checked with a GET.
    let phase = volumePhase(v, claim);
    if (phase === 'Released' && ref?.name) {
      const live = await this.ctx.client.getOptional<V1PersistentVolumeClaim>(
        `/api/v1/namespaces/${ref.namespace ?? ''}/persistentvolumeclaims/${ref.name}`,
      );
      phase = volumePhase(v, live ?? undefined);
    }
    if (v.status?.phase === phase || (phase === 'Released' && v.status?.phase === 'Failed')) return;
    await this.ctx.client.patch(`${VOLUMES}/${name}/status`, { status: { phase } }).catch((e: unknown) => {
      if (!isStatus(e, 404)) throw e;
    });
  }
}
