// The resource half of the REST API: routes a parsed request to the object API by verb and
// subresource, and renders the answer in the representation the client negotiated.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '@wharf/api';
import { ApiError, badRequest, invalid, methodNotAllowed, pathNotFound } from '../errors.js';
import { fieldManagerOf, validateFieldManager } from '../managed-fields/index.js';
import type { ObjectApi, PatchType } from '../objects/api.js';
import type { OpContext, UserInfo, FieldValidation } from '../objects/context.js';
import { deleteObject, deleteOptionsFrom } from '../objects/delete.js';
import type { Served } from '../registry.js';
import { deprecationWarning } from '../version-window.js';
import { PATCH_TYPES, decodeBody, decodeObjectBody, readBody } from './body.js';
import { negotiate } from './negotiate.js';
import type { RequestInfo } from './request-info.js';
import { apiVersionOf, renderList, renderObject, send, successStatus } from './respond.js';
import { serveWatch, type WatchOptions } from './watch.js';
import type { SubresourceHandlers, SubresourceReview } from './subresources.js';
import type { AdmissionRequest } from '../webhooks/config.js';
import type { WebhookAdmission } from '../webhooks/admission.js';
import type { PolicyAdmission } from '../webhooks/policies.js';
import type { StoredObject } from '@wharf/api';

export interface RestHandlerOptions {
  readonly api: ObjectApi;
  readonly subresources: SubresourceHandlers;
  readonly watch?: WatchOptions;
  /** Create-only kinds answered without storage (access reviews). */
  readonly reviews: (served: Served, body: KubeObject, user: UserInfo) => KubeObject;
  /** Admission webhooks every create, update, patch and delete of a main resource passes. @default none */
  readonly webhooks?: WebhookAdmission;
  /** ValidatingAdmissionPolicies, evaluated between the mutating and the validating webhooks. @default none */
  readonly policies?: PolicyAdmission;
  /**
   * Authorizes one more request (throws 403): an apply that creates its object must also be
   * allowed to `create`, as kube-apiserver checks.
   * @default no further check
   */
  readonly authorize?: (user: UserInfo, ri: RequestInfo) => void;
}

/** The CreateOptions / UpdateOptions / PatchOptions / DeleteOptions an admission webhook is shown. */
function optionsFor(kind: string, ctx: OpContext): KubeObject {
  return {
    kind,
    apiVersion: 'meta.k8s.io/v1',
    ...(ctx.dryRun ? { dryRun: ['All'] } : {}),
    ...(ctx.fieldManager && kind !== 'DeleteOptions' ? { fieldManager: ctx.fieldManager } : {}),
  };
}

function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values)
    if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

const OPTIONS_KIND: Readonly<Record<string, string>> = {
  create: 'CreateOptions',
  update: 'UpdateOptions',
  patch: 'PatchOptions',
};

/**
 * The write's field manager, with upstream's Create/Update/PatchOptions checks: a fieldManager of
 * at most 128 printable bytes, required for apply, and `force` only for apply patches.
 */
function fieldManagerFor(req: IncomingMessage, query: URLSearchParams, verb: string): string {
  const param = query.get('fieldManager') ?? '';
  const causes = validateFieldManager(param).map((message) => ({
    reason: 'FieldValueInvalid',
    message,
    field: 'fieldManager',
  }));
  if (verb === 'patch') {
    const apply = patchTypeOf(req) === 'apply';
    if (apply && param === '')
      causes.unshift({
        reason: 'FieldValueRequired',
        message: 'Required value: is required for apply patch',
        field: 'fieldManager',
      });
    if (!apply && query.has('force'))
      causes.unshift({
        reason: 'FieldValueForbidden',
        message: 'Forbidden: may not be specified for non-apply patch',
        field: 'force',
      });
  }
  const kind = OPTIONS_KIND[verb];
  if (causes.length && kind) throw invalid(kind, 'meta.k8s.io', '', causes);
  return fieldManagerOf(param, req.headers['user-agent']);
}

function patchTypeOf(req: IncomingMessage): string | undefined {
  return PATCH_TYPES[(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''];
}

/** Checks apiVersion/kind in a body against the URL it was sent to. */
function checkTypeMeta(served: Served, obj: KubeObject): void {
  const want = apiVersionOf(served);
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== served.info.kind) {
    // As kube-apiserver's decoder, which finds no conversion from the body's kind to the URL's.
    const { kind, version } = served.info;
    throw badRequest(
      `${String(obj.kind)} in version "${version}" cannot be handled as a ${kind}: no kind "${String(obj.kind)}" can be converted to "${kind}"`,
    );
  }
}

