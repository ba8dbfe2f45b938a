// `wharf git-server`: the built-in git server and forge webhook endpoint (@wharf/platform-git)
// against any cluster's kubeconfig, in the foreground until SIGTERM or Ctrl-C. `wharf up` starts
// the same server in its own process (startGit below).
import { resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@wharf/client';
import type { Command } from 'commander';
import { portOf, positiveInteger } from './int-options.js';

export interface GitFlags {
  kubeconfig?: string;
  port: string;
  host: string;
  data: string;
  publicUrl?: string;
  maxConcurrentBuilds: string;
  maxPushMb: string;
  deliver: boolean;
}

/** Starts the git server; the caller stops it. */
export async function startGit(
  kc: KubeConfig,
  logger: Logger,
  o: {
    dataDir: string;
    port: number;
    host?: string;
    alsoListenOn?: string;
    publicUrl?: string;
    maxConcurrentBuilds?: number;
    maxPushBytes?: number;
    deliver?: boolean;
  },
) {
  const { startGitServer } = await import('@wharf/platform-git');
  return startGitServer({
    kubeConfig: kc,
    logger,
    dataDir: o.dataDir,
    port: o.port,
    ...(o.host ? { host: o.host } : {}),
    ...(o.alsoListenOn ? { alsoListenOn: o.alsoListenOn } : {}),
    ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
    ...(o.maxConcurrentBuilds ? { maxConcurrentBuilds: o.maxConcurrentBuilds } : {}),
    ...(o.maxPushBytes ? { maxPushBytes: o.maxPushBytes } : {}),
    ...(o.deliver === false ? { deliver: false } : {}),
  });
}

export function addGitCommands(program: Command): void {
  program
    .command('git-server')
    .description(
      'serve git repositories (smart HTTP, cluster tokens, RBAC) and forge webhooks; pushes start Tekton PipelineRuns',
    )
    .option('--kubeconfig <file>', 'credentials; the pod service account when omitted')
    .option('--port <port>', 'HTTP port', '8090')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .requiredOption('--data <dir>', 'where repositories and remembered webhook delivery ids are kept')
    .option('--public-url <url>', 'the URL clients and build pods reach this server at (default http://<host>:<port>)')
    .option('--max-concurrent-builds <n>', 'cluster-wide limit of triggered PipelineRuns running at once', '2')
    .option('--max-push-mb <n>', 'largest push accepted, in MiB', '512')
    .option(
      '--no-deliver',
      'do not deploy successful builds to the Applications that name them (a cluster without the platform.wharf.dev Application kind)',
    )
    .action(async (o: GitFlags) => {
      const flags = {
        dataDir: resolve(o.data),
        port: portOf('--port', o.port, 8090),
        host: o.host,
        ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
        maxConcurrentBuilds: positiveInteger('--max-concurrent-builds', o.maxConcurrentBuilds, 2),
        maxPushBytes: positiveInteger('--max-push-mb', o.maxPushMb, 512) * 1024 * 1024,
        deliver: o.deliver,
      };
      // Loaded on use, so other commands start without them.
      const [{ KubeConfig }, { createLogger }] = await Promise.all([
        import('@kubernetes/client-node'),
        import('@wharf/client'),
      ]);
      const kc = new KubeConfig();
      if (o.kubeconfig) {
        try {
          kc.loadFromFile(o.kubeconfig);
        } catch (e) {
          throw new Error(`--kubeconfig ${o.kubeconfig}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      } else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
      else throw new Error('no --kubeconfig, and not inside a cluster (KUBERNETES_SERVICE_HOST is unset)');
      const server = await startGit(kc, createLogger({ base: { component: 'git-server' } }), flags);
      process.stdout.write(
        `git server listening on ${server.url}: clone ${server.url}/git/<namespace>/<repository>.git\n`,
      );
      const alive = setInterval(() => undefined, 1 << 30);
      await new Promise<void>((r) => {
        process.once('SIGTERM', r);
        process.once('SIGINT', r);
      });
      clearInterval(alive);
      await server.stop();
      process.exit(0);
    });
}
