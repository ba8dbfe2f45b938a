// GET /console-api/logs?namespace=NS&container=C&pod=P1&pod=P2[&tailLines=N][&follow=true]: the
// logs of several pods as one stream, each line prefixed "[pod] " (as `wharf app logs`), for the
// application page. A browser keeps at most six HTTP/1.1 connections to a host, so a follow per
// pod beside the page's watches queued every request after the sixth: the third pod of a
// component never showed, and the page's other calls waited behind it. Each pod's log is still the
// user's own request to the API server (their token, RBAC and audit entry); the answer is 200
// once every pod's log answered 200, else the first refusal's Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import { LinePrefixer } from '../app/pods.js';
import type { ApiTarget } from './proxy.js';
import { sessionToken } from './session.js';

export const LOGS_PATH = '/console-api/logs';
/** More pods than a component runs is a mistake, not a log view. */
const MAX_PODS = 50;
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface LogsQuery {
  namespace: string;
  container: string;
  pods: string[];
  upstream: URLSearchParams;
}

/** The query, checked; a string says what is wrong with it. */
export function parseLogsQuery(q: URLSearchParams): LogsQuery | string {
  const namespace = q.get('namespace') ?? '';
  const container = q.get('container') ?? '';
  const pods = q.getAll('pod');
  if (!NAME.test(namespace) || !NAME.test(container)) return 'namespace and container: required names';
  if (!pods.length || pods.length > MAX_PODS || !pods.every((p) => NAME.test(p)))
    return `pod: 1 to ${MAX_PODS} pod names`;
  const upstream = new URLSearchParams({ container });
  const tail = q.get('tailLines');
  if (tail !== null) {
    if (!/^\d{1,6}$/.test(tail)) return 'tailLines: a number';
    upstream.set('tailLines', tail);
  }
  if (q.get('follow') === 'true') upstream.set('follow', 'true');
  return { namespace, container, pods, upstream };
}

function status(res: ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code,
      reason: code === 400 ? 'BadRequest' : 'ServiceUnavailable',
      message,
    }),
  );
}

export function podLogs(api: ApiTarget, req: IncomingMessage, res: ServerResponse): void {
  const q = parseLogsQuery(new URL(req.url ?? '/', 'http://console').searchParams);
  if (typeof q === 'string') return status(res, 400, q);
  const session = req.headers.authorization === undefined ? sessionToken(req.headers) : undefined;
  const authorization = req.headers.authorization ?? (session ? `Bearer ${session}` : undefined);
  const headers = { accept: '*/*', ...(authorization ? { authorization } : {}) };
  const answers = q.pods.map(
    (pod) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const path = `/api/v1/namespaces/${encodeURIComponent(q.namespace)}/pods/${encodeURIComponent(pod)}/log?${q.upstream}`;
        const up = request({ host: api.host, port: api.port, ca: api.ca, method: 'GET', path, headers }, resolve);
        up.on('error', reject);
        res.on('close', () => up.destroy());
        up.end();
      }),
  );
  void Promise.all(answers).then(
    (ups) => {
      const refused = ups.find((u) => (u.statusCode ?? 502) !== 200);
      if (refused) {
        for (const u of ups) if (u !== refused) u.destroy();
        res.writeHead(refused.statusCode ?? 502, {
          'content-type': refused.headers['content-type'] ?? 'application/json',
          'cache-control': 'no-store',
        });
        refused.pipe(res);
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.flushHeaders();
      let open = ups.length;
      ups.forEach((u, i) => {
        const prefixed = u.pipe(new LinePrefixer(`[${q.pods[i] ?? ''}] `));
        prefixed.on('data', (d: Buffer) => res.write(d));
        prefixed.on('end', () => --open === 0 && res.end());
      });
    },
    (e: Error) => {
      if (!res.headersSent) status(res, 503, `the console cannot reach the API server: ${e.message}`);
      else res.destroy();
    },
  );
}