/** A name in the path must be a usable path segment (the real apiserver's IsValidPathSegmentName). */
function checkPathName(name: string): void {
  const why =
    name === '.' || name === '..'
      ? `may not be '${name}'`
      : name.includes('/')
        ? "may not contain '/'"
        : name.includes('%')
          ? "may not contain '%'"
          : '';
  if (why) throw badRequest(`Name parameter invalid: ${JSON.stringify(name)}: ${why}`);
}

/** resourceVersion and limit, when given, must be non-negative integers. */
function checkReadParams(query: URLSearchParams): void {
  for (const param of ['resourceVersion', 'limit']) {
    const v = query.get(param);
    if (v !== null && v !== '' && !/^\d+$/.test(v))
      throw badRequest(`${param}: Invalid value: ${JSON.stringify(v)}: must be a non-negative integer`);
  }
}

/** How a list's resourceVersion and resourceVersionMatch ask to be served (ValidateListOptions). */
interface ListRevision {
  /** The list must be at least this new (resourceVersion=X, NotOlderThan or unset match). */
  readonly minimum?: number;
  /** The list is the state at exactly this revision. */
  readonly exact?: number;
}

function listRevisionOf(query: URLSearchParams): ListRevision {
  const rv = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const forbidden = (why: string): ApiError =>
    new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: ${why}`, {
      group: 'meta.k8s.io',
      kind: 'ListOptions',
      causes: [{ reason: 'FieldValueForbidden', message: `Forbidden: ${why}`, field: 'resourceVersionMatch' }],
    });
  if (match && match !== 'Exact' && match !== 'NotOlderThan') {
    throw new ApiError(
      422,
      'Invalid',
      `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
      {
        group: 'meta.k8s.io',
        kind: 'ListOptions',
        causes: [
          {
            reason: 'FieldValueNotSupported',
            message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
            field: 'resourceVersionMatch',
          },
        ],
      },
    );
  }
  if (match && query.get('continue')) throw forbidden('resourceVersionMatch is forbidden when continue is provided');
  if (match && !rv) throw forbidden('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match === 'Exact' && rv === '0')
    throw forbidden('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  if (rv && rv !== '0' && query.get('continue'))
    throw badRequest('specifying resource version is not allowed when using continue');
  if (!rv || rv === '0') return {};
  return match === 'Exact' ? { exact: Number(rv), minimum: Number(rv) } : { minimum: Number(rv) };
}

/** How long a list for a future resourceVersion waits for it, as kube-apiserver's watch cache. */
const FUTURE_REVISION_WAIT_MS = 3_000;

/** The name a create request gave its object (the URL has none), for the audit log. */
export const createdNames = new WeakMap<IncomingMessage, string>();
/** How often a write reviewed by webhooks runs again when other writes keep changing its object. */
const MAX_ADMISSION_ATTEMPTS = 5;
/** The annotations admission gave a request's audit event (policies' auditAnnotations and Audit failures). */
export const auditAnnotations = new WeakMap<IncomingMessage, Record<string, string>>();

export class RestHandler {
  constructor(private readonly opts: RestHandlerOptions) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    ri: RequestInfo,
    query: URLSearchParams,
    user: UserInfo,
  ): Promise<number> {
    const { api } = this.opts;
    const served = api.registry.lookup(ri.group, ri.version, ri.resource);
    if (!served) throw pathNotFound(ri.path);
    const { info } = served;
    // Namespace objects are addressed by name; /namespaces/<ns>/<name> is the form for the rest.
    const namespace = info.namespaced ? ri.namespace : '';
    const name = ri.name;
    // request-info reads /api/v1/namespaces/<name> as a namespace too (as upstream's does).
    if (!info.namespaced && ri.namespace && !(info.resource === 'namespaces' && info.group === ''))
      throw pathNotFound(ri.path);
    // A pod's log is text: `Accept: text/plain` asks for it as it is (kube-apiserver's log REST produces it).
    const wanted = negotiate(req.headers.accept, ri.subresource === 'log' ? ['text/plain'] : []);
    // A deprecated group/version warns on writes, as kube-apiserver does (version-window.ts).
    const deprecated = deprecationWarning(info.group, info.version, info.kind, api.registry.minor);
    const annotations: Record<string, string> = {};
    auditAnnotations.set(req, annotations);
    const ctx: OpContext = {
      user,
      dryRun: dryRunOf(query),
      fieldValidation: fieldValidationOf(query),
      warnings: deprecated ? [deprecated] : [],
      fieldManager: fieldManagerFor(req, query, ri.verb),
      auditAnnotations: annotations,
    };
    const sub = ri.subresource;

    if (sub) {
      if (!(info.subresources ?? []).includes(sub.split('/')[0] ?? '')) throw pathNotFound(ri.path);
      // Writes to a subresource that stores the object itself pass the admission webhooks and
      // policies that match `<resource>/<subresource>`, as the main resource's writes do.
      const options = optionsFor(
        ri.verb === 'create' ? 'CreateOptions' : ri.verb === 'patch' ? 'PatchOptions' : 'UpdateOptions',
        ctx,
      );
      const admit = (
        old: StoredObject | undefined,
        run: (c: OpContext) => Promise<StoredObject>,
      ): Promise<StoredObject> =>
        this.admitted({ operation: 'UPDATE', served, namespace, name, subresource: sub }, ctx, options, old, run);
      // A Scale or an Eviction is reviewed as itself (its own kind), before the write it asks for.
      const review: SubresourceReview = (operation, kind, object, old) =>
        this.reviewed(
          {
            operation,
            served,
            namespace,
            name,
            subresource: sub,
            kind,
            object,
            oldObject: old as StoredObject | undefined,
          },
          ctx,
          options,
        );
      return this.opts.subresources.handle({
        req,
        res,
        ri,
        served,
        namespace,
        name,
        query,
        wanted,
        ctx,
        admit,
        review,
      });
    }
    const what = `${info.resource}${info.group ? `.${info.group}` : ''}`;
    if (!info.verbs.includes(ri.verb)) throw methodNotAllowed(req.method ?? '', what);
    // As the real routes: POST only on the collection, PUT and PATCH only on an object.
    if ((ri.verb === 'create' && name) || ((ri.verb === 'update' || ri.verb === 'patch') && !name))
      throw methodNotAllowed(req.method ?? '', what);
    if (info.namespaced && !namespace && (ri.verb === 'create' || ri.name)) throw pathNotFound(ri.path);
    if (name) checkPathName(name);
    if (ri.verb === 'get' || ri.verb === 'list') checkReadParams(query);

    switch (ri.verb) {
      case 'get': {
        const obj = api.get(served, namespace, name);
        send(res, 200, renderObject(served, obj, wanted, query, api.storedJson(served, namespace, obj)), wanted);
        return 200;
      }
      case 'list': {
        const limit = query.get('limit');
        const at = listRevisionOf(query);
        if (at.minimum !== undefined && !(await api.store.waitForRevision(at.minimum, FUTURE_REVISION_WAIT_MS))) {
          throw new ApiError(
            504,
            'Timeout',
            `Too large resource version: ${at.minimum}, current: ${api.store.revision}`,
            {
              causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
              retryAfterSeconds: 1,
            },
          );
        }
        const list = api.list(served, namespace, {
          ...(at.exact !== undefined ? { exactRevision: at.exact } : {}),
          labelSelector: query.get('labelSelector') ?? '',
          fieldSelector: query.get('fieldSelector') ?? '',
          ...(limit ? { limit: Number(limit) } : {}),
          ...(query.get('continue') ? { continue: query.get('continue') ?? '' } : {}),
        });
        send(res, 200, renderList(served, list, wanted, query), wanted);
        return 200;
      }
      case 'watch':
        serveWatch(api, served, namespace, name, query, wanted, req, res, this.opts.watch);
        return 200;
      case 'create': {
        const body = decodeObjectBody(info.kind, req.headers['content-type'], await readBody(req)) as KubeObject;
        checkTypeMeta(served, body);
        if (info.virtual) {
          send(res, 201, this.opts.reviews(served, body, user), wanted);
          return 201;
        }
        const base = {
          operation: 'CREATE' as const,
          served,
          namespace,
          name: String(body.metadata?.name ?? ''),
          subresource: '',
        };
        const created = await this.admitted(base, ctx, optionsFor('CreateOptions', ctx), undefined, (c) =>
          api.create(served, namespace, body, c),
        );
        createdNames.set(req, created.metadata.name);
        const json = api.storedJson(served, namespace, created);
        send(res, 201, renderObject(served, created, wanted, query, json), wanted, ctx.warnings);
        return 201;
      }
      case 'update': {
        const body = decodeObjectBody(info.kind, req.headers['content-type'], await readBody(req)) as KubeObject;
        checkTypeMeta(served, body);
        const old = api.store.get(api.key(served, namespace, name));
        const updated = await this.admitted(
          { operation: 'UPDATE', served, namespace, name, subresource: '' },
          ctx,
          optionsFor('UpdateOptions', ctx),
          old,
          (c) => api.update(served, namespace, name, body, c),
        );
        const json = api.storedJson(served, namespace, updated);
        send(res, 200, renderObject(served, updated, wanted, query, json), wanted, ctx.warnings);
        return 200;
      }
      case 'patch': {
        const { object, created } = await this.patch(req, ri, served, namespace, name, ctx, query);
        const code = created ? 201 : 200;
        if (created) createdNames.set(req, object.metadata.name);
        const json = api.storedJson(served, namespace, object);
        send(res, code, renderObject(served, object, wanted, query, json), wanted, ctx.warnings);
        return code;
      }
      case 'delete': {
        const body = decodeBody(req.headers['content-type'], await readBody(req));
        const opts = deleteOptionsFrom(body, query);
        await this.admitDelete(served, namespace, name, opts.dryRun ? { ...ctx, dryRun: true } : ctx);
        const result = await deleteObject(api, served, namespace, name, opts, ctx);
        send(res, result.deleted ? 200 : 202, renderObject(served, result.object, wanted, query), wanted);
        return result.deleted ? 200 : 202;
      }
      case 'deletecollection': {
        const body = decodeBody(req.headers['content-type'], await readBody(req));
        const opts = deleteOptionsFrom(body, query);
        const list = api.list(served, namespace, {
          labelSelector: query.get('labelSelector') ?? '',
          fieldSelector: query.get('fieldSelector') ?? '',
        });
        const items = [];
        for (const item of list.items) {
          try {
            await this.admitDelete(
              served,
              item.metadata.namespace ?? '',
              item.metadata.name,
              opts.dryRun ? { ...ctx, dryRun: true } : ctx,
            );
            items.push(
              (await deleteObject(api, served, item.metadata.namespace ?? '', item.metadata.name, opts, ctx)).object,
            );
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 404)) throw e;
          }
        }
        send(
          res,
          200,
          {
            kind: `${info.kind}List`,
            apiVersion: apiVersionOf(served),
            metadata: { resourceVersion: String(api.store.revision) },
            items,
          },
          wanted,
        );
        return 200;
      }
      default:
        throw methodNotAllowed(req.method ?? '', info.resource);
    }
  }

  /**
   * Runs a write past the admission webhooks that match it: the write as a dry run gives the object
   * the webhooks review, and what they return (mutated) is what gets stored. Without matching
   * webhooks the write runs as it is. When another write changed the object while the webhooks
   * reviewed it, the request runs again on the stored object, as upstream's GuaranteedUpdate
   * retries: a request that pinned a resourceVersion then conflicts (409), any other goes through.
   */
  private async admitted(
    base: Omit<AdmissionRequest, 'object' | 'oldObject'>,
    ctx: OpContext,
    options: KubeObject,
    old: StoredObject | undefined,
    run: (ctx: OpContext) => Promise<StoredObject>,
  ): Promise<StoredObject> {
    const { webhooks: hooks, policies, api } = this.opts;
    const probe = { ...base, object: undefined, oldObject: old };
    if (!hooks?.mayApply(probe)) {
      if (!policies?.mayApply(probe)) return run(ctx);
      // Policies alone are synchronous: they run inside the write, on the object about to be stored.
      return run({
        ...ctx,
        validating: (object, stored) =>
          policies.validate({ ...base, name: object.metadata.name, object, oldObject: stored }, ctx),
      });
    }
    for (let attempt = 1; ; attempt++) {
      const candidate = await run({ ...ctx, dryRun: true, warnings: [] });
      const request = { ...base, name: candidate.metadata.name, object: candidate, oldObject: old };
      // This attempt's warnings and audit annotations; a retried attempt's are dropped.
      const outcome = { ...ctx, warnings: [] as string[], auditAnnotations: {} as Record<string, string> };
      const call = { user: ctx.user, dryRun: ctx.dryRun, options, warnings: outcome.warnings };
      const checkPolicies = (object: KubeObject | undefined): void =>
        policies?.validate({ ...request, object }, outcome);
      const keep = (): void => {
        ctx.warnings.push(...outcome.warnings);
        if (ctx.auditAnnotations) Object.assign(ctx.auditAnnotations, outcome.auditAnnotations);
      };
      let reviewed: KubeObject;
      try {
        reviewed = (await hooks.admit(request, call, checkPolicies)) ?? candidate;
      } catch (e) {
        keep(); // a denial still audits what the policies recorded
        throw e;
      }
      const current = old && api.store.get(api.key(base.served, base.namespace, old.metadata.name));
      if (
        current &&
        current.metadata.resourceVersion !== old?.metadata.resourceVersion &&
        attempt < MAX_ADMISSION_ATTEMPTS
      ) {
        old = current;
        continue;
      }
      keep();
      if (ctx.dryRun) return reviewed as StoredObject;
      return api.commitReviewed(base.served, base.namespace, reviewed, old, ctx, base.subresource);
    }
  }

  /**
   * Runs `request.object` past the webhooks and policies that match it; resolves with it as the mutating webhooks left
   * it.
   */
  private async reviewed(request: AdmissionRequest, ctx: OpContext, options: KubeObject): Promise<KubeObject> {
    const { webhooks: hooks, policies } = this.opts;
    const object = request.object as KubeObject;
    const checkPolicies = (o: KubeObject | undefined): void => policies?.validate({ ...request, object: o }, ctx);
    if (hooks?.mayApply(request))
      return (
        (await hooks.admit(
          request,
          { user: ctx.user, dryRun: ctx.dryRun, options, warnings: ctx.warnings },
          checkPolicies,
        )) ?? object
      );
    if (policies?.mayApply(request)) checkPolicies(object);
    return object;
  }

  /** Asks the webhooks that match a DELETE of one object; a denial throws. */
  private async admitDelete(served: Served, namespace: string, name: string, ctx: OpContext): Promise<void> {
    const { webhooks: hooks, policies } = this.opts;
    const old = this.opts.api.store.get(this.opts.api.key(served, namespace, name));
    if (!old) return;
    const request = {
      operation: 'DELETE' as const,
      served,
      namespace,
      name,
      subresource: '',
      object: undefined,
      oldObject: old,
    };
    const checkPolicies = (): void => policies?.validate(request, ctx);
    if (hooks?.mayApply(request))
      await hooks.admit(
        request,
        { user: ctx.user, dryRun: ctx.dryRun, options: optionsFor('DeleteOptions', ctx), warnings: ctx.warnings },
        checkPolicies,
      );
    else if (policies?.mayApply(request)) checkPolicies();
  }

  /** Decodes and applies a PATCH body of any of the patch types; an apply may create the object. */
  async patch(
    req: IncomingMessage,
    ri: RequestInfo,
    served: Served,
    namespace: string,
    name: string,
    ctx: OpContext,
    query: URLSearchParams,
  ) {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const patchType = PATCH_TYPES[type];
    if (!patchType) {
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
    }
    const buf = await readBody(req);
    const subresource = '';
    if (patchType === 'apply') {
      const config = decodeObjectBody(served.info.kind, type, buf) as KubeObject;
      if (!config.kind) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(config)}'`);
      checkTypeMeta(served, config);
      const force = query.get('force') === 'true';
      const old = this.opts.api.store.get(this.opts.api.key(served, namespace, name));
      if (!old) this.opts.authorize?.(ctx.user, { ...ri, verb: 'create' });
      const base = { operation: old ? ('UPDATE' as const) : ('CREATE' as const), served, namespace, name, subresource };
      const object = await this.admitted(
        base,
        ctx,
        optionsFor('PatchOptions', ctx),
        old,
        async (c) => (await this.opts.api.apply(served, namespace, name, config, c, subresource, force)).object,
      );
      return { object, created: !old };
    }
    const body = decodeBody(type, buf);
    if (body === undefined) throw badRequest('the patch body is empty');
    const old = this.opts.api.store.get(this.opts.api.key(served, namespace, name));
    const base = { operation: 'UPDATE' as const, served, namespace, name, subresource };
    const object = await this.admitted(base, ctx, optionsFor('PatchOptions', ctx), old, (c) =>
      this.opts.api.patch(served, namespace, name, patchType as PatchType, body, c, subresource),
    );
    return { object, created: false };
  }
}

export { successStatus };
