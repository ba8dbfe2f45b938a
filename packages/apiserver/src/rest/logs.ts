// pods/<name>/log: the API server finds the pod's node and streams the container log from that
// node agent's endpoint (node.status.daemonEndpoints.kubeletEndpoint), as kube-apiserver does
// with the kubelet.
import { request } from 'node:http';
import { isRecord } from '@wharf/api';
import { ApiError, badRequest } from '../errors.js';
import type { ObjectApi } from '../objects/api.js';
import type { AgentDialer } from './agents.js';
import type { ExternalSubresource } from './subresources.js';

const PASSED = ['follow', 'tailLines', 'previous', 'timestamps', 'sinceSeconds', 'sinceTime', 'limitBytes'];

function containerNames(spec: Record<string, unknown>): string[] {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter(isRecord).map((c) => String(c.name)) : []);
  return [...list(spec.containers), ...list(spec.initContainers), ...list(spec.ephemeralContainers)];
}

export function podLogHandler(api: ObjectApi, agents: AgentDialer): ExternalSubresource {
  return (r) => {
    if (r.ri.verb !== 'get') throw new ApiError(405, 'MethodNotAllowed', 'pods/log answers GET only');
    const pod = api.get(r.served, r.namespace, r.name);
    const spec = isRecord(pod.spec) ? pod.spec : {};
    const names = containerNames(spec);
    let container = r.query.get('container') ?? '';
    if (!container) {
      const app = Array.isArray(spec.containers) ? spec.containers.filter(isRecord) : [];
      if (app.length !== 1) {
        throw badRequest(
          `a container name must be specified for pod ${r.name}, choose one of: [${app.map((c) => String(c.name)).join(' ')}]`,
        );
      }
      container = String(app[0]?.name);
    }
    if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${r.name}`);
    const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
    if (!nodeName) throw badRequest(`pod ${r.name} does not have a host assigned`);
    const port = agents.port(nodeName, 'pods/log');
    const q = new URLSearchParams();
    for (const k of PASSED) {
      const v = r.query.get(k);
      if (v !== null) q.set(k, v);
    }
    const path = `/containerLogs/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.name)}/${encodeURIComponent(container)}?${q.toString()}`;
    return new Promise<number>((resolve, reject) => {
      const up = request({ host: '127.0.0.1', port, path, method: 'GET', headers: agents.headers() }, (res) => {
        const code = res.statusCode ?? 502;
        r.res.writeHead(code, {
          'Content-Type': res.headers['content-type'] ?? 'text/plain',
          'Cache-Control': 'no-cache, private',
          'Transfer-Encoding': 'chunked',
        });
        r.res.flushHeaders();
        res.pipe(r.res);
        res.on('end', () => resolve(code));
        res.on('error', () => resolve(code));
      });
      up.on('error', (e) =>
        reject(new ApiError(503, 'ServiceUnavailable', `node agent of "${nodeName}" did not answer: ${e.message}`)),
      );
      r.req.on('close', () => up.destroy());
      up.end();
    });
  };
}
