// The git server: smart HTTP at /git/<namespace>/<name>.git, forge webhooks at
// /hooks/<namespace>/<name>, over plain HTTP on one port. On informer events (no polling) it
// creates the bare repositories of built-in Repositories and writes their clone and webhook URLs
// into status, starts queued PipelineRuns when a run finishes or goes (the concurrent-build
// limit), and deploys successful builds to the Applications that name them (deliver/).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EventRecorder, Informer, InformerFactory, KubeClient, realClock, type Logger } from '@wharf/client';
import type { KubeConfig } from '@kubernetes/client-node';
import { answer, type ServerContext } from './context.js';
import { installGitKinds } from './crd.js';
import { serveGit } from './git-http.js';
import { DeliveryController } from './deliver/controller.js';
import { PIPELINERUNS, type RunView } from './deliver/types.js';
import { runState } from './queue.js';
import { RepositoryController } from './repositories.js';
import type { PipelineRun } from './pipelinerun.js';
import { DeliveryLog } from './replay.js';
import { Trigger } from './trigger.js';
import { GROUP, LABEL_REPOSITORY, REPOSITORY_PLURAL, VERSION, type Repository } from './types.js';
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
  /**
   * Deploy successful builds to the Applications whose components name their repository, branch
   * and pipeline (needs the platform.wharf.dev Application kind). @default true
   */
  readonly deliver?: boolean;
}

export interface RunningGitServer {
  readonly url: string;
  stop(): Promise<void>;
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
  const serve = (): Server =>
    createServer((req, res) => {
      handle(req, res).catch((e: unknown) => {
        o.logger.warn({ err: e, url: req.url }, 'git server request failed');
        answer(res, 500, `internal error: ${(e as Error).message}`);
      });
    });
  const listen = (s: Server, port: number, address: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, address, () => resolve());
    });
  const servers: Server[] = [serve()];
  const urlOf = (address: string, port: number): string =>
    `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
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
    client,
    logger: o.logger,
    reposRoot: join(o.dataDir, 'repos'),
    publicUrl: (o.publicUrl ?? (o.alsoListenOn ? urlOf(o.alsoListenOn, port) : url)).replace(/\/$/, ''),
    trigger,
    deliveries: new DeliveryLog(join(o.dataDir, 'deliveries.json')),
    maxPushBytes: o.maxPushBytes ?? 512 * 1024 * 1024,
    maxWebhookBytes: o.maxWebhookBytes ?? 25 * 1024 * 1024,
  };
  ready.ctx = c;
  const informers = new InformerFactory({
    client,
    clock: realClock,
    onError: (e) => o.logger.warn({ err: e }, 'watch failed; retrying'),
  });
  const repos = informers.for<Repository>(`/apis/${GROUP}/${VERSION}/${REPOSITORY_PLURAL}`);
  // Only the runs a Repository started: the queue's and the delivery's.
  const runs = new Informer<RunView>({
    client,
    path: PIPELINERUNS,
    labelSelector: LABEL_REPOSITORY,
    clock: realClock,
    onError: (e) => o.logger.debug({ err: e }, 'PipelineRun watch failed (no tekton.dev kinds yet?); retrying'),
  });
  // A slot frees when a run finishes or goes, and a new run may wait: then start what waits.
  runs.on((t, r, old) => {
    const now = runState(r as PipelineRun);
    if (t === 'update' && old && runState(old as PipelineRun) === now) return;
    if (t === 'update' && now !== 'done') return;
    trigger.admitQueued().catch((e: unknown) => o.logger.warn({ err: e }, 'starting queued runs failed'));
  });
  const pctx = { ...c, clock: realClock, informers };
  const controllers = [
    new RepositoryController(pctx, repos),
    ...((o.deliver ?? true)
      ? [
          new DeliveryController({
            client,
            clock: realClock,
            informers,
            runs,
            logger: o.logger.child({ controller: 'delivery' }),
            events: new EventRecorder({
              client,
              component: 'wharf-git',
              clock: realClock,
              onError: (e) => o.logger.debug({ err: e }, 'event not recorded'),
            }),
          }),
        ]
      : []),
  ];
  for (const ctl of controllers) ctl.start();
  informers.start();
  runs.start();
  o.logger.info({ url, publicUrl: c.publicUrl, dataDir: o.dataDir }, 'git server listening');
  return {
    url,
    async stop() {
      await Promise.all(controllers.map((ctl) => ctl.stop()));
      await Promise.all([informers.stop(), runs.stop()]);
      const closed = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const s of servers) s.closeAllConnections();
      await Promise.all(closed);
      client.close();
    },
  };
}
