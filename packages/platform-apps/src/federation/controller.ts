// The federation controller's runner. It probes every MemberCluster through the kubeconfig in its
// Secret (Ready nodes, the kube-system namespace's UID as the cluster's ID, /version) every few
// seconds and writes the MemberCluster's status; it reconciles each placed Application by writing
// a copy with the member's share into every selected member, deleting copies where it is no longer
// placed (and all of them when it is deleted, behind a finalizer), and gathering the copies'
// status into the Application's. It speaks only the members' Kubernetes APIs.
import { KubeConfig, type V1Condition, type V1Namespace, type V1NodeList } from '@kubernetes/client-node';
import {
  componentUserAgent,
  type Informer,
  isStatus,
  KubeClient,
  PeriodicPass,
  QueueController,
  timestamp,
} from '@wharf/client';
import type { PlatformContext } from '../common/context.js';
import { COLLECTIONS } from '../common/context.js';
import { type Application, type MemberCluster, type MemberClusterStatus, paths, PLATFORM_NAMESPACE } from '../types.js';
import {
  copyCurrent,
  isOurCopy,
  memberCopy,
  type MemberView,
  placementStatus,
  selectedClusters,
  shares,
} from './reconcile.js';

export const FEDERATION_FINALIZER = 'platform.wharf.dev/federation';
const PROBE_MS = 3000;
/** Probes that must fail in a row before a member counts as unreachable (one lost answer is not an outage). */
const UNREACHABLE_AFTER = 2;
const MEMBER_TIMEOUT_MS = 4000;

interface Health {
  readonly healthy: boolean;
  readonly reachable: boolean;
  readonly reason: 'Healthy' | 'Unreachable' | 'NoReadyNodes' | 'InvalidKubeconfig' | 'ThisCluster';
  readonly message: string;
  readonly failures: number;
}

interface Member {
  readonly secretVersion: string;
  readonly client: KubeClient;
}

export class FederationController extends QueueController {
  private readonly apps: Informer<Application>;
  private readonly members: Informer<MemberCluster>;
  private readonly clients = new Map<string, Member>();
  private readonly health = new Map<string, Health>();
  private readonly probes: PeriodicPass;
  private ownID: string | undefined;

  constructor(private readonly pctx: PlatformContext) {
    super(pctx, 'federation', 2);
    this.apps = pctx.informers.for<Application>(COLLECTIONS.applications);
    this.members = pctx.informers.for<MemberCluster>(paths.memberClusters);
    this.apps.on((_t, a) => {
      if (a.spec?.placement || a.metadata?.finalizers?.includes(FEDERATION_FINALIZER)) this.queue.add(keyOf(a));
    });
    this.members.on(() => this.probes.kick(0));
    this.probes = new PeriodicPass({ clock: pctx.clock, run: () => this.probeAll() });
  }

  override start(): void {
    super.start();
    this.probes.start();
  }

  override async stop(): Promise<void> {
    await this.probes.stop();
    await super.stop();
    for (const m of this.clients.values()) m.client.close();
  }

  /** Probes every member, writes what changed, and reconciles the placed Applications again. */
  private async probeAll(): Promise<number> {
    this.ownID ??= await this.clusterID(this.ctx.client).catch(() => undefined);
    const names = new Set<string>();
    await Promise.all(
      this.members.list().map(async (m) => {
        const name = m.metadata?.name ?? '';
        names.add(name);
        const { health, status } = await this.probe(m, this.health.get(name));
        this.health.set(name, health);
        await this.writeStatus(m, health, status).catch((e: unknown) =>
          this.pctx.logger.debug({ err: e, member: name }, 'member status not written'),
        );
      }),
    );
    for (const name of [...this.clients.keys()]) {
      if (names.has(name)) continue;
      this.clients.get(name)?.client.close();
      this.clients.delete(name);
      this.health.delete(name);
    }
    // The copies' status changes on the members, which are not watched: gather it every pass.
    for (const a of this.apps.list()) if (a.spec?.placement) this.queue.add(keyOf(a));
    return PROBE_MS;
  }

