// Proxies a request for an aggregated group/version to its backend, as kube-aggregator does: the
// caller already authenticated and authorized here, so the backend gets who they are in the
// X-Remote-User / X-Remote-Group headers instead of their credentials, on a connection made with
// the front proxy's client certificate (the only one the backend takes those headers from). Bodies and watch streams
// flow through unchanged in both directions.
import { request } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { ApiError } from '../errors.js';
import type { UserInfo } from '../objects/context.js';
import type { Store } from '../storage/index.js';
import { backendOptions, type ApiServiceTarget, type ProxyIdentity } from './client.js';
import { resolveService } from './endpoint.js';

/** Request headers never passed on: credentials, hop-by-hop headers and identity claims. */
const DROPPED = new Set([
  'authorization',
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'x-remote-user',
  'x-remote-group',
]);

const unavailable = (message: string): ApiError => new ApiError(503, 'ServiceUnavailable', message);

export function proxyToApiService(
  store: Store,
  target: ApiServiceTarget,
  req: IncomingMessage,
  res: ServerResponse,
  user: UserInfo,
  identity: ProxyIdentity,
): Promise<number> {
  const where = resolveService(store, target.service);
  if (!where.ok)
    return Promise.reject(unavailable(`the server is currently unable to handle the request (${where.message})`));
  const headers: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !DROPPED.has(k) && !k.startsWith('impersonate-')) headers[k] = v;
  }
  headers['x-remote-user'] = user.name;
  if (user.groups.length) headers['x-remote-group'] = [...user.groups];
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  return new Promise((resolve, reject) => {
    const upstream = request(
      { ...backendOptions(target, where.host, where.port, identity), method: req.method, path: req.url, headers },
      (answer) => {
        const out: OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(answer.headers))
          if (v !== undefined && k !== 'connection' && k !== 'transfer-encoding') out[k] = v;
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        answer.on('end', () => resolve(answer.statusCode ?? 502));
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (e) => {
      if (res.headersSent) {
        res.destroy();
        resolve(502);
      } else {
        reject(unavailable(`error trying to reach service: ${e.message}`));
      }
    });
    // The client going away ends the backend request too (watches).
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
}
