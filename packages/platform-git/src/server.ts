// The git server: smart HTTP at /git/<namespace>/<name>.git, forge webhooks at
// /hooks/<namespace>/<name>, over plain HTTP on one port. A periodic pass creates the bare
// repositories of built-in Repositories, writes their clone and webhook URLs into status, and
// starts queued PipelineRuns as the concurrent-build limit allows. start() / stop().
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeClient, PeriodicPass, realClock, type Logger } from '@wharf/client';
import type { KubeConfig } from '@kubernetes/client-node';
import { answer, cloneUrl, type ServerContext } from './context.js';
import { installGitKinds } from './crd.js';
import { serveGit } from './git-http.js';
import { ensureBareRepo, repoDir } from './git-repo.js';
import { updateStatus } from './recorder.js';
import { DeliveryLog } from './replay.js';
import { Trigger } from './trigger.js';
import { GROUP, REPOSITORY_PLURAL, VERSION, type Repository } from './types.js';
import { serveWebhook } from './webhook-http.js';

export interface GitServerOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** Where repositories (repos/) and remembered delivery ids (deliveries.json) are kept. */
  readonly dataDir: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** A second address to serve on, same port (where pods reach this host). @default none */
  readonly alsoListenOn?: string;
  /** The URL written into status and PipelineRun params. @default http://<alsoListenOn or host>:<port> */
  readonly publicUrl?: string;
  /** Cluster-wide limit of triggered PipelineRuns running at once. @default 2 */
  readonly maxConcurrentBuilds?: number;
  /** @default 512 MiB */
  readonly maxPushBytes?: number;
  /** GitHub's own cap on payloads. @default 25 MiB */
  readonly maxWebhookBytes?: number;
  /** Install the Repository CRD and the git ClusterRoles. @default true */
  readonly installKinds?: boolean;
  /** @default 2000 */
  readonly passIntervalMs?: number;
}

export interface RunningGitServer {
  readonly url: string;
  stop(): Promise<void>;
}

async function syncPass(ctx: ServerContext): Promise<void> {
  const list = await ctx.client.get<{ items: Repository[] }>(`/apis/${GROUP}/${VERSION}/${REPOSITORY_PLURAL}`);
  for (const repo of list.items) {
    const { namespace, name } = repo.metadata;
    const builtin = repo.spec.source.type === 'builtin';
    if (builtin && (await ensureBareRepo(repoDir(ctx.reposRoot, namespace, name)))) ctx.logger.info({ repository: `${namespace}/${name}` }, 'created the bare repository');
    const want = { ...(builtin ? { cloneURL: cloneUrl(ctx, namespace, name) } : {}), ...(repo.spec.webhook ? { webhookPath: `/hooks/${namespace}/${name}` } : {}) };
    if (repo.status?.cloneURL !== want.cloneURL || repo.status?.webhookPath !== want.webhookPath) {
      await updateStatus(ctx.client, namespace, name, (s) => {
        if (want.cloneURL) s.cloneURL = want.cloneURL;
        if (want.webhookPath) s.webhookPath = want.webhookPath;
      });
    }
  }
}

export async function startGitServer(o: GitServerOptions): Promise<RunningGitServer> {
  const client = new KubeClient(o.kubeConfig);
  if (o.installKinds !== false) await installGitKinds(client);
  const host = o.host ?? '127.0.0.1';
  // Requests that arrive before the port is known (and so the public URL) get 503.
  const ready: { ctx?: ServerContext } = {};
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const ctx = ready.ctx;
    if (!ctx) return answer(res, 503, 'starting');
    if (path === '/healthz') return answer(res, 200, 'ok');
    if (path.startsWith('/git/')) return serveGit(ctx, req, res, path);
    if (path.startsWith('/hooks/')) return serveWebhook(ctx, req, res, path);
    return answer(res, 404, 'Wharf git server: /git/<namespace>/<repository>.git and /hooks/<namespace>/<repository>');
  };
  const serve = (): Server => createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      o.logger.warn({ err: e, url: req.url }, 'git server request failed');
      answer(res, 500, `internal error: ${(e as Error).message}`);
    });
  });
  const listen = (s: Server, port: number, address: string): Promise<void> => new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, address, () => resolve());
  });
  const servers: Server[] = [serve()];
  const urlOf = (address: string, port: number): string => `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  let port: number;
  try {
    await listen(servers[0]!, o.port ?? 0, host);
    port = (servers[0]!.address() as AddressInfo).port;
    if (o.alsoListenOn) {
      servers.push(serve());
      await listen(servers[1]!, port, o.alsoListenOn);
    }
  } catch (e) {
    for (const s of servers) s.close();
    client.close();
    throw e;
  }
  const url = urlOf(host, port);
  const trigger = new Trigger({ client, logger: o.logger, maxConcurrentBuilds: o.maxConcurrentBuilds ?? 2 });
  const c: ServerContext = {
    client, logger: o.logger, reposRoot: join(o.dataDir, 'repos'), publicUrl: (o.publicUrl ?? (o.alsoListenOn ? urlOf(o.alsoListenOn, port) : url)).replace(/\/$/, ''), trigger,
    deliveries: new DeliveryLog(join(o.dataDir, 'deliveries.json')), maxPushBytes: o.maxPushBytes ?? 512 * 1024 * 1024, maxWebhookBytes: o.maxWebhookBytes ?? 25 * 1024 * 1024,
  };
  ready.ctx = c;
  const interval = o.passIntervalMs ?? 2000;
  const pass = new PeriodicPass({
    clock: realClock,
    run: async () => {
      try {
        await syncPass(c);
      } catch (e) {
        o.logger.warn({ err: e }, 'repository sync failed');
      }
      // Without Tekton's PipelineRun kind there is nothing to admit (404): quiet.
      await trigger.admitQueued().catch((e: unknown) => o.logger.debug({ err: e }, 'admission pass failed'));
      return interval;
    },
  });
  pass.start();
  o.logger.info({ url, publicUrl: c.publicUrl, dataDir: o.dataDir }, 'git server listening');
  return {
    url,
    async stop() {
      await pass.stop();
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const s of servers) s.closeAllConnections();
      await Promise.all(closed);
      client.close();
    },
  };
}