  private async probe(
    m: MemberCluster,
    before: Health | undefined,
  ): Promise<{ health: Health; status: MemberClusterStatus }> {
    const client = await this.clientOf(m).catch((e: unknown) => e as Error);
    if (client instanceof Error) {
      const message = client.message;
      return {
        health: { healthy: false, reachable: false, reason: 'InvalidKubeconfig', message, failures: 0 },
        status: {},
      };
    }
    try {
      const [nodes, clusterID, version] = await Promise.all([
        client.get<V1NodeList>('/api/v1/nodes'),
        this.clusterID(client),
        client.get<{ gitVersion?: string }>('/version'),
      ]);
      const readyNodes = nodes.items.filter((n) =>
        n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      ).length;
      const status = { readyNodes, clusterID, ...(version.gitVersion ? { version: version.gitVersion } : {}) };
      if (clusterID === this.ownID) {
        const message = 'this is the cluster the Application is placed from: register other clusters';
        return { health: { healthy: false, reachable: true, reason: 'ThisCluster', message, failures: 0 }, status };
      }
      const health: Health = readyNodes
        ? { healthy: true, reachable: true, reason: 'Healthy', message: `${readyNodes} Ready nodes`, failures: 0 }
        : { healthy: false, reachable: true, reason: 'NoReadyNodes', message: 'no node is Ready', failures: 0 };
      return { health, status };
    } catch (e) {
      const failures = (before?.failures ?? 0) + 1;
      const message = `the member's API does not answer: ${(e as Error).message}`;
      // Until it failed UNREACHABLE_AFTER times in a row it keeps its share.
      const healthy = (before?.healthy ?? false) && failures < UNREACHABLE_AFTER;
      return { health: { healthy, reachable: false, reason: 'Unreachable', message, failures }, status: {} };
    }
  }

  private async clusterID(client: KubeClient): Promise<string> {
    const ns = await client.get<V1Namespace>('/api/v1/namespaces/kube-system');
    return ns.metadata?.uid ?? '';
  }

  /** The member's client, made again when its kubeconfig Secret changed. */
  private async clientOf(m: MemberCluster): Promise<KubeClient> {
    const name = m.metadata?.name ?? '';
    const ref = m.spec.kubeconfigSecret;
    const secret = await this.ctx.client.getOptional<{
      metadata?: { resourceVersion?: string };
      data?: Record<string, string>;
    }>(`/api/v1/namespaces/${PLATFORM_NAMESPACE}/secrets/${ref.name}`);
    if (!secret) throw new Error(`Secret ${PLATFORM_NAMESPACE}/${ref.name} not found`);
    const version = secret.metadata?.resourceVersion ?? '';
    const have = this.clients.get(name);
    if (have?.secretVersion === version) return have.client;
    const text = secret.data?.[ref.key ?? 'kubeconfig'];
    if (!text) throw new Error(`Secret ${PLATFORM_NAMESPACE}/${ref.name} has no key ${ref.key ?? 'kubeconfig'}`);
    const kc = new KubeConfig();
    try {
      kc.loadFromString(Buffer.from(text, 'base64').toString('utf8'));
    } catch (e) {
      throw new Error(
        `the kubeconfig in Secret ${PLATFORM_NAMESPACE}/${ref.name} is not valid: ${(e as Error).message}`,
      );
    }
    const client = new KubeClient(kc, {
      userAgent: componentUserAgent('wharf-federation'),
      requestTimeoutMs: MEMBER_TIMEOUT_MS,
      maxSockets: 4,
    });
    have?.client.close();
    this.clients.set(name, { secretVersion: version, client });
    return client;
  }

  private async writeStatus(m: MemberCluster, h: Health, probed: MemberClusterStatus): Promise<void> {
    const old = m.status ?? {};
    const oldReady = old.conditions?.find((c) => c.type === 'Ready');
    const status = h.healthy ? 'True' : 'False';
    const unchanged =
      oldReady?.status === status &&
      oldReady.reason === h.reason &&
      oldReady.message === h.message &&
      (!h.reachable ||
        (old.readyNodes === probed.readyNodes && old.version === probed.version && old.clusterID === probed.clusterID));
    if (unchanged) return;
    const ready: V1Condition = {
      type: 'Ready',
      status,
      reason: h.reason,
      message: h.message,
      lastTransitionTime:
        oldReady?.status === status && oldReady.lastTransitionTime
          ? oldReady.lastTransitionTime
          : (timestamp(this.ctx.clock.now()) as unknown as Date),
    };
    await this.ctx.client.patch(`${paths.memberClusters}/${m.metadata?.name}/status`, {
      status: { ...(h.reachable ? probed : {}), conditions: [ready] },
    });
    if (oldReady?.status !== status)
      this.pctx.events.emit(
        { ...m, apiVersion: 'platform.wharf.dev/v1alpha1', kind: 'MemberCluster' },
        h.healthy ? 'Normal' : 'Warning',
        h.healthy ? 'MemberHealthy' : 'MemberUnhealthy',
        h.message,
      );
  }

