// nodes/<name>/proxy/<path>: GET requests relayed to the node agent's endpoint
// (node.status.daemonEndpoints.kubeletEndpoint), as kube-apiserver proxies to the kubelet, e.g.
// `kubectl get --raw /api/v1/nodes/node-0/proxy/metrics/resource`. The path is checked on the raw
// request: dot segments, encoded slashes and backslashes are refused with 400 rather than
// resolved.
import { request } from 'node:http';
import { ApiError, badRequest, pathNotFound } from '../errors.js';
import type { AgentDialer } from './agents.js';
import type { ExternalSubresource } from './subresources.js';

const PROXY_PATH = /^\/api\/v1\/nodes\/([^/]+)\/proxy(\/.*)?$/;

/**
 * The path to ask the agent for, from the raw request path (`/api/v1/nodes/<n>/proxy/<rest>`):
 * each segment decoded once and re-encoded; throws 400 for paths that could leave the agent's
 * tree or mean something else once decoded.
 */
export function agentPath(rawPath: string): string {
  const m = PROXY_PATH.exec(rawPath);
  if (!m)
    throw badRequest(`invalid node proxy path ${JSON.stringify(rawPath)}: expected /api/v1/nodes/<name>/proxy/<path>`);
  const rest = m[2] ?? '/';
  const trailing = rest.length > 1 && rest.endsWith('/');
  const raw = rest.slice(1, trailing ? -1 : undefined);
  if (raw === '') return '/';
  const out: string[] = [];
  for (const seg of raw.split('/')) {
    const refuse = (why: string): ApiError => badRequest(`invalid node proxy path ${JSON.stringify(rawPath)}: ${why}`);
    if (seg === '') throw refuse('empty path segment');
    if (/%2f|%5c|\\/i.test(seg)) throw refuse('encoded slashes and backslashes are not allowed');
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      throw refuse('malformed percent-encoding');
    }
    if (decoded === '.' || decoded === '..') throw refuse('"." and ".." segments are not allowed');
    if ([...decoded].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f))
      throw refuse('control characters are not allowed');
    out.push(encodeURIComponent(decoded));
  }
  return `/${out.join('/')}${trailing ? '/' : ''}`;
}

export function nodeProxyHandler(agents: AgentDialer): ExternalSubresource {
  return (r) => {
    if (r.served.info.resource !== 'nodes' || r.served.info.group !== '') throw pathNotFound(r.ri.path);
    if (r.ri.verb !== 'get')
      throw new ApiError(405, 'MethodNotAllowed', `nodes/proxy answers GET only (got ${r.req.method ?? ''})`);
    const target = agentPath(r.ri.path);
    const port = agents.port(r.name, 'nodes/proxy');
    const q = r.query.toString();
    return new Promise<number>((resolve, reject) => {
      const up = request(
        {
          host: '127.0.0.1',
          port,
          path: q ? `${target}?${q}` : target,
          method: 'GET',
          headers: { ...agents.headers(), Accept: r.req.headers.accept ?? '*/*' },
        },
        (res) => {
          const code = res.statusCode ?? 502;
          const headers: Record<string, string> = {
            'Content-Type': res.headers['content-type'] ?? 'text/plain',
            'Cache-Control': 'no-cache, private',
          };
          if (res.headers['content-length']) headers['Content-Length'] = res.headers['content-length'];
          r.res.writeHead(code, headers);
          res.pipe(r.res);
          res.on('end', () => resolve(code));
          res.on('error', () => resolve(code));
        },
      );
      up.on('error', (e) => {
        if (!r.res.headersSent)
          return reject(
            new ApiError(503, 'ServiceUnavailable', `node agent of "${r.name}" did not answer: ${e.message}`),
          );
        r.res.destroy();
        resolve(502);
      });
      r.res.on('close', () => up.destroy());
      up.end();
    });
  };
}
