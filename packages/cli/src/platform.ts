// `wharf platform`: the platform controllers (Applications, ConfigSets) as their own process,
// against any cluster: a kubeconfig file, or the in-cluster service account when run as the
// Deployment of deploy/platform/. Runs until SIGTERM or Ctrl-C.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@wharf/client';
import { resolve } from 'node:path';
import { startPlatform } from '@wharf/platform-apps';
import { startPipelines } from '@wharf/platform-pipelines';
import { artifactDeliveryOption } from './up-options.js';

export interface PlatformCommandOptions {
  kubeconfig?: string;
  installCrds?: boolean;
  ingressPort?: string;
  artifactDelivery?: string;
  logLevel?: string;
  webhookCert?: string;
  webhookKey?: string;
  webhookCa?: string;
  webhookHost?: string;
  pipelinesDir?: string;
}

/** The author webhook's certificate files, all three or none. */
function webhookOptions(
  o: PlatformCommandOptions,
): { cert: string; key: string; caBundle: string; host?: string } | undefined {
  const files = [o.webhookCert, o.webhookKey, o.webhookCa];
  if (files.every((f) => f === undefined)) return undefined;
  if (files.some((f) => f === undefined)) throw new Error('--webhook-cert, --webhook-key and --webhook-ca go together');
  const read = (f: string): string => readFileSync(f, 'utf8');
  return {
    cert: read(o.webhookCert!),
    key: read(o.webhookKey!),
    caBundle: read(o.webhookCa!),
    ...(o.webhookHost ? { host: o.webhookHost } : {}),
  };
}

/** The kubeconfig: the file given, else the in-cluster account inside a pod, else $KUBECONFIG or ~/.kube/config. */
function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

export async function platform(opts: PlatformCommandOptions): Promise<void> {
  const logger = createLogger({ level: opts.logLevel ?? 'info', base: { component: 'platform' } });
  const ingressPort = opts.ingressPort === undefined ? undefined : Number(opts.ingressPort);
  if (ingressPort !== undefined && !(Number.isInteger(ingressPort) && ingressPort > 0 && ingressPort < 65536))
    throw new Error(`--ingress-port must be a port number, got "${opts.ingressPort}"`);
  const webhook = webhookOptions(opts);
  const kubeConfig = loadKubeConfig(opts.kubeconfig);
  const running = await startPlatform({
    kubeConfig,
    logger,
    installCrds: opts.installCrds !== false,
    artifactDelivery: artifactDeliveryOption(opts.artifactDelivery),
    ...(ingressPort ? { ingressPort } : {}),
    ...(webhook ? { authorWebhook: webhook } : {}),
  });
  // Pipelines only when asked: they keep their step log archive on this machine's disk (a
  // volume, in a pod) and need more rights than deploy/platform's ClusterRole grants.
  const pipelines = opts.pipelinesDir
    ? await startPipelines({
        kubeConfig,
        dataDir: resolve(opts.pipelinesDir),
        installCrds: opts.installCrds !== false,
        logger: logger.child({ component: 'pipelines' }),
      })
    : undefined;
  logger.info({ artifactDelivery: running.artifactDelivery }, 'wharf platform is running');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    Promise.all([pipelines?.stop(), running.stop()]).then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
