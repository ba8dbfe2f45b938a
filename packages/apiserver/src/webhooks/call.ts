// One AdmissionReview (admission.k8s.io/v1) round trip to a webhook, by URL or through a Service,
// over HTTPS checked against the webhook's caBundle (a Service's certificate must name
// <service>.<namespace>.svc). A failure to call says why in upstream's words.
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { isRecord, type KubeObject } from '@wharf/api';
import type { UserInfo } from '../objects/context.js';
import type { Store } from '../storage/index.js';
import { resolveService } from '../aggregation/endpoint.js';
import type { AdmissionRequest, Webhook } from './config.js';

export interface AdmissionResponse {
  readonly allowed: boolean;
  readonly status?: { code?: number; reason?: string; message?: string };
  /** Base64 of a JSONPatch (patchType JSONPatch), from mutating webhooks. */
  readonly patch?: string;
  readonly warnings?: string[];
}

/** Calling the webhook failed (network, TLS, timeout, a malformed answer). */
export class WebhookCallError extends Error {}

const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

/** The AdmissionReview a webhook receives for `req`. */
export function reviewOf(
  req: AdmissionRequest,
  user: UserInfo,
  dryRun: boolean,
  options: KubeObject | undefined,
): Record<string, unknown> {
  const { group, version, kind, resource } = req.served.info;
  const gvk = req.kind ?? { group, version, kind };
  const gvr = { group, version, resource };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: randomUUID(),
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      ...(req.subresource ? { subResource: req.subresource, requestSubResource: req.subresource } : {}),
      name: req.name,
      ...(req.namespace ? { namespace: req.namespace } : {}),
      operation: req.operation,
      userInfo: { username: user.name, groups: user.groups },
      object: req.operation === 'DELETE' ? null : (req.object ?? null),
      oldObject: req.operation === 'CREATE' ? null : (req.oldObject ?? null),
      dryRun,
      options: options ?? null,
    },
  };
}

/** Where the webhook is reached, as a URL for messages, and the request options. */
function target(
  hook: Webhook,
  store: Store,
): { url: string; host: string; port: number; path: string; servername?: string } {
  if (hook.url) {
    const u = new URL(hook.url);
    return {
      url: hook.url,
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 443),
      path: `${u.pathname}${u.search}`,
    };
  }
  const svc = hook.service;
  if (!svc) throw new WebhookCallError('the webhook has neither url nor service');
  const where = resolveService(store, svc);
  const url = `https://${svc.name}.${svc.namespace}.svc:${svc.port}${svc.path}`;
  if (!where.ok) throw new WebhookCallError(`failed to call webhook: Post "${url}": ${where.message}`);
  return { url, host: where.host, port: where.port, path: svc.path, servername: `${svc.name}.${svc.namespace}.svc` };
}

export function callWebhook(hook: Webhook, review: Record<string, unknown>, store: Store): Promise<AdmissionResponse> {
  const t = target(hook, store);
  const timeout = `timeout=${hook.timeoutSeconds}s`;
  const path = `${t.path}${t.path.includes('?') ? '&' : '?'}${timeout}`;
  const shown = `Post "${t.url}${t.url.includes('?') ? '&' : '?'}${timeout}"`;
  const body = JSON.stringify(review);
  const uid = (review.request as { uid: string }).uid;
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new WebhookCallError(`failed to call webhook: ${shown}: ${why}`));
    const req = request(
      {
        host: t.host,
        port: t.port,
        method: 'POST',
        path,
        ...(t.servername ? { servername: t.servername } : {}),
        ...(hook.ca ? { ca: hook.ca } : {}),
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        timeout: hook.timeoutSeconds * 1000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) res.destroy(new Error('response too large'));
          else chunks.push(c);
        });
        res.on('error', (e) => fail(e.message));
        res.on('end', () => {
          if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300)
            return fail(`the server responded with status ${res.statusCode ?? 0}`);
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (e) {
            return reject(new WebhookCallError(`received invalid webhook response: ${(e as Error).message}`));
          }
          const response = isRecord(parsed) && isRecord(parsed.response) ? parsed.response : undefined;
          if (!response)
            return reject(
              new WebhookCallError('received invalid webhook response: no response in the AdmissionReview'),
            );
          if (response.uid !== uid)
            return reject(new WebhookCallError(`expected response.uid="${uid}", got "${String(response.uid ?? '')}"`));
          if (typeof response.allowed !== 'boolean')
            return reject(new WebhookCallError('received invalid webhook response: response.allowed must be set'));
          resolve(response as unknown as AdmissionResponse);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
    req.on('error', (e) => fail(e.message));
    req.end(body);
  });
}
