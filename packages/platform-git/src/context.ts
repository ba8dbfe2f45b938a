// What the git and webhook handlers share: the client, where repositories live, the trigger, the
// limits, and a plain-text answer that closes the exchange with one clear line.
import type { ServerResponse } from 'node:http';
import type { KubeClient, Logger } from '@wharf/client';
import type { DeliveryLog } from './replay.js';
import { repositoryPath } from './recorder.js';
import type { Trigger } from './trigger.js';
import type { Repository } from './types.js';

export interface ServerContext {
  readonly client: KubeClient;
  readonly logger: Logger;
  /** The directory holding <namespace>/<name>.git. */
  readonly reposRoot: string;
  /** The URL clients and build pods reach this server at (no trailing slash). */
  readonly publicUrl: string;
  readonly trigger: Trigger;
  readonly deliveries: DeliveryLog;
  readonly maxPushBytes: number;
  readonly maxWebhookBytes: number;
}

export function answer(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${message}\n`);
}

export const getRepository = (ctx: ServerContext, namespace: string, name: string): Promise<Repository | undefined> =>
  ctx.client.getOptional<Repository>(repositoryPath(namespace, name));

export const cloneUrl = (ctx: ServerContext, namespace: string, name: string): string =>
  `${ctx.publicUrl}/git/${namespace}/${name}.git`;

/** DNS-1123 labels and subdomains: what namespace and object names may be, so no path can escape. */
export const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const NAME_RE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
