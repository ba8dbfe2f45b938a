// Wharf's HTTP service discovery for Prometheus: `GET /sd/<role>?namespace=a&namespace=b` answers
// the target groups kubernetes_sd would find (targets.ts), from informers on nodes, pods,
// services and endpoints. Prometheus polls it through http_sd_configs.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubernetesObject, V1Endpoints, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { Informer, type KubeClient, type Logger } from '@wharf/client';
import { endpointsTargets, nodeTargets, podTargets, type TargetGroup } from './targets.js';

export const SD_ROLES = ['node', 'pod', 'endpoints'] as const;
export type SdRole = (typeof SD_ROLES)[number];

export class KubernetesSd {
  private readonly nodes: Informer<V1Node>;
  private readonly pods: Informer<V1Pod>;
  private readonly services: Informer<V1Service>;
  private readonly endpoints: Informer<V1Endpoints>;

  constructor(client: KubeClient, logger: Logger) {
    const inf = <T extends KubernetesObject>(path: string): Informer<T> =>
      new Informer<T>({
        client,
        path,
        onError: (e) => logger.warn({ err: e, path }, 'service discovery: watch failed; retrying'),
      });
    this.nodes = inf('/api/v1/nodes');
    this.pods = inf('/api/v1/pods');
    this.services = inf('/api/v1/services');
    this.endpoints = inf('/api/v1/endpoints');
  }

  private get all(): Informer<KubernetesObject>[] {
    return [this.nodes, this.pods, this.services, this.endpoints] as unknown as Informer<KubernetesObject>[];
  }

  async start(): Promise<void> {
    await Promise.all(this.all.map((i) => i.startSynced()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }

  /** The target groups of a role, in the namespaces given (none: all). */
  groups(role: SdRole, namespaces: readonly string[]): TargetGroup[] {
    const inNs = <T extends KubernetesObject>(i: Informer<T>): T[] =>
      namespaces.length ? namespaces.flatMap((ns) => i.list(ns)) : i.list();
    if (role === 'node') return this.nodes.list().flatMap(nodeTargets);
    if (role === 'pod') return inNs(this.pods).flatMap(podTargets);
    return inNs(this.endpoints).flatMap((ep) =>
      endpointsTargets(ep, this.services.get(ep.metadata?.namespace ?? '', ep.metadata?.name ?? ''), (ns, name) =>
        this.pods.get(ns, name),
      ),
    );
  }

  /** Answers `/sd/<role>`; returns false when the path is not ours. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://sd');
    const m = /^\/sd\/([a-z]+)$/.exec(url.pathname);
    if (!m) return false;
    const role = m[1] as SdRole;
    if (!SD_ROLES.includes(role)) {
      res
        .writeHead(400, { 'content-type': 'text/plain' })
        .end(`unknown role "${role}": one of ${SD_ROLES.join(', ')}\n`);
      return true;
    }
    const body = JSON.stringify(this.groups(role, url.searchParams.getAll('namespace')));
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return true;
  }
}

/**
 * The discovery on an HTTP server of its own (`wharf up`'s process, or `wharf prometheus-sd` in a pod); /healthz
 * answers once its caches synced.
 */
export async function serveSd(
  sd: KubernetesSd,
  host: string,
  port: number,
): Promise<{ readonly port: number; stop(): Promise<void> }> {
  await sd.start();
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] === '/healthz') res.writeHead(200).end('OK');
    else if (!sd.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      await sd.stop();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
