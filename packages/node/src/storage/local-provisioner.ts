// The node-local dynamic provisioner (`wharf.dev/local-path`), one per host beside the node agents,
// as the Service proxy is: for a claim its class hands to this provisioner and the scheduler
// placed on one of this host's nodes, it makes a directory under that node's volumes dir and a
// `local` PersistentVolume pinned to the node and pre-bound to the claim (the binder completes
// the binding). A Released volume of reclaim policy Delete loses its directory and its object; a
// claim grown under a class that allows expansion grows its volume (directories have no size to
// resize: the new size is recorded). Each node's free space is published as a
// CSIStorageCapacity per class, which the scheduler reads for WaitForFirstConsumer claims.
import { mkdir, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import type {
  KubeConfig,
  V1CSIStorageCapacity,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
} from '@kubernetes/client-node';
import { quantityValue } from '@wharf/api';
import {
  componentUserAgent,
  Informer,
  isStatus,
  KubeClient,
  keyOf,
  silentLogger,
  WorkQueue,
  runWorkers,
  type Logger,
} from '@wharf/client';

export const LOCAL_PROVISIONER = 'wharf.dev/local-path';
export const DEFAULT_CLASS = 'local-path';
const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const CAPACITY_NAMESPACE = 'kube-system';

export interface LocalNodeStorage {
  readonly node: string;
  /** Where this node's volumes live; each volume is a directory `pvc-<claim uid>` in it. */
  readonly dir: string;
}

export interface LocalProvisionerOptions {
  readonly kubeConfig: KubeConfig;
  /** This host's nodes; a function is asked again each time (nodes that join later, e.g. `wharf agent`). */
  readonly nodes: readonly LocalNodeStorage[] | (() => readonly LocalNodeStorage[]);
  readonly logger?: Logger;
  /** How often free space is re-published. @default 60000 */
  readonly capacityEveryMs?: number;
}

/** The class `wharf up` installs when none exists: the default for claims that name none. */
export function defaultStorageClass(): V1StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: LOCAL_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  };
}

/** The PersistentVolume made for `claim` on `node` in `dir`. */
export function volumeFor(
  claim: V1PersistentVolumeClaim,
  sc: V1StorageClass,
  node: string,
  dir: string,
): V1PersistentVolume {
  const uid = claim.metadata?.uid ?? '';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `pvc-${uid}`, annotations: { [PROVISIONED_BY]: LOCAL_PROVISIONER } },
    spec: {
      capacity: { storage: String(claim.spec?.resources?.requests?.storage ?? '0') },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name ?? '',
      volumeMode: 'Filesystem',
      local: { path: path.join(dir, `pvc-${uid}`) },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
          ],
        },
      },
      claimRef: {
        kind: 'PersistentVolumeClaim',
        apiVersion: 'v1',
        namespace: claim.metadata?.namespace ?? '',
        name: claim.metadata?.name ?? '',
        uid,
      },
    },
  };
}

export class LocalProvisioner {
  private readonly client: KubeClient;
  private readonly claims: Informer<V1PersistentVolumeClaim>;
  private readonly volumes: Informer<V1PersistentVolume>;
  private readonly classes: Informer<V1StorageClass>;
  private readonly queue = new WorkQueue();
  private readonly logger: Logger;
  private workers: Promise<void> | undefined;
  private capacityTimer: NodeJS.Timeout | undefined;

  /** This host's nodes and their volume dirs, as of now. */
  private get byNode(): Map<string, string> {
    const nodes = typeof this.o.nodes === 'function' ? this.o.nodes() : this.o.nodes;
    return new Map(nodes.map((n) => [n.node, n.dir]));
  }

  constructor(private readonly o: LocalProvisionerOptions) {
    this.client = new KubeClient(o.kubeConfig, { userAgent: componentUserAgent('local-path-provisioner') });
    this.logger = o.logger ?? silentLogger;
    const warn =
      (what: string) =>
      (e: unknown): void =>
        this.logger.warn({ err: e }, `${what} watch failed; resuming`);
    this.claims = new Informer({ client: this.client, path: '/api/v1/persistentvolumeclaims', onError: warn('claim') });
    this.volumes = new Informer({ client: this.client, path: '/api/v1/persistentvolumes', onError: warn('volume') });
    this.classes = new Informer({
      client: this.client,
      path: '/apis/storage.k8s.io/v1/storageclasses',
      onError: warn('storage class'),
    });
    this.claims.on((_t, c) => this.queue.add(`claim:${keyOf(c)}`));
    this.volumes.on((_t, v) => this.queue.add(`volume:${v.metadata?.name ?? ''}`));
  }

