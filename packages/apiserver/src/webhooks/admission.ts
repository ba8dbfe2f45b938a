// Admission webhooks in the write path, as kube-apiserver runs them: every matching mutating
// webhook in order (those with reinvocationPolicy IfNeeded once more when a later one changed the
// object), then every matching validating webhook in parallel. A denial becomes the webhook's
// Status; a webhook that cannot be called fails the request unless its failurePolicy is Ignore.
import { clone, type KubeObject } from '@wharf/api';
import { ApiError, internalError } from '../errors.js';
import type { UserInfo } from '../objects/context.js';
import { applyJsonPatch } from '../patch/index.js';
import type { Store } from '../storage/index.js';
import { webhookMatches, webhooksOf, type AdmissionRequest, type Webhook } from './config.js';
import { callWebhook, reviewOf, WebhookCallError, type AdmissionResponse } from './call.js';
import { admissionVars, matchConditionsHold } from './cel-vars.js';

export interface WebhookCall {
  readonly user: UserInfo;
  readonly dryRun: boolean;
  /** CreateOptions / UpdateOptions / PatchOptions / DeleteOptions of the request. */
  readonly options: KubeObject | undefined;
  /** Warnings the webhooks return, for the response's Warning headers. */
  readonly warnings: string[];
}

/** A denial, worded as upstream's ToStatusErr. */
function denied(hook: Webhook, status: AdmissionResponse['status']): ApiError {
  const by = `admission webhook "${hook.name}" denied the request`;
  const message = status?.message
    ? `${by}: ${status.message}`
    : status?.reason
      ? `${by}: ${status.reason}`
      : `${by} without explanation`;
  const code = typeof status?.code === 'number' && status.code >= 400 ? status.code : 400;
  return new ApiError(code, status?.reason ?? '', message);
}

export class WebhookAdmission {
  constructor(private readonly store: Store) {}

  /** Whether any webhook's rules and namespace cover the request (object selectors aside). */
  mayApply(req: AdmissionRequest): boolean {
    const any = (mutating: boolean): boolean =>
      webhooksOf(this.store, mutating).some((h) =>
        webhookMatches({ ...h, objectSelector: undefined }, req, this.store),
      );
    return any(true) || any(false);
  }

  /**
   * Runs the webhooks for `req`; resolves with the object as the mutating webhooks left it.
   * `beforeValidating` sees that object before the validating webhooks (admission policies).
   */
  async admit(
    req: AdmissionRequest,
    call: WebhookCall,
    beforeValidating?: (object: KubeObject | undefined) => void,
  ): Promise<KubeObject | undefined> {
    let object = req.object ? clone(req.object) : undefined;
    const after = new Map<Webhook, string>();
    const mutating = webhooksOf(this.store, true);
    for (const hook of mutating) {
      if (!webhookMatches(hook, { ...req, object }, this.store)) continue;
      object = await this.mutate(hook, { ...req, object }, call);
      after.set(hook, JSON.stringify(object));
    }
    // Reinvocation: an IfNeeded webhook sees the object again if a later webhook changed it.
    const final = JSON.stringify(object);
    for (const hook of mutating) {
      const seen = after.get(hook);
      if (hook.reinvocationPolicy === 'IfNeeded' && seen !== undefined && seen !== final)
        object = await this.mutate(hook, { ...req, object }, call);
    }
    beforeValidating?.(object);
    const validating = webhooksOf(this.store, false).filter((h) => webhookMatches(h, { ...req, object }, this.store));
    const results = await Promise.allSettled(validating.map((h) => this.invoke(h, { ...req, object }, call)));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    return object;
  }

  private async mutate(hook: Webhook, req: AdmissionRequest, call: WebhookCall): Promise<KubeObject | undefined> {
    const response = await this.invoke(hook, req, call);
    if (!response?.patch || !req.object) return req.object;
    try {
      const ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as unknown;
      return applyJsonPatch(req.object, ops) as KubeObject;
    } catch (e) {
      throw internalError(
        `failed calling webhook "${hook.name}": the patch it returned could not be applied: ${(e as Error).message}`,
      );
    }
  }

  /** Calls one webhook; undefined when it failed and may be ignored, or its matchConditions exclude the request. */
  private async invoke(
    hook: Webhook,
    req: AdmissionRequest,
    call: WebhookCall,
  ): Promise<AdmissionResponse | undefined> {
    if (hook.matchConditions?.length) {
      const held = matchConditionsHold(hook.matchConditions, admissionVars(req, call.user, call.dryRun, this.store));
      if (held === false) return undefined;
      if (held instanceof Error) {
        if (hook.failurePolicy === 'Ignore') return undefined;
        throw internalError(`failed calling webhook "${hook.name}": ${held.message}`);
      }
    }
    let response: AdmissionResponse;
    try {
      response = await callWebhook(hook, reviewOf(req, call.user, call.dryRun, call.options), this.store);
    } catch (e) {
      if (!(e instanceof WebhookCallError)) throw e;
      if (hook.failurePolicy === 'Ignore') {
        call.warnings.push(`failed calling webhook "${hook.name}" (failurePolicy Ignore): ${e.message}`);
        return undefined;
      }
      throw internalError(`failed calling webhook "${hook.name}": ${e.message}`);
    }
    for (const w of response.warnings ?? []) if (typeof w === 'string') call.warnings.push(w);
    if (!response.allowed) throw denied(hook, response.status);
    return response;
  }
}
