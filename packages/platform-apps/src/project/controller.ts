// The Project controller's runner: Projects, namespaces, and the RoleBindings, ResourceQuotas and
// LimitRanges it manages (informers on its label only), one queue keyed by project name. At
// start it makes sure the aggregated ClusterRoles `wharf:project-<role>` exist.
import type {
  V1LimitRange,
  V1Namespace,
  V1NetworkPolicy,
  V1ResourceQuota,
  V1RoleBinding,
} from '@kubernetes/client-node';
import { type Informer, isStatus, QueueController, timestamp } from '@wharf/client';
import { labelledInformer, type PlatformContext } from '../common/context.js';
import { PROJECT_LABEL, PROJECTS_PATH, type Project } from '../types.js';
import {
  ISOLATION_NAME,
  LIMITS_NAME,
  projectClusterRoles,
  projectReaderRbac,
  QUOTA_NAME,
  reconcileProject,
  type ProjectAction,
} from './reconcile.js';

const COLLECTION = {
  RoleBinding: (ns: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
  ResourceQuota: (ns: string) => `/api/v1/namespaces/${ns}/resourcequotas`,
  LimitRange: (ns: string) => `/api/v1/namespaces/${ns}/limitranges`,
  NetworkPolicy: (ns: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`,
} as const;

export class ProjectController extends QueueController {
  private readonly projects: Informer<Project>;
  private readonly namespaces: Informer<V1Namespace>;
  private readonly bindings: Informer<V1RoleBinding>;
  private readonly quotas: Informer<V1ResourceQuota>;
  private readonly limits: Informer<V1LimitRange>;
  private readonly isolation: Informer<V1NetworkPolicy>;

  constructor(private readonly pctx: PlatformContext) {
    super(pctx, 'project', 1);
    this.projects = pctx.informers.for<Project>(PROJECTS_PATH);
    this.namespaces = pctx.informers.for<V1Namespace>('/api/v1/namespaces');
    this.bindings = labelledInformer<V1RoleBinding>(
      pctx,
      '/apis/rbac.authorization.k8s.io/v1/rolebindings',
      PROJECT_LABEL,
    );
    this.quotas = labelledInformer<V1ResourceQuota>(pctx, '/api/v1/resourcequotas', PROJECT_LABEL);
    this.limits = labelledInformer<V1LimitRange>(pctx, '/api/v1/limitranges', PROJECT_LABEL);
    this.isolation = labelledInformer<V1NetworkPolicy>(
      pctx,
      '/apis/networking.k8s.io/v1/networkpolicies',
      PROJECT_LABEL,
    );
    this.projects.on((_t, p) => this.queue.add(p.metadata?.name ?? ''));
    const byLabel = (_t: string, o: { metadata?: { labels?: Record<string, string> } }): void => {
      const owner = o.metadata?.labels?.[PROJECT_LABEL];
      if (owner) this.queue.add(owner);
    };
    this.namespaces.on((t, ns) => {
      byLabel(t, ns);
      // A namespace a project lists may appear or go away without its label.
      for (const p of this.projects.list())
        if (p.spec.namespaces.includes(ns.metadata?.name ?? '')) this.queue.add(p.metadata?.name ?? '');
    });
    this.bindings.on(byLabel);
    this.quotas.on(byLabel);
    this.limits.on(byLabel);
    this.isolation.on(byLabel);
  }

  override start(): void {
    for (const i of [this.bindings, this.quotas, this.limits, this.isolation]) i.start();
    super.start();
    void this.ensureClusterRoles();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all([this.bindings, this.quotas, this.limits, this.isolation].map((i) => i.stop()));
  }

  private async ensureClusterRoles(): Promise<void> {
    for (const role of projectClusterRoles()) {
      const name = (role.metadata as { name: string }).name;
      try {
        const have = await this.ctx.client.getOptional(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`);
        if (!have) await this.ctx.client.create('/apis/rbac.authorization.k8s.io/v1/clusterroles', role);
      } catch (e) {
        if (!isStatus(e, 409))
          this.pctx.logger.warn({ err: e, clusterRole: name }, 'creating a project ClusterRole failed');
      }
    }
  }

  protected async sync(name: string): Promise<void> {
    const p = this.projects.get('', name);
    if (!p || p.metadata?.deletionTimestamp) return;
    const actions = reconcileProject(p, {
      namespaces: this.namespaces.list(),
      bindings: (ns) => this.bindings.list(ns),
      quota: (ns) => this.quotas.get(ns, QUOTA_NAME),
      limits: (ns) => this.limits.get(ns, LIMITS_NAME),
      isolation: (ns) => this.isolation.get(ns, ISOLATION_NAME),
      now: timestamp(this.ctx.clock.now()),
    });
    for (const a of actions) await this.apply(p, a);
    await this.putMemberRbac(p);
  }

  /** The members' read access to the Project (written only when it differs: one GET each per sync). */
  private async putMemberRbac(p: Project): Promise<void> {
    const { role, binding } = projectReaderRbac(p);
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    for (const [collection, body, fields] of [
      [`${rbac}/clusterroles`, role, ['rules']],
      [`${rbac}/clusterrolebindings`, binding, ['subjects', 'roleRef']],
    ] as const) {
      const name = (body.metadata as { name: string }).name;
      const have = await this.ctx.client.getOptional<
        Record<string, unknown> & { metadata: { resourceVersion?: string } }
      >(`${collection}/${name}`);
      if (!have) await this.ctx.client.create(collection, body);
      else if (fields.some((f) => JSON.stringify(have[f] ?? []) !== JSON.stringify(body[f]))) {
        await this.ctx.client.replace(`${collection}/${name}`, {
          ...body,
          metadata: { ...(body.metadata as object), resourceVersion: have.metadata.resourceVersion },
        });
      }
    }
  }

  private async apply(p: Project, a: ProjectAction): Promise<void> {
    const c = this.ctx.client;
    const ignore404 = (e: unknown): void => {
      if (!isStatus(e, 404)) throw e;
    };
    switch (a.type) {
      case 'create-namespace':
        await c.create('/api/v1/namespaces', a.namespace).catch((e: unknown) => {
          if (!isStatus(e, 409)) throw e;
        });
        this.pctx.events.emit(
          { ...p, apiVersion: 'platform.wharf.dev/v1alpha1', kind: 'Project' },
          'Normal',
          'NamespaceCreated',
          `created namespace ${a.namespace.metadata?.name}`,
        );
        return;
      case 'label-namespace':
        await c.patch(`/api/v1/namespaces/${a.name}`, { metadata: { labels: a.labels } }).catch(ignore404);
        return;
      case 'put': {
        const base = COLLECTION[a.kind](a.namespace);
        const objName = a.object.metadata?.name ?? '';
        try {
          await c.replace(`${base}/${objName}`, a.object);
        } catch (e) {
          if (!isStatus(e, 404)) throw e;
          await c.create(base, a.object);
        }
        return;
      }
      case 'delete':
        await c.delete(`${COLLECTION[a.kind](a.namespace)}/${a.name}`).catch(ignore404);
        return;
      case 'status':
        await c.patch(`${PROJECTS_PATH}/${p.metadata?.name}/status`, { status: a.status }).catch(ignore404);
        return;
    }
  }
}
