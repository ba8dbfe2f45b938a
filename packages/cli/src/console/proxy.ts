// The same-origin path from the browser to the Kubernetes API: requests under /api, /apis,
// /version and the health checks /readyz and /livez go to the API server as they came, with the
// user's own Authorization header (or the token of their sign-in session's cookie) and no credential of ours, so the
// API server authenticates, authorizes and audits the user. Responses
// stream through unbuffered (watches, log follows). The built-in registry's /v2 API (the Images
// page) goes the same way to the registry, which takes the same cluster tokens.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import { sessionToken } from './session.js';

export interface ApiTarget {
  readonly host: string;
  readonly port: number;
  /** PEM CA that signs the API server's certificate. */
  readonly ca: string;
  /** What the console calls it in an error. @default 'the API server' */
  readonly name?: string;
}

/** Request headers the API needs; cookies and the like stay behind. */
const FORWARDED = [
  'authorization',
  'accept',
  'content-type',
  'content-length',
  'user-agent',
  'accept-encoding',
  'impersonate-user',
  'impersonate-group',
];

export function isApiPath(path: string): boolean {
  return /^\/(api|apis|version|readyz|livez)(\/|\?|$)/.test(path);
}

/** The registry's distribution API (OCI distribution spec: /v2/...). */
export function isRegistryPath(path: string): boolean {
  return /^\/v2(\/|\?|$)/.test(path);
}

export function proxyToApi(target: ApiTarget, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const h of FORWARDED) {
    const v = req.headers[h];
    if (v !== undefined) headers[h] = v;
  }
  // A directory user's session: the token from the httpOnly cookie (see session.ts).
  const session = headers.authorization === undefined ? sessionToken(req.headers) : undefined;
  if (session) headers.authorization = `Bearer ${session}`;
  const upstream = request(
    { host: target.host, port: target.port, ca: target.ca, method: req.method, path: req.url, headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, stripHopByHop(up.headers));
      // A quiet watch sends no body for a while: the browser must see it open now, not at its first event.
      res.flushHeaders();
      up.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    if (res.headersSent) res.destroy();
    else apiUnavailable(res, `${target.name ?? 'the API server'}: ${e.message}`);
  });
  // A closed tab ends its watches and log follows upstream too.
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

function stripHopByHop(h: IncomingMessage['headers']): IncomingMessage['headers'] {
  const out = { ...h };
  // The registry's Basic challenge would make the browser pop its own password dialog: the
  // console's pages read the 401 and send the user to sign in instead.
  for (const k of ['connection', 'keep-alive', 'transfer-encoding', 'www-authenticate']) delete out[k];
  return out;
}

function apiUnavailable(res: ServerResponse, message: string): void {
  res.writeHead(503, { 'content-type': 'application/json' }).end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      reason: 'ServiceUnavailable',
      code: 503,
      message: `the console cannot reach ${message}`,
    }),
  );
}
