// metrics.k8s.io/v1beta1, served by the API server itself as metrics-server would serve it:
// NodeMetrics and PodMetrics (get, list; label and field selectors as on nodes and pods) computed
// from the node agents' /metrics/resource, so `kubectl top nodes|pods` works. Nothing is stored.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord, type KubeObject, type StoredObject } from '@wharf/api';
import { ApiError, methodNotAllowed, notFound, pathNotFound } from '../errors.js';
import type { ObjectApi } from '../objects/api.js';
import type { Served } from '../registry.js';
import { negotiate } from '../rest/negotiate.js';
import type { AgentDialer } from '../rest/agents.js';
import type { RequestInfo } from '../rest/request-info.js';
import { send } from '../rest/respond.js';
import { toTable } from '../tables/index.js';
import { UsageSource, type NodeUsage, type Usage } from './usage.js';

export const METRICS_GROUP = 'metrics.k8s.io';
const API_VERSION = `${METRICS_GROUP}/v1beta1`;

/** CPU in nanocores and memory in Ki (bytes when not a multiple), as metrics-server writes them. */
export function usageQuantities(u: Pick<Usage, 'cpuCores' | 'memoryBytes'>): { cpu: string; memory: string } {
  const bytes = Math.max(0, Math.round(u.memoryBytes));
  return {
    cpu: `${Math.max(0, Math.round(u.cpuCores * 1e9))}n`,
    memory: bytes % 1024 === 0 ? `${bytes / 1024}Ki` : String(bytes),
  };
}

/** A Go time.Duration string for a window in milliseconds (e.g. "1.002s"). */
export function windowString(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

export class MetricsApi {
  constructor(
    private readonly api: ObjectApi,
    private readonly agents: AgentDialer,
    private readonly usage = new UsageSource({ headers: agents.headers() }),
  ) {}

  /** Whether the request is for metrics.k8s.io (resource requests only). */
  serves(ri: RequestInfo): boolean {
    return ri.resourceRequest && ri.group === METRICS_GROUP;
  }

  async handle(req: IncomingMessage, res: ServerResponse, ri: RequestInfo, query: URLSearchParams): Promise<number> {
    const served = this.api.registry.lookup(ri.group, ri.version, ri.resource);
    if (!served || ri.subresource) throw pathNotFound(ri.path);
    const { info } = served;
    if (!info.namespaced && ri.namespace) throw pathNotFound(ri.path);
    if (ri.verb !== 'get' && ri.verb !== 'list')
      throw methodNotAllowed(req.method ?? '', `${info.resource}.${info.group}`);
    const wanted = negotiate(req.headers.accept);
    const items = info.resource === 'nodes' ? await this.nodeMetrics(ri, query) : await this.podMetrics(ri, query);
    let body: unknown;
    if (ri.verb === 'get') {
      const item = items[0];
      if (!item) throw notFound(info.resource, info.group, ri.name);
      body = wanted.representation === 'table' ? toTable(info, [item]) : item;
    } else {
      body =
        wanted.representation === 'table'
          ? toTable(info, items)
          : { kind: `${info.kind}List`, apiVersion: API_VERSION, metadata: {}, items };
    }
    send(res, 200, body, wanted);
    return 200;
  }

  private served(resource: 'nodes' | 'pods'): Served {
    const s = this.api.registry.lookup('', 'v1', resource);
    if (!s) throw new ApiError(500, 'InternalError', `core/v1 ${resource} are not served`);
    return s;
  }

  private select(resource: 'nodes' | 'pods', ri: RequestInfo, query: URLSearchParams): StoredObject[] {
    const served = this.served(resource);
    if (ri.name) {
      try {
        return [this.api.get(served, ri.namespace, ri.name)];
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return [];
        throw e;
      }
    }
    return this.api.list(served, ri.namespace, {
      labelSelector: query.get('labelSelector') ?? '',
      fieldSelector: query.get('fieldSelector') ?? '',
    }).items;
  }

  /** Usage of the named nodes, scraped in parallel; nodes without an agent or whose agent fails are left out. */
  private async usageOf(nodeNames: Iterable<string>): Promise<Map<string, NodeUsage>> {
    const out = new Map<string, NodeUsage>();
    await Promise.all(
      [...new Set(nodeNames)].map(async (name) => {
        try {
          out.set(name, await this.usage.usage(name, this.agents.port(name, METRICS_GROUP)));
        } catch {
          // As metrics-server: a node it cannot scrape has no metrics.
        }
      }),
    );
    return out;
  }

  private async nodeMetrics(ri: RequestInfo, query: URLSearchParams): Promise<KubeObject[]> {
    const nodes = this.select('nodes', ri, query);
    const usage = await this.usageOf(nodes.map((n) => n.metadata.name));
    const out: KubeObject[] = [];
    for (const n of nodes) {
      const u = usage.get(n.metadata.name)?.node;
      if (!u) continue;
      out.push({
        kind: 'NodeMetrics',
        apiVersion: API_VERSION,
        metadata: {
          name: n.metadata.name,
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          ...(n.metadata.labels ? { labels: n.metadata.labels } : {}),
        },
        timestamp: new Date(u.timestampMs).toISOString().replace(/\.\d+Z$/, 'Z'),
        window: windowString(u.windowMs),
        usage: usageQuantities(u),
      });
    }
    return out;
  }

  private async podMetrics(ri: RequestInfo, query: URLSearchParams): Promise<KubeObject[]> {
    const pods = this.select('pods', ri, query).filter(
      (p) => isRecord(p.spec) && typeof p.spec.nodeName === 'string' && p.spec.nodeName !== '',
    );
    const usage = await this.usageOf(pods.map((p) => (p.spec as { nodeName: string }).nodeName));
    const out: KubeObject[] = [];
    for (const p of pods) {
      const u = usage
        .get((p.spec as { nodeName: string }).nodeName)
        ?.pods.get(`${p.metadata.namespace ?? ''}/${p.metadata.name}`);
      if (!u) continue;
      out.push({
        kind: 'PodMetrics',
        apiVersion: API_VERSION,
        metadata: {
          name: p.metadata.name,
          namespace: p.metadata.namespace,
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          ...(p.metadata.labels ? { labels: p.metadata.labels } : {}),
        },
        timestamp: new Date(u.timestampMs).toISOString().replace(/\.\d+Z$/, 'Z'),
        window: windowString(u.windowMs),
        containers: u.containers.map((c) => ({ name: c.name, usage: usageQuantities(c) })),
      });
    }
    return out;
  }
}
