// Subresources: status and finalize (writes limited to one part of the object), scale (answered
// as autoscaling/v1 Scale), pod eviction (honouring PodDisruptionBudgets with 429) and binding.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clone, isRecord, type KubeObject, type StoredObject } from '@wharf/api';
import { ApiError, badRequest, conflict, methodNotAllowed, pathNotFound, tooManyRequests } from '../errors.js';
import type { ObjectApi } from '../objects/api.js';
import type { OpContext } from '../objects/context.js';
import { deleteObject, deleteOptionsFrom } from '../objects/delete.js';
import type { Served } from '../registry.js';
import { fromLabelSelectorObject } from '../selectors/index.js';
import { applyMergePatch, applyJsonPatch } from '../patch/index.js';
import { PATCH_TYPES, decodeBody, readBody } from './body.js';
import type { Wanted } from './negotiate.js';
import type { RequestInfo } from './request-info.js';
import { renderObject, send, successStatus } from './respond.js';

export interface SubresourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  ri: RequestInfo;
  served: Served;
  namespace: string;
  name: string;
  query: URLSearchParams;
  wanted: Wanted;
  ctx: OpContext;
  /**
   * Runs a write of the object past admission webhooks and policies (dry run first); without it, the write runs as is.
   */
  admit?: (old: StoredObject | undefined, run: (ctx: OpContext) => Promise<StoredObject>) => Promise<StoredObject>;
  /** Runs a subresource's own object (a Scale, an Eviction) past admission; without it, the object is taken as is. */
  review?: SubresourceReview;
}

/**
 * Reviews `object`, of `kind`, by the webhooks and policies matching `<resource>/<subresource>`; resolves with it as
 * mutated.
 */
export type SubresourceReview = (
  operation: 'CREATE' | 'UPDATE',
  kind: { group: string; version: string; kind: string },
  object: KubeObject,
  old: KubeObject | undefined,
) => Promise<KubeObject>;

const SCALE_KIND = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
const EVICTION_KIND = { group: 'policy', version: 'v1', kind: 'Eviction' };

/**
 * A Scale's spec.replicas, refused unless a non-negative integer (after admission too: a webhook may have changed it).
 */
function scaleReplicas(name: string, scale: unknown): number {
  const replicas = isRecord(scale) && isRecord(scale.spec) ? scale.spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw new ApiError(
      422,
      'Invalid',
      `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: must be a non-negative integer`,
    );
  }
  return replicas;
}

/** Handlers for subresources served by something other than this module (logs, exec: the node agent). */
export type ExternalSubresource = (r: SubresourceRequest) => Promise<number>;

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.replace(/^\./, '').split('.')) cur = isRecord(cur) ? cur[p] : undefined;
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur: Record<string, unknown> = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isRecord(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1] as string] = value;
}

