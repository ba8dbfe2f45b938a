// The Prometheus HTTP API through Wharf's API, as an aggregated API (APIService
// v1alpha1.monitoring.wharf.dev): `/apis/monitoring.wharf.dev/v1alpha1/namespaces/<ns>/
// prometheuses/wharf/api/v1/<query|query_range|series|labels|label/<l>/values|rules|alerts>`.
// The API server authenticates the caller and checks RBAC on `prometheuses/api` in that namespace
// before proxying here; this server then restricts every query to the namespace (enforce.ts)
// and filters rules and alerts to it. Without a namespace (cluster-scoped RBAC) queries pass as
// they are. Other Prometheus endpoints (admin, targets, config) are refused, and so is any request
// not made by the API server (no front proxy client certificate: 401).
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger, type RequestHeaderAuth } from '@wharf/client';
import { enforceNamespace, QueryParseError } from './enforce.js';

export const QUERY_GROUP = 'monitoring.wharf.dev';
export const QUERY_VERSION = 'v1alpha1';
/** The Service the APIService points at (in the monitoring namespace). */
export const QUERY_SERVICE = 'query-proxy';
const PREFIX = `/apis/${QUERY_GROUP}/${QUERY_VERSION}`;
const PATH = new RegExp(`^${PREFIX.replace(/\./g, '\\.')}(?:/namespaces/([^/]+))?/prometheuses/([^/]+)/api/v1/(.+)$`);
const SELECTING = new Set(['query', 'query_range', 'series', 'labels', 'query_exemplars']);

export interface QueryProxyOptions {
  /** Prometheus's base URL. */
  readonly prometheusUrl: string;
  readonly tls: { readonly cert: string; readonly key: string };
  /** Checks that the API server (the front proxy) made the request. */
  readonly auth: RequestHeaderAuth;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 */
  readonly port?: number;
  /** @default silentLogger */
  readonly logger?: Logger;
}

type Labeled = { labels?: Record<string, string> };

const promError = (res: ServerResponse, code: number, errorType: string, error: string): void => {
  res
    .writeHead(code, { 'content-type': 'application/json' })
    .end(JSON.stringify({ status: 'error', errorType, error }));
};

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += (chunk as Buffer).toString();
  return body;
}

/** The parameters restricted to `ns`: queries and series matchers get the namespace. */
export function enforceParams(endpoint: string, params: URLSearchParams, ns: string): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of params) out.append(k, k === 'query' || k === 'match[]' ? enforceNamespace(v, ns) : v);
  const needsMatch = endpoint === 'series' || endpoint === 'labels' || /^label\/[^/]+\/values$/.test(endpoint);
  if (needsMatch && !out.has('match[]')) out.append('match[]', `{namespace=${JSON.stringify(ns)}}`);
  return out;
}

export class QueryProxy {
  private server: https.Server | undefined;
  private readonly logger: Logger;

  constructor(private readonly opts: QueryProxyOptions) {
    this.logger = opts.logger ?? silentLogger;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    this.server = https.createServer(
      { cert: this.opts.tls.cert, key: this.opts.tls.key, ...this.opts.auth.tlsOptions },
      (req, res) => {
        this.handle(req, res).catch((e: unknown) => {
          this.logger.warn({ err: e, path: (req.url ?? '').split('?')[0] }, 'query proxy: request failed');
          if (!res.headersSent) promError(res, 502, 'unavailable', `prometheus: ${(e as Error).message}`);
        });
      },
    );
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://proxy');
    if (!this.opts.auth.authenticate(req))
      return promError(
        res,
        401,
        'unauthorized',
        'the query proxy answers the Kubernetes API server only: query through /apis/monitoring.wharf.dev/v1alpha1',
      );
    if (url.pathname === PREFIX) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: `${QUERY_GROUP}/${QUERY_VERSION}`,
          resources: [
            { name: 'prometheuses', singularName: 'prometheus', namespaced: true, kind: 'Prometheus', verbs: ['get'] },
            {
              name: 'prometheuses/api',
              singularName: '',
              namespaced: true,
              kind: 'Prometheus',
              verbs: ['get', 'create'],
            },
          ],
        }),
      );
      return;
    }
    const m = PATH.exec(url.pathname);
    if (!m) return promError(res, 404, 'not_found', `no such path ${url.pathname}`);
    const ns = m[1] ? decodeURIComponent(m[1]) : undefined;
    const endpoint = m[3] ?? '';
    const readOnly =
      SELECTING.has(endpoint) ||
      /^label\/[^/]+\/values$/.test(endpoint) ||
      endpoint === 'rules' ||
      endpoint === 'alerts';
    if (!readOnly)
      return promError(
        res,
        403,
        'forbidden',
        `the Prometheus endpoint /api/v1/${endpoint} is not served through Wharf's API`,
      );
    const params = new URLSearchParams(url.search);
    if (req.method === 'POST' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(await readBody(req))) params.append(k, v);
    }
    let sent: URLSearchParams;
    try {
      sent = ns ? enforceParams(endpoint, params, ns) : params;
    } catch (e) {
      if (e instanceof QueryParseError) return promError(res, 400, 'bad_data', e.message);
      throw e;
    }
    // Prometheus takes form posts on the selecting endpoints, GET only on the others.
    const target = new URL(`/api/v1/${endpoint}`, this.opts.prometheusUrl);
    const post = SELECTING.has(endpoint);
    if (!post) target.search = sent.toString();
    const upstream = await fetch(target, {
      method: post ? 'POST' : 'GET',
      signal: AbortSignal.timeout(120_000),
      ...(post ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: sent.toString() } : {}),
    });
    let text = await upstream.text();
    if (ns && upstream.ok && (endpoint === 'alerts' || endpoint === 'rules'))
      text = JSON.stringify(filterToNamespace(JSON.parse(text) as Record<string, unknown>, ns));
    res
      .writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' })
      .end(text);
  }
}

/** Alerts (and rules' alerts) of one namespace; rules left with none of its alerts keep their definition only. */
export function filterToNamespace(body: Record<string, unknown>, ns: string): Record<string, unknown> {
  const data = body.data as
    { alerts?: Labeled[]; groups?: { rules?: (Labeled & { alerts?: Labeled[] })[] }[] } | undefined;
  const mine = (a: Labeled): boolean => a.labels?.namespace === ns;
  if (data?.alerts) data.alerts = data.alerts.filter(mine);
  for (const g of data?.groups ?? []) for (const r of g.rules ?? []) if (r.alerts) r.alerts = r.alerts.filter(mine);
  return body;
}