  protected async sync(key: string): Promise<void> {
    const app = this.apps.getByKey(key);
    if (!app || this.ownID === undefined) return;
    const placed = app.spec.placement && !app.metadata?.deletionTimestamp;
    if (!placed) {
      // A member that does not answer may still run a copy: the finalizer stays until it answers.
      if (!(await this.removeCopies(app, new Set())))
        throw new Error('a member cluster does not answer: its copy is removed once it does');
      await this.setFinalizer(app, false);
      return;
    }
    await this.setFinalizer(app, true);
    const members = this.members.list();
    const selected = selectedClusters(app.spec.placement ?? {}, members);
    const views: MemberView[] = await Promise.all(selected.map((name) => this.view(app, name)));
    const planned = shares(app, views);
    for (const v of views) {
      const h = this.health.get(v.name);
      if (!h?.reachable || h.reason === 'ThisCluster') continue;
      await this.writeCopy(app, v, planned.get(v.name) ?? {}).catch((e: unknown) => {
        this.pctx.logger.warn({ err: e, member: v.name, app: key }, 'writing the copy on a member failed');
      });
    }
    await this.removeCopies(app, new Set(selected));
    const placement = placementStatus(views, planned);
    if (JSON.stringify(placement) !== JSON.stringify(app.status?.placement ?? []))
      await this.ctx.client.patch(`${paths.applications(app.metadata?.namespace ?? '')}/${app.metadata?.name}/status`, {
        status: { placement },
      });
  }

  private async view(app: Application, name: string): Promise<MemberView> {
    const h = this.health.get(name);
    const healthy = h?.healthy ?? false;
    const message = h && !h.healthy ? h.message : undefined;
    const client = h?.reachable ? this.clients.get(name)?.client : undefined;
    const copy = client ? await client.getOptional<Application>(copyPath(app)).catch(() => undefined) : undefined;
    return { name, healthy, ...(message ? { message } : {}), ...(copy ? { copy } : {}) };
  }

  private async writeCopy(app: Application, v: MemberView, share: Record<string, number>): Promise<void> {
    const client = this.clients.get(v.name)?.client;
    if (!client) return;
    const want = memberCopy(app, share, this.ownID ?? '');
    if (v.copy && !isOurCopy(v.copy, app, this.ownID ?? ''))
      throw new Error(`an Application ${keyOf(app)} exists on ${v.name} and is not this cluster's copy`);
    if (copyCurrent(v.copy, want)) return;
    const ns = app.metadata?.namespace ?? '';
    if (!v.copy) {
      await client
        .create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
        .catch((e: unknown) => {
          if (!isStatus(e, 409)) throw e;
        });
      await client.create(paths.applications(ns), want);
    } else {
      const metadata = {
        ...v.copy.metadata,
        labels: { ...v.copy.metadata?.labels, ...want.metadata?.labels },
        annotations: { ...v.copy.metadata?.annotations, ...want.metadata?.annotations },
      };
      await client.replace(copyPath(app), { ...want, metadata });
    }
    this.pctx.logger.info({ member: v.name, app: keyOf(app), share }, 'member copy written');
  }

  /** Deletes this Application's copies from the members not in `keep`; false when one did not answer. */
  private async removeCopies(app: Application, keep: ReadonlySet<string>): Promise<boolean> {
    let all = true;
    for (const m of this.members.list()) {
      const name = m.metadata?.name ?? '';
      if (keep.has(name) || this.health.get(name)?.reason === 'ThisCluster') continue;
      const client = this.clients.get(name)?.client;
      if (!client || !this.health.get(name)?.reachable) {
        all = false;
        continue;
      }
      const copy = await client.getOptional<Application>(copyPath(app));
      if (copy && isOurCopy(copy, app, this.ownID ?? '')) await client.delete(copyPath(app));
    }
    return all;
  }

  private async setFinalizer(app: Application, on: boolean): Promise<void> {
    const have = app.metadata?.finalizers ?? [];
    if (have.includes(FEDERATION_FINALIZER) === on) return;
    const finalizers = on ? [...have, FEDERATION_FINALIZER] : have.filter((f) => f !== FEDERATION_FINALIZER);
    await this.ctx.client
      .patch(copyPath(app), { metadata: { finalizers, resourceVersion: app.metadata?.resourceVersion } })
      .catch((e: unknown) => {
        if (!isStatus(e, 404)) throw e;
      });
  }
}

function keyOf(a: Application): string {
  return `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
}

function copyPath(a: Application): string {
  return `${paths.applications(a.metadata?.namespace ?? '')}/${a.metadata?.name ?? ''}`;
}