function selectorString(sel: unknown): string {
  if (!isRecord(sel)) return '';
  const parts: string[] = [];
  if (isRecord(sel.matchLabels)) for (const [k, v] of Object.entries(sel.matchLabels)) parts.push(`${k}=${String(v)}`);
  for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions.filter(isRecord) : []) {
    const values = Array.isArray(e.values) ? e.values.join(',') : '';
    if (e.operator === 'In') parts.push(`${String(e.key)} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${String(e.key)} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(String(e.key));
    else if (e.operator === 'DoesNotExist') parts.push(`!${String(e.key)}`);
  }
  return parts.join(',');
}

/** The autoscaling/v1 Scale view of a scalable object. */
export function scaleOf(served: Served, obj: StoredObject): KubeObject {
  const scale = served.custom?.scale;
  const replicas = scale ? getPath(obj, scale.specReplicasPath) : isRecord(obj.spec) ? obj.spec.replicas : undefined;
  const statusReplicas = scale
    ? getPath(obj, scale.statusReplicasPath)
    : isRecord(obj.status)
      ? obj.status.replicas
      : undefined;
  const selector = scale?.labelSelectorPath
    ? getPath(obj, scale.labelSelectorPath)
    : isRecord(obj.spec)
      ? selectorString(obj.spec.selector)
      : '';
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(selector ? { selector } : {}) },
  };
}

export class SubresourceHandlers {
  constructor(
    private readonly api: ObjectApi,
    private readonly external: Record<string, ExternalSubresource> = {},
  ) {}

  async handle(r: SubresourceRequest): Promise<number> {
    const sub = r.ri.subresource;
    const ext = this.external[sub.split('/')[0] ?? ''];
    if (ext) return ext(r);
    switch (sub) {
      case 'status':
      case 'finalize':
        return this.status(r, sub);
      case 'approval':
        // A CSR's Approved and Denied conditions (certificates/csr.ts).
        if (r.served.info.group !== 'certificates.k8s.io' || r.served.info.resource !== 'certificatesigningrequests')
          throw pathNotFound(r.ri.path);
        return this.status(r, sub);
      case 'ephemeralcontainers':
        // The pod itself, of which writes change only spec.ephemeralContainers (kinds/pod/ephemeral.ts).
        if (r.served.info.group !== '' || r.served.info.resource !== 'pods') throw pathNotFound(r.ri.path);
        return this.status(r, sub);
      case 'scale':
        return this.scale(r);
      case 'eviction':
        return this.eviction(r);
      case 'binding':
        return this.binding(r);
      default:
        throw pathNotFound(r.ri.path);
    }
  }

  private async status(r: SubresourceRequest, sub: string): Promise<number> {
    const { api } = this;
    if (sub === 'status' && !api.hasStatus(r.served)) throw pathNotFound(r.ri.path);
    if (r.ri.verb === 'get') {
      const obj = api.get(r.served, r.namespace, r.name);
      const json = api.storedJson(r.served, r.namespace, obj);
      send(r.res, 200, renderObject(r.served, obj, r.wanted, r.query, json), r.wanted);
      return 200;
    }
    let write: (ctx: OpContext) => Promise<StoredObject>;
    if (r.ri.verb === 'update') {
      const body = decodeBody(r.req.headers['content-type'], await readBody(r.req));
      if (!isRecord(body)) throw badRequest('the request body must be a JSON object');
      write = (ctx) => api.update(r.served, r.namespace, r.name, body as KubeObject, ctx, sub);
    } else if (r.ri.verb === 'patch') {
      const type = PATCH_TYPES[(r.req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? ''];
      if (!type) throw new ApiError(415, 'UnsupportedMediaType', 'unsupported patch type');
      const body = decodeBody(r.req.headers['content-type'], await readBody(r.req));
      if (type === 'apply') {
        if (!isRecord(body)) throw badRequest('the request body must be a JSON object');
        write = async (ctx) =>
          (
            await api.apply(
              r.served,
              r.namespace,
              r.name,
              body as KubeObject,
              ctx,
              sub,
              r.query.get('force') === 'true',
            )
          ).object;
      } else write = (ctx) => api.patch(r.served, r.namespace, r.name, type, body, ctx, sub);
    } else {
      throw methodNotAllowed(r.req.method ?? '', `${r.served.info.resource}/${sub}`);
    }
    const updated = r.admit
      ? await r.admit(api.store.get(api.key(r.served, r.namespace, r.name)), write)
      : await write(r.ctx);
    const json = api.storedJson(r.served, r.namespace, updated);
    send(r.res, 200, renderObject(r.served, updated, r.wanted, r.query, json), r.wanted);
    return 200;
  }

  private async scale(r: SubresourceRequest): Promise<number> {
    const obj = this.api.get(r.served, r.namespace, r.name);
    const current = scaleOf(r.served, obj);
    if (r.ri.verb === 'get') {
      send(r.res, 200, current, r.wanted);
      return 200;
    }
    const body = decodeBody(r.req.headers['content-type'], await readBody(r.req));
    let next: unknown;
    if (r.ri.verb === 'update') next = body;
    else if (r.ri.verb === 'patch') {
      const type = PATCH_TYPES[(r.req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? ''];
      if (type === 'apply') return this.applyScale(r, obj, body);
      next = type === 'json' ? applyJsonPatch(current, body) : applyMergePatch(current, body);
    } else throw methodNotAllowed(r.req.method ?? '', 'scale');
    // ScaleSpec.replicas is omitempty: a Scale to 0 arrives without it (always, in protobuf).
    if (isRecord(next) && next.spec === undefined) next.spec = {};
    if (isRecord(next) && isRecord(next.spec) && next.spec.replicas === undefined) next.spec.replicas = 0;
    scaleReplicas(r.name, next);
    const meta = isRecord(next) && isRecord(next.metadata) ? next.metadata : {};
    if (meta.resourceVersion && meta.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(
        r.served.info.resource,
        r.served.info.group,
        r.name,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const asked = { ...current, spec: (next as { spec: unknown }).spec } as KubeObject;
    const replicas = scaleReplicas(r.name, r.review ? await r.review('UPDATE', SCALE_KIND, asked, current) : asked);
    const updated = clone(obj) as StoredObject & Record<string, unknown>;
    const path = r.served.custom?.scale?.specReplicasPath ?? '.spec.replicas';
    setPath(updated, path, replicas);
    const stored = await this.api.update(r.served, r.namespace, r.name, updated, r.ctx, 'scale');
    send(r.res, 200, scaleOf(r.served, stored), r.wanted);
    return 200;
  }

  /**
   * Server-side apply of a Scale: the applied spec.replicas becomes an apply of the object's
   * replicas field under the `scale` subresource, so ownership and conflicts are the object's.
   */
  private async applyScale(r: SubresourceRequest, obj: StoredObject, body: unknown): Promise<number> {
    const spec = isRecord(body) && isRecord(body.spec) ? body.spec : {};
    let replicas = spec.replicas === undefined ? undefined : scaleReplicas(r.name, body);
    if (r.review) {
      const current = scaleOf(r.served, obj);
      const asked = {
        ...current,
        spec: { replicas: replicas ?? (current.spec as { replicas: number }).replicas },
      } as KubeObject;
      const reviewed = scaleReplicas(r.name, await r.review('UPDATE', SCALE_KIND, asked, current));
      if (replicas !== undefined || reviewed !== (current.spec as { replicas: number }).replicas) replicas = reviewed;
    }
    const config: Record<string, unknown> = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: r.name } };
    if (replicas !== undefined) setPath(config, r.served.custom?.scale?.specReplicasPath ?? '.spec.replicas', replicas);
    const { object } = await this.api.apply(
      r.served,
      r.namespace,
      r.name,
      config as KubeObject,
      r.ctx,
      'scale',
      r.query.get('force') === 'true',
    );
    send(r.res, 200, scaleOf(r.served, object), r.wanted);
    return 200;
  }

  private async eviction(r: SubresourceRequest): Promise<number> {
    if (r.ri.verb !== 'create') throw methodNotAllowed(r.req.method ?? '', 'pods/eviction');
    const body = decodeBody(r.req.headers['content-type'], await readBody(r.req));
    const pod = this.api.get(r.served, r.namespace, r.name);
    // Webhooks and policies matching pods/eviction see the Eviction first (and may refuse it).
    const asked: KubeObject = {
      ...(isRecord(body) ? body : {}),
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: {
        ...(isRecord(body) && isRecord(body.metadata) ? body.metadata : {}),
        name: r.name,
        namespace: r.namespace,
      },
    };
    const eviction = r.review ? await r.review('CREATE', EVICTION_KIND, asked, undefined) : asked;
    const phase = isRecord(pod.status) ? pod.status.phase : undefined;
    // Pods that are done, or already terminating, are not protected by budgets.
    if (phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp) this.checkBudgets(pod);
    const opts = deleteOptionsFrom(isRecord(eviction) ? eviction.deleteOptions : undefined, new URLSearchParams());
    await deleteObject(this.api, r.served, r.namespace, r.name, opts, r.ctx);
    send(r.res, 201, successStatus(undefined, 201), r.wanted);
    return 201;
  }

  /** Refuses with 429 when evicting `pod` would break a PodDisruptionBudget that selects it. */
  private checkBudgets(pod: StoredObject): void {
    const pdbServed = this.api.registry.lookup('policy', 'v1', 'poddisruptionbudgets');
    const podServed = this.api.registry.lookup('', 'v1', 'pods');
    if (!pdbServed || !podServed) return;
    const ns = pod.metadata.namespace ?? '';
    const budgets = this.api.list(pdbServed, ns, {}).items.filter((pdb) => {
      const spec = isRecord(pdb.spec) ? pdb.spec : {};
      return fromLabelSelectorObject(isRecord(spec.selector) ? spec.selector : null).matches(pod.metadata.labels);
    });
    if (budgets.length > 1)
      throw new ApiError(
        500,
        'InternalError',
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      );
    const pdb = budgets[0];
    if (!pdb) return;
    const spec = isRecord(pdb.spec) ? pdb.spec : {};
    const selector = fromLabelSelectorObject(isRecord(spec.selector) ? spec.selector : null);
    const pods = this.api
      .list(podServed, ns, {})
      .items.filter((p) => selector.matches(p.metadata.labels) && !p.metadata.deletionTimestamp);
    const healthy = pods.filter(isReady).length;
    const expected = pods.length;
    const resolve = (v: unknown): number | undefined => {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.endsWith('%')) return Math.ceil((Number(v.slice(0, -1)) * expected) / 100);
      return undefined;
    };
    const minAvailable = resolve(spec.minAvailable);
    const maxUnavailable = resolve(spec.maxUnavailable);
    const desiredHealthy =
      minAvailable ?? (maxUnavailable !== undefined ? Math.max(0, expected - maxUnavailable) : expected);
    const allowed = isReady(pod) ? healthy - desiredHealthy : expected; // an unready pod may always go
    if (allowed <= 0) {
      throw tooManyRequests(`Cannot evict pod as it would violate the pod's disruption budget.`, undefined);
    }
  }

  private async binding(r: SubresourceRequest): Promise<number> {
    if (r.ri.verb !== 'create') throw methodNotAllowed(r.req.method ?? '', 'pods/binding');
    const body = decodeBody(r.req.headers['content-type'], await readBody(r.req));
    const target = isRecord(body) && isRecord(body.target) ? body.target : undefined;
    if (!target || typeof target.name !== 'string' || !target.name) throw badRequest('Binding.target.name is required');
    const pod = this.api.get(r.served, r.namespace, r.name);
    const spec = isRecord(pod.spec) ? pod.spec : {};
    if (spec.nodeName)
      throw conflict('pods', '', r.name, `pod ${r.name} is already assigned to node "${String(spec.nodeName)}"`);
    if (pod.metadata.deletionTimestamp)
      throw conflict('pods', '', r.name, 'pod is being deleted, cannot be assigned to a host');
    const next = clone(pod);
    (next as Record<string, unknown>).spec = { ...spec, nodeName: target.name };
    const conds =
      isRecord(next.status) && Array.isArray(next.status.conditions)
        ? next.status.conditions.filter((c) => !(isRecord(c) && c.type === 'PodScheduled'))
        : [];
    conds.push({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    next.status = { ...(isRecord(next.status) ? next.status : {}), conditions: conds };
    // Binding writes spec.nodeName, which no update may change, so it goes to the store directly.
    if (!r.ctx.dryRun) {
      const key = this.api.key(r.served, r.namespace, r.name);
      try {
        await this.api.store.update(key, Number(pod.metadata.resourceVersion), (rev) => ({
          ...next,
          metadata: { ...next.metadata, resourceVersion: String(rev) },
        }));
      } catch (e) {
        throw this.api.storeError(r.served, r.name, e);
      }
    }
    send(r.res, 201, successStatus(undefined, 201), r.wanted);
    return 201;
  }
}

function isReady(pod: StoredObject): boolean {
  const conds = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions : [];
  return conds.some((c) => isRecord(c) && c.type === 'Ready' && c.status === 'True');
}