  async start(): Promise<void> {
    await this.ensureDefaultClass();
    await Promise.all([this.classes.startSynced(), this.volumes.startSynced(), this.claims.startSynced()]);
    this.workers = runWorkers(
      this.queue,
      2,
      (k) => this.sync(k),
      (k, e) => this.logger.warn({ err: e, key: k }, 'local provisioner: sync failed; retrying'),
    );
    for (const c of this.claims.list()) this.queue.add(`claim:${keyOf(c)}`);
    for (const v of this.volumes.list()) this.queue.add(`volume:${v.metadata?.name ?? ''}`);
    await this.publishCapacity();
    const every = this.o.capacityEveryMs ?? 60_000;
    const tick = (): void => {
      this.capacityTimer = setTimeout(() => void this.publishCapacity().finally(tick), every);
      this.capacityTimer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    if (this.capacityTimer) clearTimeout(this.capacityTimer);
    this.queue.shutDown();
    await this.workers;
    await Promise.all([this.claims.stop(), this.volumes.stop(), this.classes.stop()]);
    this.client.close();
  }

  private async ensureDefaultClass(): Promise<void> {
    if (await this.client.getOptional(`/apis/storage.k8s.io/v1/storageclasses/${DEFAULT_CLASS}`)) return;
    await this.client.create('/apis/storage.k8s.io/v1/storageclasses', defaultStorageClass()).catch((e: unknown) => {
      if (!isStatus(e, 409)) throw e;
    });
  }

  private classOf(claim: V1PersistentVolumeClaim): V1StorageClass | undefined {
    const sc = claim.spec?.storageClassName ? this.classes.get('', claim.spec.storageClassName) : undefined;
    return sc?.provisioner === LOCAL_PROVISIONER ? sc : undefined;
  }

  private async sync(key: string): Promise<void> {
    const [kind, rest = ''] = key.split(/:(.*)/s) as [string, string?];
    if (kind === 'volume') return this.syncVolume(rest);
    const claim = this.claims.getByKey(rest);
    if (!claim || claim.metadata?.deletionTimestamp) return;
    const sc = this.classOf(claim);
    if (!sc) return;
    if (claim.spec?.volumeName) return this.expand(claim, sc);
    if (claim.metadata?.annotations?.[STORAGE_PROVISIONER] !== LOCAL_PROVISIONER) return;
    const node =
      claim.metadata.annotations[SELECTED_NODE] ??
      (sc.volumeBindingMode === 'WaitForFirstConsumer' ? undefined : await this.roomiestNode());
    const dir = node ? this.byNode.get(node) : undefined;
    if (!node || !dir) return; // another host's node, or not placed yet
    const pv = volumeFor(claim, sc, node, dir);
    if (this.volumes.get('', pv.metadata?.name ?? '')) return;
    await mkdir(pv.spec!.local!.path, { recursive: true, mode: 0o777 });
    try {
      await this.client.create('/api/v1/persistentvolumes', pv);
      this.logger.info({ claim: rest, volume: pv.metadata?.name, node }, 'provisioned a local volume');
    } catch (e) {
      if (!isStatus(e, 409)) throw e;
    }
    void this.publishCapacity();
  }

  /** A Released volume of ours with reclaim policy Delete: its directory, then its object. */
  private async syncVolume(name: string): Promise<void> {
    const v = this.volumes.get('', name);
    if (!v || v.metadata?.annotations?.[PROVISIONED_BY] !== LOCAL_PROVISIONER) return;
    if (v.status?.phase !== 'Released' || (v.spec?.persistentVolumeReclaimPolicy ?? 'Delete') !== 'Delete') return;
    const dir = this.ownDirectory(v);
    if (dir === undefined) return; // another host's volume
    await rm(dir, { recursive: true, force: true });
    await this.client.delete(`/api/v1/persistentvolumes/${name}`).catch((e: unknown) => {
      if (!isStatus(e, 404)) throw e;
    });
    this.logger.info({ volume: name }, 'deleted a released local volume and its directory');
    void this.publishCapacity();
  }

  /** The volume's directory when it lies directly in one of this host's node dirs (never anything else). */
  private ownDirectory(v: V1PersistentVolume): string | undefined {
    const p = v.spec?.local?.path;
    if (!p) return undefined;
    const resolved = path.resolve(p);
    for (const dir of this.byNode.values()) {
      if (path.dirname(resolved) === path.resolve(dir) && /^pvc-[0-9a-f-]+$/.test(path.basename(resolved)))
        return resolved;
    }
    return undefined;
  }

  /** A bound claim asking for more than its volume holds: the volume grows (offline: nothing to resize on disk). */
  private async expand(claim: V1PersistentVolumeClaim, sc: V1StorageClass): Promise<void> {
    const v = this.volumes.get('', claim.spec?.volumeName ?? '');
    if (!v || v.metadata?.annotations?.[PROVISIONED_BY] !== LOCAL_PROVISIONER || this.ownDirectory(v) === undefined)
      return;
    const wanted = claim.spec?.resources?.requests?.storage;
    const want = quantityValue(wanted) ?? 0;
    const have = quantityValue(v.spec?.capacity?.storage) ?? 0;
    if (want > have && sc.allowVolumeExpansion) {
      await this.client.patch(`/api/v1/persistentvolumes/${v.metadata?.name}`, {
        spec: { capacity: { storage: String(wanted) } },
      });
      this.logger.info({ claim: keyOf(claim), from: v.spec?.capacity?.storage, to: wanted }, 'expanded a local volume');
    }
    const size = want > have && sc.allowVolumeExpansion ? String(wanted) : String(v.spec?.capacity?.storage ?? '');
    if (
      claim.status?.phase === 'Bound' &&
      claim.status.capacity?.storage !== size &&
      want <= (quantityValue(size) ?? 0)
    ) {
      await this.client.patch(
        `/api/v1/namespaces/${claim.metadata?.namespace}/persistentvolumeclaims/${claim.metadata?.name}/status`,
        {
          status: { capacity: { storage: size }, allocatedResources: { storage: size } },
        },
      );
    }
  }

  private async freeBytes(dir: string): Promise<number> {
    await mkdir(dir, { recursive: true });
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  }

  private async roomiestNode(): Promise<string | undefined> {
    let best: { node: string; free: number } | undefined;
    for (const [node, dir] of this.byNode) {
      const free = await this.freeBytes(dir).catch(() => 0);
      if (!best || free > best.free) best = { node, free };
    }
    return best?.node;
  }

  private publishing: Promise<void> | undefined;
  private publishAgain = false;

  /**
   * Publishes capacity now, or once more after the pass in flight: a burst of provisions and
   * deletions makes at most one extra pass, not one each.
   */
  private publishCapacity(): Promise<void> {
    if (this.publishing) {
      this.publishAgain = true;
      return this.publishing;
    }
    this.publishing = (async () => {
      do {
        this.publishAgain = false;
        await this.publishCapacityOnce();
      } while (this.publishAgain);
    })().finally(() => {
      this.publishing = undefined;
    });
    return this.publishing;
  }

  /** One CSIStorageCapacity per node and local-path class: the free space of the node's volumes dir. */
  private async publishCapacityOnce(): Promise<void> {
    const classes = this.classes.list().filter((sc) => sc.provisioner === LOCAL_PROVISIONER);
    const base = `/apis/storage.k8s.io/v1/namespaces/${CAPACITY_NAMESPACE}/csistoragecapacities`;
    try {
      for (const [node, dir] of this.byNode) {
        const free = await this.freeBytes(dir);
        for (const sc of classes) {
          const name = `local-path-${node}-${sc.metadata?.name ?? ''}`
            .toLowerCase()
            .replace(/[^a-z0-9.-]/g, '-')
            .slice(0, 253);
          const obj: V1CSIStorageCapacity = {
            apiVersion: 'storage.k8s.io/v1',
            kind: 'CSIStorageCapacity',
            metadata: {
              name,
              namespace: CAPACITY_NAMESPACE,
              labels: { 'app.kubernetes.io/managed-by': 'wharf-local-path' },
            },
            storageClassName: sc.metadata?.name ?? '',
            nodeTopology: { matchLabels: { 'kubernetes.io/hostname': node } },
            capacity: String(free),
          };
          const current = await this.client.getOptional<V1CSIStorageCapacity>(`${base}/${name}`);
          if (!current) await this.client.create(base, obj);
          else if (String(current.capacity) !== String(free))
            await this.client.patch(`${base}/${name}`, { capacity: String(free) });
        }
      }
    } catch (e) {
      this.logger.warn({ err: e }, 'publishing storage capacity failed');
    }
  }
}
