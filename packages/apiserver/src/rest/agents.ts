// How the API server reaches node agents: on loopback, at the port each Node publishes
// (status.daemonEndpoints.kubeletEndpoint), presenting the token agents require (as
// kube-apiserver presents its kubelet client certificate). Used by pods/log, exec/attach/
// port-forward, nodes/proxy and the metrics API.
import { isRecord } from '@wharf/api';
import { ApiError, notFound } from '../errors.js';
import type { ObjectApi } from '../objects/api.js';
import { objectKey } from '../storage/index.js';

export class AgentDialer {
  /** `token`: what agents expect as `Authorization: Bearer`; none when agents check nothing. */
  constructor(
    private readonly api: ObjectApi,
    private readonly token?: string,
  ) {}

  /** The agent's port for `nodeName`; 404 for an unknown node, 503 while no agent serves it. */
  port(nodeName: string, what: string): number {
    const node = this.api.store.get(objectKey('', 'nodes', undefined, nodeName));
    if (!node) throw notFound('nodes', '', nodeName);
    const status = isRecord(node.status) ? node.status : {};
    const endpoint =
      isRecord(status.daemonEndpoints) && isRecord(status.daemonEndpoints.kubeletEndpoint)
        ? status.daemonEndpoints.kubeletEndpoint
        : {};
    const port = typeof endpoint.Port === 'number' ? endpoint.Port : 0;
    if (!port) throw new ApiError(503, 'ServiceUnavailable', `no node agent is serving node "${nodeName}" for ${what}`);
    return port;
  }

  /** Headers every request to an agent carries. */
  headers(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }
}
