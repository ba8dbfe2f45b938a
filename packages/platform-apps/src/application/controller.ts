// The Application controller's runner: informers (the objects it made are read through an index
// by application, never every pod of the cluster), the work queue, and the API calls that carry
// out reconcileApplication's actions.
import type {
  KubernetesObject,
  V1ConfigMap,
  V1Deployment,
  V1Ingress,
  V1Pod,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { type Informer, isStatus, keyOf, QueueController } from '@wharf/client';
import { COLLECTIONS, labelledInformer, PLATFORM_LABEL_SELECTORS, type PlatformContext } from '../common/context.js';
import { hashOf } from '../common/hash.js';
import { appLabels, SERVING } from '../common/labels.js';
import {
  ANNOTATIONS,
  type Application,
  type ApplicationRevision,
  type ArtifactDelivery,
  type ConfigSet,
  LABELS,
  paths,
} from '../types.js';
import type { SecretInfo } from './inputs.js';
import { reconcileApplication, type AppAction } from './reconcile.js';
import type { DueReload } from './reload.js';
import { MIRROR_OF } from './workload.js';

export interface ApplicationControllerOptions {
  /** Artifact delivery for `artifactDelivery: auto`, resolved at start. */
  readonly delivery: ArtifactDelivery;
  /** How long pods are out of the Service before they are deleted. */
  readonly drainMs: number;
  /** The URL of an exposed host and path on the cluster's Ingress gateway. */
  readonly urlOf: (host: string | undefined, path: string) => string;
  /**
   * Runs a command in a pod's container (pods/exec) and answers its exit code; exec reloads need it. @default exec
   * reloads fail
   */
  readonly exec?: (namespace: string, pod: string, container: string, command: readonly string[]) => Promise<number>;
}

const APP_INDEX = 'application';
/** The ReplicaSet removes pods with the lowest cost first (upstream's annotation). */
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
const appIndex = (o: KubernetesObject): string[] => {
  const app = o.metadata?.labels?.[LABELS.application];
  return app ? [`${o.metadata?.namespace}/${app}`] : [];
};

/** Whether the object came from a Secret snapshot the platform made. */
const SNAPSHOT_OF = 'platform.wharf.dev/snapshot-of';

/** The content hash of a Secret (the same the inputs pin): values hashed, never kept. */
export const secretHash = (s: V1Secret): string => hashOf({ data: s.data ?? {}, stringData: s.stringData ?? {} });

const API: Record<string, (ns: string) => string> = {
  Deployment: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
  Service: (ns) => `/api/v1/namespaces/${ns}/services`,
  Ingress: (ns) => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
  ConfigMap: (ns) => `/api/v1/namespaces/${ns}/configmaps`,
  Secret: (ns) => `/api/v1/namespaces/${ns}/secrets`,
  ApplicationRevision: paths.revisions,
};

export class ApplicationController extends QueueController {
  private readonly apps: Informer<Application>;
  private readonly revisions: Informer<ApplicationRevision>;
  private readonly configSets: Informer<ConfigSet>;
  private readonly secrets: Informer<V1Secret>;
  private readonly owned: {
    deployments: Informer<V1Deployment>;
    pods: Informer<V1Pod>;
    services: Informer<V1Service>;
    ingresses: Informer<V1Ingress>;
    configMaps: Informer<V1ConfigMap>;
  };

  constructor(
    private readonly pctx: PlatformContext,
    private readonly opts: ApplicationControllerOptions,
  ) {
    super(pctx, 'application', 4);
    this.apps = pctx.informers.for<Application>(COLLECTIONS.applications);
    this.revisions = pctx.informers.for<ApplicationRevision>(COLLECTIONS.revisions);
    this.configSets = pctx.informers.for<ConfigSet>(COLLECTIONS.configSets);
    this.secrets = pctx.informers.for<V1Secret>(COLLECTIONS.secrets);
    const sel = PLATFORM_LABEL_SELECTORS.appObjects;
    this.owned = {
      deployments: labelledInformer(pctx, COLLECTIONS.deployments, sel),
      pods: labelledInformer(pctx, COLLECTIONS.pods, sel),
      services: labelledInformer(pctx, '/api/v1/services', sel),
      ingresses: labelledInformer(pctx, '/apis/networking.k8s.io/v1/ingresses', sel),
      configMaps: labelledInformer(pctx, '/api/v1/configmaps', sel),
    };
    this.revisions.addIndexer(APP_INDEX, appIndex);
    this.secrets.addIndexer(APP_INDEX, appIndex);
    for (const inf of Object.values(this.owned)) {
      inf.addIndexer(APP_INDEX, appIndex);
      inf.on((_t, o) => appIndex(o).forEach((k) => this.queue.add(k)));
    }
    this.revisions.on((_t, o) => appIndex(o).forEach((k) => this.queue.add(k)));
    this.apps.on((_t, a) => this.queue.add(keyOf(a)));
    this.configSets.on((_t, cs) =>
      this.enqueueReaders(cs.metadata?.namespace ?? '', (c) =>
        (c.config ?? []).some((r) => r.configSet === cs.metadata?.name),
      ),
    );
    this.secrets.on((_t, s) => {
      if (s.metadata?.labels?.[SNAPSHOT_OF]) return;
      this.enqueueReaders(s.metadata?.namespace ?? '', (c) =>
        (c.secrets ?? []).some((r) => r.secret === s.metadata?.name),
      );
    });
  }

  private enqueueReaders(ns: string, reads: (c: Application['spec']['components'][number]) => boolean): void {
    for (const a of this.apps.list(ns)) if (a.spec.components.some(reads)) this.queue.add(keyOf(a));
  }

  override start(): void {
    for (const inf of Object.values(this.owned)) inf.start();
    super.start();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all(Object.values(this.owned).map((i) => i.stop()));
  }

  get synced(): Promise<void> {
    return Promise.all(Object.values(this.owned).map((i) => i.synced)).then(() => undefined);
  }

  protected async sync(key: string): Promise<void> {
    const app = this.apps.getByKey(key);
    // A placed Application runs on its member clusters (the federation controller), not here.
    if (!app || app.metadata?.deletionTimestamp || app.spec.placement) return;
    const ns = app.metadata?.namespace ?? '';
    const by = <T extends KubernetesObject>(inf: Informer<T>): T[] => inf.byIndex(APP_INDEX, key);
    const secrets = new Map<string, SecretInfo>();
    const snapshots: string[] = [];
    for (const s of this.secrets.list(ns)) {
      if (s.metadata?.labels?.[SNAPSHOT_OF]) {
        if (s.metadata.labels[LABELS.application] === app.metadata?.name) snapshots.push(s.metadata.name ?? '');
        continue;
      }
      secrets.set(s.metadata?.name ?? '', {
        hash: secretHash(s),
        keys: Object.keys({ ...(s.data ?? {}), ...(s.stringData ?? {}) }),
      });
    }
    const plan = reconcileApplication(app, {
      revisions: by(this.revisions),
      configSets: new Map(this.configSets.list(ns).map((c) => [c.metadata?.name ?? '', c])),
      secrets,
      snapshots,
      deployments: by(this.owned.deployments),
      services: by(this.owned.services),
      ingresses: by(this.owned.ingresses),
      mirrors: by(this.owned.configMaps).filter((m) => m.metadata?.labels?.[MIRROR_OF]),
      pods: by(this.owned.pods),
      now: this.ctx.clock.now(),
      delivery: this.opts.delivery,
      drainMs: this.opts.drainMs,
      urlOf: this.opts.urlOf,
    });
    // Events last: only once the status that records the transition is written (a conflict
    // retries the sync, which must not announce the same transition twice).
    // Reload calls too: the status that no longer lists them as pending is written first.
    const last = (a: AppAction): boolean => a.type === 'event' || a.type === 'reload';
    for (const a of plan.actions) if (!last(a)) await this.apply(app, a);
    for (const a of plan.actions) if (last(a)) await this.apply(app, a);
    if (plan.requeueAfterMs !== undefined) this.queue.addAfter(key, Math.max(50, plan.requeueAfterMs));
  }

  private async apply(app: Application, a: AppAction): Promise<void> {
    const ns = app.metadata?.namespace ?? '';
    const c = this.ctx.client;
    const log = this.pctx.logger.child({ namespace: ns, application: app.metadata?.name });
    switch (a.type) {
      case 'apply': {
        const base = API[a.object.kind ?? '']!(ns);
        try {
          await c.patch(`${base}/${a.object.metadata?.name}`, a.object);
        } catch (e) {
          if (!isStatus(e, 404)) throw e;
          await c.create(base, a.object);
        }
        return;
      }
      case 'delete':
        await c.delete(`${API[a.kind]!(ns)}/${a.name}`).catch(ignore404);
        return;
      case 'createRevision':
        await c.create(paths.revisions(ns), a.revision).catch((e: unknown) => {
          if (!isStatus(e, 409)) throw e;
        });
        log.info({ revision: a.revision.spec.revision, cause: a.revision.spec.cause }, 'revision created');
        return;
      case 'revisionStatus':
        await c
          .patch(`${paths.revisions(ns)}/${a.revision.metadata?.name}/status`, { status: a.status })
          .catch(ignore404);
        return;
      case 'snapshotSecret':
        return this.snapshot(app, a.secret, a.snapshot, a.hash);
      case 'drainPods':
      case 'servePods': {
        // Out of the Service by the label; the deletion cost makes the ReplicaSet remove drained pods
        // first when a promotion step scales the old revision down.
        const drain = a.type === 'drainPods';
        return this.patchPods(ns, a.pods, {
          labels: { [SERVING]: String(!drain) },
          annotations: { [DELETION_COST]: drain ? '-1000' : null },
        });
      }
      case 'refreshPods':
        return this.patchPods(ns, a.pods, { annotations: { [ANNOTATIONS.configRefreshed]: a.configs } });
      case 'rollbackSpec': {
        const annotations = { ...(app.metadata?.annotations ?? {}) };
        delete annotations['platform.wharf.dev/rollback-to'];
        await c.replace(`${paths.applications(ns)}/${app.metadata?.name}`, {
          ...app,
          metadata: { ...app.metadata, annotations },
          spec: a.spec ?? app.spec,
          status: undefined,
        });
        return;
      }
      case 'reload':
        return this.reload(app, a);
      case 'status':
        await c.replace(`${paths.applications(ns)}/${app.metadata?.name}/status`, { ...app, status: a.status });
        return;
      case 'event':
        this.pctx.events.emit(app as never, a.event.type, a.event.reason, a.event.message);
        log[a.event.type === 'Warning' ? 'warn' : 'info']({ reason: a.event.reason }, a.event.message);
        return;
    }
  }

  /** Merges labels and annotations into each pod's metadata; a pod gone meanwhile is no error. */
  private async patchPods(ns: string, pods: readonly string[], metadata: Record<string, unknown>): Promise<void> {
    for (const p of pods)
      await this.ctx.client.patch(`/api/v1/namespaces/${ns}/pods/${p}`, { metadata }).catch(ignore404);
  }

  /** The reload call of an inPlace change on each pod; a failure is a Warning Event, never a retry loop. */
  private async reload(app: Application, r: DueReload): Promise<void> {
    const failed: string[] = [];
    await Promise.all(
      r.calls.map(async (call) => {
        try {
          if ('command' in call) {
            if (!this.opts.exec) throw new Error('this platform cannot exec in pods');
            const code = await this.opts.exec(app.metadata?.namespace ?? '', call.pod, call.container, call.command);
            if (code !== 0) failed.push(`${call.pod}: the command exited with ${code}`);
            return;
          }
          const res = await fetch(call.url, { signal: AbortSignal.timeout(5000) });
          await res.body?.cancel();
          if (!res.ok) failed.push(`${call.pod}: HTTP ${res.status}`);
        } catch (e) {
          failed.push(`${call.pod}: ${(e as Error).message}`);
        }
      }),
    );
    const what = `config ${r.configSet} v${r.version} is in place`;
    await this.apply(
      app,
      failed.length
        ? {
            type: 'event',
            event: {
              type: 'Warning',
              reason: 'ReloadFailed',
              message: `${what}; the reload call failed on ${failed.length} of ${r.calls.length} pod(s): ${failed.join('; ')}`,
            },
          }
        : {
            type: 'event',
            event: {
              type: 'Normal',
              reason: 'Reloaded',
              message: `${what}; reload called on ${r.calls.length} pod(s)`,
            },
          },
    );
  }

  /** An immutable copy of a Secret's current content, for the revisions that pin it. */
  private async snapshot(app: Application, secret: string, name: string, hash: string): Promise<void> {
    const ns = app.metadata?.namespace ?? '';
    const src = await this.ctx.client.getOptional<V1Secret>(`/api/v1/namespaces/${ns}/secrets/${secret}`);
    if (!src || secretHash(src) !== hash) return; // changed meanwhile: the next sync pins the new content
    const appName = app.metadata?.name ?? '';
    await this.ctx.client
      .create(`/api/v1/namespaces/${ns}/secrets`, {
        apiVersion: 'v1',
        kind: 'Secret',
        type: src.type ?? 'Opaque',
        immutable: true,
        metadata: {
          name,
          namespace: ns,
          labels: { ...appLabels(appName, undefined, hash.slice(0, 10)), [SNAPSHOT_OF]: secret },
          ownerReferences: [
            {
              apiVersion: app.apiVersion ?? '',
              kind: 'Application',
              name: appName,
              uid: app.metadata?.uid ?? '',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        data: src.data ?? {},
      })
      .catch((e: unknown) => {
        if (!isStatus(e, 409)) throw e;
      });
  }
}

function ignore404(e: unknown): void {
  if (!isStatus(e, 404)) throw e;
}
