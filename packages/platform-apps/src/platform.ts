// Starts the platform controllers (ConfigSet, Application, Project, federation) on shared informers: in `wharf up`'s
// process, or alone as `wharf platform --kubeconfig FILE` against any cluster.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  type Clock,
  componentUserAgent,
  EventRecorder,
  InformerFactory,
  KubeClient,
  type Logger,
  realClock,
  silentLogger,
} from '@wharf/client';
import { ApplicationController } from './application/controller.js';
import { detectArtifactDelivery } from './application/delivery.js';
import type { PlatformContext } from './common/context.js';
import { ConfigSetController } from './configset/controller.js';
import { ProjectController } from './project/controller.js';
import { FederationController } from './federation/controller.js';
import { SharingController } from './configset/sharing-controller.js';
import { execInPods } from './application/exec.js';
import { AuthorWebhook, type AuthorWebhookOptions } from './configset/webhook.js';
import { installCrds } from './install.js';
import type { ArtifactDelivery } from './types.js';

export interface PlatformOptions {
  readonly kubeConfig: KubeConfig;
  /** @default silentLogger */
  readonly logger?: Logger;
  /** @default realClock */
  readonly clock?: Clock;
  /** Install (or upgrade) the CRDs first. @default true */
  readonly installCrds?: boolean;
  /** HTTP port of the cluster's Ingress gateway, for the URLs in status. @default 80 */
  readonly ingressPort?: number;
  /**
   * How artifacts reach pods for `artifactDelivery: auto`. @default 'auto': image volumes if the API server keeps them
   */
  readonly artifactDelivery?: ArtifactDelivery | 'auto';
  /** How long pods are out of the Service before they are deleted. @default 3000 */
  readonly drainMs?: number;
  /**
   * Serve and register the mutating webhook that records the author of each config version.
   * @default none: versions have no author
   */
  readonly authorWebhook?: AuthorWebhookOptions;
}

export interface RunningPlatform {
  readonly artifactDelivery: ArtifactDelivery;
  stop(): Promise<void>;
}

export async function startPlatform(opts: PlatformOptions): Promise<RunningPlatform> {
  const logger = opts.logger ?? silentLogger;
  const clock = opts.clock ?? realClock;
  const client = new KubeClient(opts.kubeConfig, { userAgent: componentUserAgent('wharf-platform') });
  if (opts.installCrds ?? true) await installCrds(client, logger);
  const delivery =
    opts.artifactDelivery && opts.artifactDelivery !== 'auto'
      ? opts.artifactDelivery
      : await detectArtifactDelivery(client, logger);
  const informers = new InformerFactory({
    client,
    clock,
    onError: (e) => logger.warn({ err: e }, 'watch failed; retrying'),
  });
  const ctx: PlatformContext = {
    client,
    informers,
    clock,
    logger,
    events: new EventRecorder({
      client,
      component: 'wharf-platform',
      clock,
      onError: (e) => logger.debug({ err: e }, 'event not recorded'),
    }),
  };
  const port = opts.ingressPort ?? 80;
  const configSets = new ConfigSetController(ctx);
  const apps = new ApplicationController(ctx, {
    delivery,
    drainMs: opts.drainMs ?? 3000,
    urlOf: (host, path) => `http://${host ?? 'localhost'}${port === 80 ? '' : `:${port}`}${path}`,
    exec: execInPods(opts.kubeConfig),
  });
  const controllers = [
    configSets,
    apps,
    new SharingController(ctx),
    new ProjectController(ctx),
    new FederationController(ctx),
  ];
  for (const c of controllers) c.start();
  informers.start();
  await Promise.all([informers.synced(), configSets.synced, apps.synced]);
  const webhook = opts.authorWebhook ? new AuthorWebhook(client, logger, opts.authorWebhook) : undefined;
  await webhook?.start();
  logger.info({ artifactDelivery: delivery }, 'platform controllers started');
  return {
    artifactDelivery: delivery,
    async stop() {
      await webhook?.stop();
      await Promise.all(controllers.map((c) => c.stop()));
      await informers.stop();
      client.close();
    },
  };
}
